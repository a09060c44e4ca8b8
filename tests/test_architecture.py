"""The tree shows the architecture: layered subpackages with small public faces, and a ledger to explore."""

import importlib
import pydoc

import pytest

from helpers.ledger.paths import PROJECT_ROOT
from helpers.ledger.tables import CONTEXT_TABLES, LEDGER_TABLES, Ledger, load_ledger

LAYERS = ["ledger", "stats", "claims", "nonresponse", "present", "run"]


def test_nothing_but_the_package_file_and_subpackages_stands_at_the_top_of_helpers():
    top = PROJECT_ROOT / "helpers"
    files = sorted(p.name for p in top.iterdir() if p.is_file())
    folders = sorted(p.name for p in top.iterdir() if p.is_dir() and p.name != "__pycache__")
    assert files == ["__init__.py"]
    assert folders == sorted(LAYERS)


@pytest.mark.parametrize("layer", LAYERS)
def test_every_name_a_face_lists_resolves_and_its_help_is_a_table_of_contents(layer):
    face = importlib.import_module(f"helpers.{layer}")
    assert face.__all__, layer
    for name in face.__all__:
        assert getattr(face, name) is not None, f"helpers.{layer}.{name}"
    assert set(face.__all__) <= set(dir(face))
    text = pydoc.render_doc(face, renderer=pydoc.plaintext)
    # the docstring names each module of the layer with what it holds
    modules = [p.stem for p in (PROJECT_ROOT / "helpers" / layer).glob("*.py") if p.stem != "__init__"]
    for module in modules:
        assert f"    {module} " in face.__doc__ or f"    {module}\n" in face.__doc__, f"{layer}: {module}"
    assert face.__doc__.splitlines()[0] in text


def test_an_unknown_name_on_a_face_is_an_attribute_error():
    import helpers.stats

    with pytest.raises(AttributeError):
        helpers.stats.no_such_function  # noqa: B018


def test_the_ledger_offers_its_tables_by_name_and_reads_short():
    ledger = load_ledger()
    assert {"figures", "claims", "reports", "sources", "discrepancies", "councils"} <= set(dir(ledger))
    assert ledger.figures is ledger.tables["figures"] is ledger["figures"]
    text = repr(ledger)
    assert len(text) < 400, text
    assert f"figures ({len(ledger.figures):,} rows)" in text
    assert f"council_years ({len(ledger.council_years):,} rows)" in text


def test_the_ledger_is_frozen_and_names_a_missing_table(tmp_path):
    import dataclasses

    import pandas as pd

    ledger = load_ledger()
    with pytest.raises(dataclasses.FrozenInstanceError):
        ledger.figures = None
    with pytest.raises(KeyError, match="no table 'nope'; tables: sources"):
        ledger["nope"]
    with pytest.raises(AttributeError, match="no table 'nope'"):
        ledger.nope  # noqa: B018
    tables = {name: pd.DataFrame() for name in LEDGER_TABLES if name != "claims"}
    with pytest.raises(Exception, match="no resource named claims"):
        Ledger.from_tables(tmp_path, tables)
    partial = Ledger.from_tables(tmp_path, {name: pd.DataFrame() for name in LEDGER_TABLES})
    assert all(getattr(partial, name) is None for name in CONTEXT_TABLES)


# ---------------------------------------------------------------- numbers below, words above
# stats/ and nonresponse/ return numbers and named results; the sentences and display tables made from
# them live in present/. (That present computes no statistic is the import-linter contract forbidding it
# scipy and statsmodels, in pyproject.toml.)
NOT_YET_MOVED = {"ratio_sentence", "trend_findings", "trend_lead"}


def _is_words(name: str) -> bool:
    """A function name that says it writes for readers: display_*, *_findings*, *_sentence*, *lead*."""
    return name.startswith("display_") or any(part in name for part in ("_findings", "_sentence", "lead"))


def _functions(layer: str):
    import ast

    for path in sorted((PROJECT_ROOT / "helpers" / layer).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield f"{layer}/{path.name}", node.name


def test_words_name_functions_one_by_one():
    assert [n for n in ("display_rates", "report_findings", "ratio_sentence", "trend_lead") if not _is_words(n)] == []
    assert [n for n in ("headline_table", "simulation_summary", "mnar_gap", "holm_adjust") if _is_words(n)] == []


@pytest.mark.parametrize("layer", ["stats", "nonresponse"])
def test_the_statistics_layers_write_no_sentences_or_display_tables(layer):
    found = {(where, name) for where, name in _functions(layer) if _is_words(name)}
    assert {(w, n) for w, n in found if n not in NOT_YET_MOVED} == set()
