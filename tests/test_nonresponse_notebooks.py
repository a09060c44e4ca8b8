"""Notebook 40 runs for every report id of data/reports.csv (where a report has nothing to show, it says so),
and notebook 41 runs MICE on 200 replicates without stopping itself.

One kernel is reused for the six runs (the project's runner, through tests/conftest.py), with light scenario settings (two seeds,
two imputations, two mechanisms) so the test takes seconds per report, not minutes.
"""

from __future__ import annotations

import nbformat
import pytest

from helpers.run.runner import Run

LIGHT = {"n_seeds": 2, "imputations": 2, "mechanisms": ["mcar", "mnar"]}


def shown_text(path) -> str:
    nb = nbformat.read(path, as_version=4)
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append("".join(out.get("text", "")))
            data = out.get("data", {})
            parts.append(data.get("text/markdown", "") + data.get("text/plain", ""))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def executed(tmp_path_factory, ledger, run_notebooks):
    ids = ledger.reports["report_id"].tolist()
    tmp = tmp_path_factory.mktemp("nonresponse40")
    runs = [Run("40_nonresponse.ipynb", rid, {"report_id": rid, **LIGHT}) for rid in ids]
    # Issue 18: 41 stopped itself with a timing assert when asked for MICE on 200 replicates.
    runs.append(Run("41_nonresponse_simulation.ipynb", "mice200", {"n_sims": 200, "n_mice": 200}))
    results = run_notebooks(runs, executed_dir=tmp)
    titles = ledger.reports.set_index("report_id")["title"].to_dict()
    out = {rid: (result, tmp / f"40_nonresponse-{rid}.ipynb", titles[rid]) for rid, result in zip(ids, results)}
    out["41"] = (results[-1], tmp / "41_nonresponse_simulation-mice200.ipynb", "SYNTHETIC")
    return out


def test_every_report_id_runs_and_describes_itself(executed):
    assert len(executed) == 6
    for rid, (result, path, title) in executed.items():
        assert result.ok, f"{rid}: {result.message}"
        text = shown_text(path)
        assert title in text, rid  # its own report, not the default
        assert "Traceback" not in text and "robust" not in text.lower()


@pytest.mark.parametrize("rid", ["when-harm-remains", "still-in-harms-way", "exploited-looked-after-children"])
def test_reports_without_answering_counts_say_so_in_a_sentence(executed, rid):
    text = shown_text(executed[rid][1])
    assert "no published count of answering councils" in text
    assert "so there is no chart of estimators" in text


def test_until_harm_ends_states_the_two_sided_threshold(executed):
    text = shown_text(executed["until-harm-ends"][1])
    assert "holds if the silent councils hold less than 14.2% of the children of each group" in text
    assert "range across 2 synthetic scenarios" in text


def test_simulation_accepts_mice_on_200_replicates_and_shows_mcses(executed):
    text = shown_text(executed["41"][1])
    assert "MICE on 200" in text and "MCSE" in text
    assert "multiple imputation (MICE)" in text and "AssertionError" not in text
