"""The parameter matrix's runs of notebook 50 (the explorer; issue 18). The matrix and what each run must
show: tests/support/parameter_matrix.py."""

from __future__ import annotations

import pytest
from parameter_matrix import check_run, run_all, runs_of

HERE = runs_of("explore")


@pytest.fixture(scope="module")
def executed(tmp_path_factory, run_notebooks):
    """This file's runs of the matrix, once, in the test process's kept kernel: run name -> (result, text)."""
    return run_all([run for run, _ in HERE], run_notebooks, tmp_path_factory.mktemp("matrix-explore"))


@pytest.mark.parametrize(("run", "defect"), HERE, ids=[r.name for r, _ in HERE])
def test_every_declared_value_runs_and_its_findings_describe_it(executed, run, defect):
    result, text = executed[run.name]
    check_run(run, defect, result, text)
