"""Every ``make X`` and ``mfc X`` the documents show is a real Makefile target or mfc subcommand."""

from __future__ import annotations

import argparse
import re

import pytest

from helpers.ledger.paths import PROJECT_ROOT
from helpers.run.cli import build_parser

DOCUMENTS = [
    PROJECT_ROOT / "README.md",
    PROJECT_ROOT / "CONTRIBUTING.md",
    *sorted((PROJECT_ROOT / "docs").glob("*.md")),
]
_CODE = re.compile(r"```[^\n]*\n(.*?)```|`([^`\n]+)`", re.S)
# "make run", "$(BIN)/mfc readme", "mfc rehash && mfc check-data": the word after the tool's name
_COMMAND = re.compile(r"(?:^|(?<=[\s(/;&|]))(make|mfc) ([a-z][a-z-]*)", re.M)


def commands_shown(text: str) -> set[tuple[str, str]]:
    """(tool, subcommand) for every make or mfc command inside inline code or a fenced block of ``text``."""
    found = set()
    for match in _CODE.finditer(text):
        code = match.group(1) if match.group(1) is not None else match.group(2)
        found |= set(_COMMAND.findall(code))
    return found


def makefile_targets() -> set[str]:
    text = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][a-z-]*):", text, flags=re.M))


def mfc_subcommands() -> set[str]:
    actions = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return set(actions[0].choices)


def test_the_scanner_reads_code_only():
    text = "To make sense of it, run `make run`, then:\n```bash\nmfc rehash && mfc check-data   # and\n$(BIN)/mfc readme\n```\n"
    assert commands_shown(text) == {("make", "run"), ("mfc", "rehash"), ("mfc", "check-data"), ("mfc", "readme")}
    assert commands_shown("`mfc --help`, `mfc COMMAND --help`, `.venv/bin/mutmut show NAME`") == set()


def test_the_targets_and_subcommands_are_read_from_their_sources():
    assert {"run", "test", "site", "lint", "explore", "check-data", "context"} <= makefile_targets()
    assert {"check-data", "rehash", "headlines", "trends", "claims", "run", "build-context", "cut-lait"} <= (
        mfc_subcommands()
    )
    assert {"site", "readme", "nonresponse"} <= mfc_subcommands()


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.relative_to(PROJECT_ROOT).as_posix())
def test_every_command_a_document_shows_exists(document):
    shown = commands_shown(document.read_text(encoding="utf-8"))
    known = {"make": makefile_targets(), "mfc": mfc_subcommands()}
    unknown = sorted(f"{tool} {name}" for tool, name in shown if name not in known[tool])
    assert unknown == [], f"{document.name} shows commands that do not exist"
    if document.name in ("README.md", "CONTRIBUTING.md"):
        assert ("make", "test") in shown and ("make", "run") in shown
