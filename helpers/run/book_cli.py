"""``mfc site`` and ``mfc readme``: the documents built from the executed notebooks.

``mfc site [SITE_DIR]`` builds the book (:func:`helpers.present.site.build_site`); ``mfc site --key-chart
[PATH]`` writes the key chart alone (``docs/key-chart.png`` by default). ``mfc readme`` rewrites the
generated blocks of README.md and of the pages in ``docs/`` (:mod:`helpers.run.readme`); ``mfc readme
--check`` exits 1 with one line per stale document and writes nothing.
"""

from __future__ import annotations

import sys


def cmd_site(args) -> int:
    """Build the site, or write the key chart; a missing input or a failed Sphinx build is one line, exit 1."""
    from helpers.present.site import KEY_CHART_PATH, build_site, write_key_chart

    try:
        if args.key_chart is not None:  # "" when --key-chart is given without a path
            written = write_key_chart(args.key_chart or KEY_CHART_PATH)
        else:
            written = build_site(args.site_dir)
    except (RuntimeError, FileNotFoundError, ValueError) as error:
        print(f"mfc site: {error}", file=sys.stderr)
        return 1
    print(written)
    return 0


def _shown(path) -> str:
    """A document's path as the reader would type it: relative to the project when it is inside it."""
    from helpers.ledger.paths import PROJECT_ROOT

    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def cmd_readme(args) -> int:
    """Rewrite the generated blocks (or, with ``--check``, name the documents whose blocks are stale)."""
    from helpers.run.readme import refresh_documents, stale_documents

    if args.check:
        stale = stale_documents()
        for path in stale:
            print(f"{_shown(path)}: generated blocks are out of date; run `mfc readme`", file=sys.stderr)
        return 1 if stale else 0
    for path in refresh_documents():
        print(_shown(path))
    return 0


def add_parsers(sub) -> None:
    """Register ``mfc site`` and ``mfc readme`` on the subparsers of ``mfc``."""
    p = sub.add_parser("site", help="build the book (a Sphinx site of the executed notebooks), or write the key chart")
    p.add_argument("site_dir", nargs="?", default="build/site", help="output folder (default: build/site)")
    p.add_argument(
        "--key-chart",
        nargs="?",
        const="",  # the site module (slow to import) knows the default path
        metavar="PATH",
        help="write only the key chart, from the executed 00_overview (default path: docs/key-chart.png)",
    )
    p.set_defaults(func=cmd_site)

    p = sub.add_parser("readme", help="rebuild the generated blocks of README.md and docs/*.md")
    p.add_argument("--check", action="store_true", help="exit 1 if any document is out of date; write nothing")
    p.set_defaults(func=cmd_readme)
