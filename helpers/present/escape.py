"""Text from data made safe to show: the one escaping helper of the table formatter and the sentence writers.

A claim id, a publisher, a title or an explanation comes from a CSV file anyone may edit (or from a
reader's own claims file). Shown raw in an HTML table or in a Markdown sentence, ``<script>`` or
``<img src=x onerror=...>`` in such a field would run in the reader's browser, in the notebook and on
the site. Every field from data therefore goes through one of these before it reaches a page:

- :func:`html_text` for HTML (tables, captions): ``<``, ``>``, ``&`` and quotes become entities;
- :func:`md_text` for Markdown sentences: the same entities (a Markdown renderer passes raw HTML
  through) and a backslash before the characters that would start a link, emphasis or code;
- :func:`safe_url` for a link target: a relative link, or one to ``http``, ``https`` or ``mailto``;
  any other scheme (``javascript:``, ``data:``) in a data file never becomes a link.
"""

from __future__ import annotations

import html
import re

_MARKDOWN_SYNTAX = re.compile(r"([\\`*\[\]])")  # link, emphasis and code; '_' inside a word is harmless
SAFE_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def html_text(value) -> str:
    """``value`` as text that HTML shows literally (``<b>`` is shown as ``<b>``, not made bold)."""
    return html.escape(str(value), quote=True)


def md_text(value) -> str:
    """``value`` as text that Markdown shows literally: no HTML, link, emphasis or code from it."""
    return html.escape(_MARKDOWN_SYNTAX.sub(r"\\\1", str(value)), quote=False)


def safe_url(url) -> str:
    """``url`` if it is relative or a web or mail link, else ``""`` (the caller shows the text unlinked)."""
    text = url.strip() if isinstance(url, str) else ""
    # browsers ignore control characters and spaces inside a scheme ("java\tscript:"): so does the check
    scheme = _SCHEME.match(re.sub(r"[\x00-\x20]", "", text))
    return text if scheme is None or scheme.group(1).lower() in SAFE_SCHEMES else ""
