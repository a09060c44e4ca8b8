"""Every stored value a test compares against names where it came from, beside the values.

As in statsmodels' ``tests/results/`` files, a file of values produced outside the tests (a cross-check
table, a fixture, results from another program) carries a header naming the tool, its version and the
call that produced them. A file kept byte for byte as received cannot hold a header, so its header is a
sidecar ``<stem>.source.txt`` beside it; a file the project writes itself (a ``.py`` results module or a
CSV) may instead start with the header as comment lines (or, for Python, as its docstring).
"""

from __future__ import annotations

import ast
import hashlib
import re
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
VALUE_FOLDERS = ("crosscheck", "backtests", "fixtures")
FIELDS = ("tool", "version", "call")


def value_files() -> list[Path]:
    """Files under the value folders other than tests, notes and the headers themselves."""
    files = []
    for folder in VALUE_FOLDERS:
        for path in sorted((TESTS / folder).rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            if path.name.endswith(".source.txt") or path.name in ("README.md", "__init__.py", "conftest.py"):
                continue
            if path.suffix == ".py" and path.name.startswith("test_"):
                continue
            files.append(path)
    return files


def own_header(path: Path) -> str:
    """The header a file carries itself: a Python module's docstring and leading comments, or a text
    file's leading ``#`` lines; empty when there is none (or the file is not text)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return ""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("# "))
    if path.suffix == ".py":
        lines.append(ast.get_docstring(ast.parse(text)) or "")
    return "\n".join(lines)


def header_of(path: Path) -> str:
    """The file's own header, else its sidecar ``<stem>.source.txt``, else empty."""
    sidecar = path.with_name(f"{path.stem}.source.txt")
    return own_header(path) or (sidecar.read_text(encoding="utf-8") if sidecar.is_file() else "")


def fields(header: str) -> dict[str, str]:
    """``name: value`` lines of a header (the first of each name)."""
    found = {}
    for match in re.finditer(r"^\s*(tool|version|call|sha256|file):[ \t]*(.*?)\s*$", header, flags=re.M):
        found.setdefault(match.group(1), match.group(2))
    return found


def test_the_value_folders_hold_the_files_the_tests_compare_against():
    names = {p.name for p in value_files()}
    assert {
        "dfe_la_cla_number_and_rate_per_10k_2021_2025.csv",
        "derived_england_national_cla_uasc_missing_2014_2024.csv",
        "derived_uk_nrm_referrals_by_age_annual_2009_2023.csv",
        "own_claims.csv",
        "user_claims.csv",
    } <= names


@pytest.mark.parametrize("path", value_files(), ids=lambda p: str(p.relative_to(TESTS)))
def test_each_stored_value_file_names_its_tool_version_and_call(path):
    found = fields(header_of(path))
    missing = [name for name in FIELDS if not found.get(name)]
    assert not missing, f"{path.relative_to(TESTS)}: header lacks {', '.join(missing)} (see {path.stem}.source.txt)"
    if "file" in found:
        assert found["file"] == path.name, "a sidecar names the file it describes"
    if "sha256" in found:  # a file kept as received: the header pins the bytes it describes
        assert hashlib.sha256(path.read_bytes()).hexdigest() == found["sha256"]


def test_a_file_without_a_header_fails_and_a_commented_one_passes(tmp_path):
    bare = tmp_path / "values.csv"
    bare.write_text("a,b\n1,2\n", encoding="utf-8")
    assert fields(header_of(bare)) == {}
    commented = tmp_path / "results.py"
    commented.write_text('"""Values.\n\ntool: R metafor\nversion: 4.6-0\ncall: rma(yi, vi)\n"""\nX = 1\n')
    assert fields(header_of(commented)) == {"tool": "R metafor", "version": "4.6-0", "call": "rma(yi, vi)"}
    sidecar = tmp_path / "values.source.txt"
    sidecar.write_text("# about values.csv\ntool: hand\nversion: n/a\ncall: none\n", encoding="utf-8")
    assert fields(header_of(bare)) == {"tool": "hand", "version": "n/a", "call": "none"}
