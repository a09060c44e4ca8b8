"""Fixtures shared by the whole test suite.

Loading the ledger (about half a second) and parsing the executed notebooks are done once per test
process and shared, read-only, by every file that asks for them. Tests must not change what these
fixtures return: a test that needs a changed table copies it first.
"""

from __future__ import annotations

import nbformat
import pytest

from helpers.ledger.paths import EXECUTED_DIR


@pytest.fixture(scope="session")
def ledger():
    """The project's ledger (data/), validated and loaded once per test process."""
    from helpers.ledger import load_ledger

    return load_ledger()


@pytest.fixture(scope="session")
def executed_notebooks() -> dict[str, nbformat.NotebookNode]:
    """Every executed copy under notebooks/executed/, parsed once: file name -> notebook."""
    return {path.name: nbformat.read(path, as_version=4) for path in sorted(EXECUTED_DIR.glob("*.ipynb"))}
