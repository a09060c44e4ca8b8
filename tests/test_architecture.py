"""The tree shows the architecture: layered subpackages with small public faces, and a ledger to explore."""

import ast
import importlib
import pydoc
from pathlib import Path

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


def test_no_report_id_is_written_into_the_helpers():
    """A report's facts are data: no string literal in helpers/ equals a report id of data/reports.csv.

    A report is added, renamed or given versions in data/ alone; a literal id in code would single one out.
    """
    import ast

    report_ids = set(load_ledger().reports["report_id"])
    found = []
    for path in sorted((PROJECT_ROOT / "helpers").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in report_ids:
                found.append(f"{path.relative_to(PROJECT_ROOT)} line {node.lineno}: {node.value!r}")
    assert found == []


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


def _commands_outside_run(root: Path = PROJECT_ROOT) -> list[tuple[str, int, str]]:
    """(module, line, what) for every ``def main``, exit (``sys.exit``, ``exit``, ``quit``, ``os._exit``),
    ``print`` and ``sys.stdout``/``sys.stderr`` write in ``root/helpers`` outside ``helpers/run/`` (an AST scan)."""
    found = []
    for path in sorted((root / "helpers").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative.startswith("helpers/run/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == "main":
                found.append((relative, node.lineno, "def main"))
            elif isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                if name in ("sys.exit", "exit", "quit", "os._exit", "print") or name.startswith(
                    ("sys.stdout.", "sys.stderr.")
                ):
                    found.append((relative, node.lineno, name))
    return found


def test_only_run_defines_commands_prints_or_exits():
    """Lower layers return values and raise DataError / ParameterError; only helpers/run/ talks to the shell."""
    assert _commands_outside_run() == []


def test_the_scan_would_see_a_command_in_a_lower_layer(tmp_path):
    """The scan is not blind: a made-up ledger module with a main, prints and an exit is caught, run/ is not."""
    (tmp_path / "helpers" / "ledger").mkdir(parents=True)
    (tmp_path / "helpers" / "run").mkdir()
    (tmp_path / "helpers" / "ledger" / "odd.py").write_text(
        "import sys\n\ndef main():\n    print('x')\n    sys.stderr.write('y')\n    sys.exit(2)\n"
    )
    (tmp_path / "helpers" / "run" / "fine.py").write_text("def main():\n    print('ok')\n")
    assert _commands_outside_run(tmp_path) == [
        ("helpers/ledger/odd.py", 3, "def main"),
        ("helpers/ledger/odd.py", 4, "print"),
        ("helpers/ledger/odd.py", 5, "sys.stderr.write"),
        ("helpers/ledger/odd.py", 6, "sys.exit"),
    ]


# ---------------------------------------------------------------- numbers below, words above
# stats/ and nonresponse/ return numbers and named results; the sentences and display tables made from
# them live in present/. (That present computes no statistic is the import-linter contract forbidding it
# scipy and statsmodels, in pyproject.toml.)


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
    assert {(where, name) for where, name in _functions(layer) if _is_words(name)} == set()


# ---------------------------------------------------------------- numpydoc on the public statistics
DOCUMENTED_STATISTICS = {
    "rates": ["wilson_interval", "headline_table"],
    "trends": ["compare_proportions"],
    "comparisons": ["holm_adjust"],
    "clustering": ["design_effect", "design_effect_interval"],
    "bayes": ["slope_posterior"],
    "random_effects": ["tau2_paule_mandel", "tau2_reml", "fit_meta_regression", "trend_models"],
    "trend_summary": ["trend_evidence"],
}


@pytest.mark.parametrize("module", sorted(DOCUMENTED_STATISTICS))
def test_public_statistics_have_numpydoc_returns_and_references(module):
    import ast

    tree = ast.parse((PROJECT_ROOT / "helpers" / "stats" / f"{module}.py").read_text(encoding="utf-8"))
    docs = {n.name: ast.get_docstring(n) or "" for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    for name in DOCUMENTED_STATISTICS[module]:
        assert "Returns\n-------" in docs[name], f"{module}.{name} has no numpydoc Returns section"
        assert "References\n----------" in docs[name], f"{module}.{name} has no numpydoc References section"
