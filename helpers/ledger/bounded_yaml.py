"""Read YAML a user wrote with bounds on what it may cost: ``mfc run -p`` and ``-f``, option values and
``notebooks/parameters.yaml`` all go through :func:`load_bounded`.

``yaml.safe_load`` runs no code, but it is not bounded: ten nested aliases of ten references each
(a "billion laughs") build a value that is small in memory yet billions of elements long once anything
walks it (a check, a message, papermill writing it into the notebook); a few thousand nested brackets
end in a RecursionError; a value of many megabytes is echoed whole in an error. Here, before a value is
built, the document is refused (ParameterError, one line) when:

- its text is longer than :data:`MAX_TEXT_CHARS`, or one scalar longer than :data:`MAX_VALUE_CHARS`;
- it nests deeper than :data:`MAX_DEPTH`;
- it holds more than :data:`MAX_NODES` elements once every alias is expanded (aliases themselves are
  allowed, as ``parameters.yaml`` shares its common entries with them), or an alias refers to itself.

:func:`brief` quotes a value in at most about 80 characters, for messages.
"""

from __future__ import annotations

import yaml

from helpers.ledger.errors import ParameterError

MAX_TEXT_CHARS = 1_000_000  # a parameter file; parameters.yaml is about 10 KB
MAX_VALUE_CHARS = 10_000  # one scalar: the longest real value is a file path
MAX_DEPTH = 20  # the deepest real value is a mapping in a mapping
MAX_NODES = 100_000  # elements once aliases are expanded; parameters.yaml has about 1,000
BRIEF_CHARS = 80


def brief(value, limit: int = BRIEF_CHARS) -> str:
    """``repr(value)`` in at most about ``limit`` characters; a long text says how long it was."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[: limit - 25]!r}... ({len(value):,} characters)"
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


class _DepthBoundLoader(yaml.SafeLoader):
    """PyYAML's safe loader with the composer's recursion counted: deeper than MAX_DEPTH is refused
    before Python's own recursion limit is reached."""

    def __init__(self, stream):
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent, index):
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise ParameterError(f"nests deeper than {MAX_DEPTH} levels; flatten it")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _expanded_size(node, sizes: dict, open_nodes: set) -> int:
    """The number of elements ``node`` stands for with every alias expanded (each shared node counted
    once per reference, but measured once)."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in open_nodes:
        raise ParameterError("an alias refers to a value that contains it; write the value out")
    if isinstance(node, yaml.ScalarNode):
        if len(node.value) > MAX_VALUE_CHARS:
            raise ParameterError(
                f"a value of {len(node.value):,} characters is too long (at most {MAX_VALUE_CHARS:,}): "
                f"{brief(node.value)}"
            )
        sizes[key] = 1
        return 1
    open_nodes.add(key)
    children = [part for pair in node.value for part in pair] if isinstance(node, yaml.MappingNode) else node.value
    total = 1
    for child in children:
        total += _expanded_size(child, sizes, open_nodes)
        if total > MAX_NODES:
            raise ParameterError(
                f"expands to more than {MAX_NODES:,} elements (aliases repeating aliases?); write the values out"
            )
    open_nodes.discard(key)
    sizes[key] = total
    return total


def read_bounded(path) -> str:
    """The text of a YAML file, refused (ParameterError) before reading when it is too large to be one."""
    from pathlib import Path

    size = Path(path).stat().st_size
    if size > MAX_TEXT_CHARS:
        raise ParameterError(f"is {size:,} bytes long (at most {MAX_TEXT_CHARS:,}); it was not read")
    return Path(path).read_text(encoding="utf-8")


def load_bounded(text: str):
    """The value of one YAML document, built only once it is known to be within the bounds above.

    Raises ParameterError (one line, quoting at most about 80 characters) when it is not, and
    ``yaml.YAMLError`` when it is not YAML at all (the caller words that one).
    """
    if len(text) > MAX_TEXT_CHARS:
        raise ParameterError(f"is {len(text):,} characters long (at most {MAX_TEXT_CHARS:,}): {brief(text)}")
    loader = _DepthBoundLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node, {}, set())
        return loader.construct_document(node)
    finally:
        loader.dispose()
