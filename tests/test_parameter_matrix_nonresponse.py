"""The parameter matrix's runs of notebooks 40 and 41 (issue 18; the matrix: tests/support/parameter_matrix.py),
and what those runs and the catalogue's executed copies show.

Notebook 40 runs for every report id of data/reports.csv: the matrix runs the three reports the catalogue
does not (with light scenario settings: two seeds, two imputations), the catalogue the other two (executed
copies, re-executed by nbval). Where a report has nothing to show, it says so. Notebook 41 runs MICE on 200
replicates without stopping itself (the matrix runs it with n_sims = n_mice = 200).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from parameter_matrix import check_run, run_all, runs_of

from helpers.ledger.paths import NOTEBOOKS_DIR
from helpers.run.one_run import notebook_defaults

HERE = runs_of("nonresponse")


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory) -> Path:
    """Where this file's runs are written, each as ``<run name>.ipynb``."""
    return tmp_path_factory.mktemp("matrix-nonresponse")


@pytest.fixture(scope="module")
def executed(out_dir, run_notebooks):
    """This file's runs of the matrix, once, in the test process's kept kernel: run name -> (result, text)."""
    return run_all([run for run, _ in HERE], run_notebooks, out_dir)


def shown_run(out_dir: Path, run) -> str:
    """What a matrix run of this file displays ("" when it wrote nothing)."""
    path = out_dir / f"{run.name}.ipynb"
    return shown_text(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else ""


@pytest.mark.parametrize(("run", "defect"), HERE, ids=[r.name for r, _ in HERE])
def test_every_declared_value_runs_and_its_findings_describe_it(executed, run, defect):
    result, text = executed[run.name]
    check_run(run, defect, result, text)


def shown_text(nb: dict) -> str:
    """What a notebook displays: its outputs' text, markdown and plain text (not its markdown cells)."""
    parts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            parts.append("".join(out.get("text", "")))
            data = out.get("data", {})
            parts.append("".join(data.get("text/markdown", "")) + "".join(data.get("text/plain", "")))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def shown_40(executed, out_dir, ledger, executed_notebooks):
    """Report id -> (ran without error, displayed text, the report's title) of notebook 40, for every report."""
    titles = ledger.reports.set_index("report_id")["title"].to_dict()
    out = {}
    for run, _ in HERE:
        if run.notebook == "40_nonresponse.ipynb":
            rid = run.parameters["report_id"]
            out[rid] = (executed[run.name][0].ok, shown_run(out_dir, run), titles[rid])
    for rid in set(titles) - set(out):
        nb = executed_notebooks[f"40_nonresponse-{rid}.ipynb"]
        out[rid] = (True, shown_text(nb), titles[rid])
    return out


def test_every_report_id_runs_and_describes_itself(shown_40, ledger):
    assert sorted(shown_40) == sorted(ledger.reports["report_id"])
    for rid, (ok, text, title) in shown_40.items():
        assert ok, rid
        assert title in text, rid  # its own report, not the default
        assert "Traceback" not in text and "robust" not in text.lower()


@pytest.mark.parametrize("rid", ["when-harm-remains", "still-in-harms-way", "exploited-looked-after-children"])
def test_reports_without_answering_counts_say_so_in_a_sentence(shown_40, rid):
    text = shown_40[rid][1]
    assert "no published count of answering councils" in text
    assert "so there is no chart of estimators" in text


def test_until_harm_ends_states_the_two_sided_threshold(shown_40):
    text = shown_40["until-harm-ends"][1]
    n_seeds = notebook_defaults(NOTEBOOKS_DIR / "40_nonresponse.ipynb")["n_seeds"]
    assert "holds if the silent councils hold less than 14.2% of the children of each group" in text
    assert f"range across {n_seeds} synthetic scenarios" in text


def test_simulation_accepts_mice_on_200_replicates_and_shows_mcses(executed, out_dir):
    runs = [run for run, _ in HERE if run.notebook == "41_nonresponse_simulation.ipynb"]
    assert runs and all(run.parameters["n_sims"] == run.parameters["n_mice"] == 200 for run in runs)
    for run in runs:
        result, _ = executed[run.name]
        assert result.ok, result.message
        text = shown_run(out_dir, run)
        assert "MICE on 200" in text and "MCSE" in text
        assert "multiple imputation (MICE)" in text and "AssertionError" not in text
