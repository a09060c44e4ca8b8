"""A bad parameter stops a notebook in its first cells with a message naming the valid values."""

import pytest

from helpers.ledger.paths import NOTEBOOKS_DIR
from helpers.run.runner import Run, execute_run


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        (
            Run("10_report.ipynb", "bad", {"report_id": "harm-2030"}),
            "report_id='harm-2030' is not valid; valid values: heading-back-to-harm",
        ),
        (Run("30_trends.ipynb", "bad", {"groups": "trafficked"}), "groups must be a list"),
        (
            Run("30_trends.ipynb", "bad-version", {"sihw_version": "final"}),
            "sihw_version='final' is not valid; valid values: original, revised",
        ),
        (
            Run("10_report.ipynb", "typo", {"reportid": "when-harm-remains"}),
            "unknown parameter(s) reportid; this notebook's parameters are: report_id, alpha, data_dir",
        ),
    ],
    ids=["unknown-report", "list-as-string", "unknown-version", "mistyped-name"],
)
def test_bad_parameter_stops_the_notebook_early_with_valid_values(tmp_path, run, expected):
    result = execute_run(
        run, notebooks_dir=NOTEBOOKS_DIR, executed_dir=tmp_path / "executed", scratch_dir=tmp_path / "scratch"
    )
    assert not result.ok
    assert "ParameterError" in result.message and expected in result.message
    assert "cell 4" in result.message or "cell 5" in result.message  # the validation cell, right after the parameters
    assert not (tmp_path / "executed").exists() or not list((tmp_path / "executed").iterdir())
