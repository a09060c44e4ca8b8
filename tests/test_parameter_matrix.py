"""Every declared parameter value of every notebook runs (issue 18): the matrix's coverage, and its runs
of the notebooks in no part of ``PARTS`` (50: tests/test_parameter_matrix_explore.py; 40 and 41:
tests/test_parameter_matrix_nonresponse.py).

How the matrix is built, and what each run must show: tests/support/parameter_matrix.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from parameter_matrix import MATRIX, PARTS, catalogue_values, check_run, resolve_value, run_all, runs_of

from helpers.ledger.parameters import PARAMETERS_PATH, _load, matrix_values
from helpers.ledger.paths import NOTEBOOKS_DIR
from helpers.run.one_run import notebook_defaults

HERE = runs_of(None)


@pytest.fixture(scope="module")
def executed(tmp_path_factory, run_notebooks):
    """This file's runs of the matrix, once, in the test process's kept kernel: run name -> (result, text)."""
    return run_all([run for run, _ in HERE], run_notebooks, tmp_path_factory.mktemp("matrix"))


def test_the_matrix_covers_every_declared_value_and_stays_small():
    covered = catalogue_values()
    for stem, declared in _load(str(PARAMETERS_PATH))["notebooks"].items():
        defaults = notebook_defaults(NOTEBOOKS_DIR / f"{stem}.ipynb")
        for name, spec in declared.items():
            for value in matrix_values(spec):
                value = resolve_value(spec, value)
                ran = [r for r, _ in MATRIX if Path(r.notebook).stem == stem and r.parameters.get(name) == value]
                known = json.dumps(value, sort_keys=True) in covered.get((stem, name), set())
                assert ran or known or value == defaults.get(name), (stem, name, value)
    assert len(MATRIX) <= 20  # the 60-second budget on two cores


def test_the_three_files_share_the_matrix_between_them_each_run_once():
    stems = {Path(run.notebook).stem for run, _ in MATRIX}
    shared = [run.name for part in [None, *PARTS] for run, _ in runs_of(part)]
    assert sorted(shared) == sorted(run.name for run, _ in MATRIX)
    assert all(stems_of_part <= stems for stems_of_part in PARTS.values())
    assert all(runs_of(part) for part in [None, *PARTS])


@pytest.mark.parametrize(("run", "defect"), HERE, ids=[r.name for r, _ in HERE])
def test_every_declared_value_runs_and_its_findings_describe_it(executed, run, defect):
    result, text = executed[run.name]
    check_run(run, defect, result, text)
