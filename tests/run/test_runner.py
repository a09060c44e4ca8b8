"""The runner: catalogue checks, parallel runs, a failing notebook, an interrupted write."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from helpers.ledger.errors import DataError, ParameterError
from helpers.run import runner
from helpers.run.runner import Run, execute_run, load_catalogue, run_catalogue, select_runs, strip_volatile


def make_notebook(path: Path, body: str) -> None:
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Test notebook"),
            new_code_cell("greeting = 'hello'", metadata={"tags": ["parameters"]}),
            new_code_cell(body),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


@pytest.fixture
def project(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    make_notebook(notebooks / "ok.ipynb", "print(greeting.upper())")
    make_notebook(notebooks / "fails.ipynb", "raise ValueError('deliberate failure')")
    return {"notebooks_dir": notebooks, "executed_dir": notebooks / "executed", "scratch_dir": tmp_path / "scratch"}


def outputs(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return ["".join(o.get("text", "")) for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def test_catalogue_of_the_project_is_valid_and_names_are_unique():
    runs = load_catalogue()
    names = [r.name for r in runs]
    assert len(names) == len(set(names))
    assert "10_report-until-harm-ends" in names


def test_catalogue_problems_name_the_entry(tmp_path, project):
    path = tmp_path / "catalogue.yaml"
    path.write_text("runs:\n  - notebook: missing.ipynb\n  - notebook: ok.ipynb\n    colour: red\n")
    with pytest.raises(DataError) as info:
        load_catalogue(path, project["notebooks_dir"])
    text = str(info.value)
    assert "run 1" in text and "missing.ipynb not found" in text
    assert "run 2" in text and "colour" in text


def test_select_runs_rejects_unknown_names_listing_valid_ones():
    runs = [Run("a.ipynb"), Run("b.ipynb", "x")]
    assert [r.name for r in select_runs(runs, ["b"])] == ["b-x"]
    with pytest.raises(ParameterError, match="valid: a, b, b-x"):
        select_runs(runs, ["zzz"])


def test_parallel_run_writes_each_output_and_a_failure_does_not_stop_others(project):
    runs = [
        Run("ok.ipynb", "one", {"greeting": "first"}),
        Run("fails.ipynb"),
        Run("ok.ipynb", "two", {"greeting": "second"}),
    ]
    results = run_catalogue(runs, jobs=2, progress=False, **project)
    by_name = {r.name: r for r in results}
    assert [r.name for r in results] == ["ok-one", "fails", "ok-two"]
    assert by_name["ok-one"].ok and by_name["ok-two"].ok
    assert not by_name["fails"].ok
    assert "fails: cell" in by_name["fails"].message and "ValueError" in by_name["fails"].message
    executed = project["executed_dir"]
    assert "FIRST\n" in outputs(executed / "ok-one.ipynb")
    assert "SECOND\n" in outputs(executed / "ok-two.ipynb")
    assert not (executed / "fails.ipynb").exists()


def test_rerun_is_byte_identical_and_free_of_volatile_metadata(project):
    run = Run("ok.ipynb", "same", {"greeting": "x"})
    assert execute_run(run, **project).ok
    first = (project["executed_dir"] / "ok-same.ipynb").read_text()
    assert execute_run(run, **project).ok
    assert (project["executed_dir"] / "ok-same.ipynb").read_text() == first
    doc = json.loads(first)
    assert "papermill" not in doc["metadata"]
    assert doc["metadata"]["parameters"] == {"greeting": "x"}
    for cell in doc["cells"]:
        assert "papermill" not in cell["metadata"] and "execution" not in cell["metadata"]


def test_interrupted_run_leaves_previous_output_untouched(project, monkeypatch):
    run = Run("ok.ipynb", "keep", {"greeting": "old"})
    assert execute_run(run, **project).ok
    target = project["executed_dir"] / "ok-keep.ipynb"
    before = target.read_bytes()

    def interrupted(nb, stream, *args, **kwargs):
        stream.write('{"cells": [')  # half a notebook, then the user presses Ctrl-C
        raise KeyboardInterrupt

    monkeypatch.setattr(runner.nbformat, "write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        execute_run(Run("ok.ipynb", "keep", {"greeting": "new"}), **project)
    assert target.read_bytes() == before
    assert not list(project["executed_dir"].glob("*.partial"))


def test_strip_volatile_gives_injected_cell_a_stable_id():
    nb = new_notebook(
        cells=[new_code_cell("x = 1", metadata={"tags": ["injected-parameters"], "papermill": {"duration": 1.0}})]
    )
    nb.metadata["papermill"] = {"start_time": "now", "parameters": {"x": 1}}
    cleaned = strip_volatile(nb)
    assert cleaned.cells[0]["id"] == "injected-parameters"
    assert cleaned.metadata == {"parameters": {"x": 1}}


def test_kernel_chatter_stays_out_of_the_terminal(project, capfd):
    assert execute_run(Run("ok.ipynb", "quiet", {"greeting": "x"}), **project).ok
    assert "Kernel is running" not in capfd.readouterr().err
    assert not list(project["scratch_dir"].glob("*.log")), "a successful run leaves no log behind"


def test_carry_parameters_writes_values_into_the_parameters_cell_and_drops_the_injected_cell():
    from helpers.run.runner import carry_parameters

    nb = new_notebook(
        cells=[
            new_markdown_cell("# T"),
            new_code_cell(
                'report_id = "a"  # which report\nalpha = 0.05', metadata={"tags": ["parameters"]}, execution_count=1
            ),
            new_code_cell(
                '# Parameters\nreport_id = "b"\n', metadata={"tags": ["injected-parameters"]}, execution_count=2
            ),
            new_code_cell(
                "print(report_id)",
                execution_count=3,
                outputs=[nbformat.v4.new_output("stream", name="stdout", text="b\n")],
            ),
        ]
    )
    carried = carry_parameters(nb)
    assert [c.source for c in carried.cells[1:]] == [
        'report_id = "b"  # which report\nalpha = 0.05',
        "print(report_id)",
    ]
    assert [c.execution_count for c in carried.cells[1:]] == [1, 2]


def test_carry_parameters_keeps_the_injected_cell_for_an_undeclared_name():
    from helpers.run.runner import carry_parameters

    nb = new_notebook(
        cells=[
            new_code_cell('report_id = "a"', metadata={"tags": ["parameters"]}, execution_count=1),
            new_code_cell(
                '# Parameters\nreportid = "b"\n', metadata={"tags": ["injected-parameters"]}, execution_count=2
            ),
        ]
    )
    assert len(carry_parameters(nb).cells) == 2


def test_an_unknown_parameter_is_an_error():
    from helpers.run.params import reject_unknown_parameters

    namespace = {"In": ["", 'report_id = "a"', '# Parameters\nreportid = "b"\n'], "report_id": "a", "reportid": "b"}
    with pytest.raises(
        ParameterError, match="unknown parameter[(]s[)] reportid; this notebook's parameters are: report_id, alpha"
    ):
        reject_unknown_parameters(namespace, ["report_id", "alpha"])
    reject_unknown_parameters({"In": ["", '# Parameters\nreport_id = "b"\n']}, ["report_id"])  # declared: fine


STATEFUL_BODY = """\
import matplotlib
import warnings
import noisy
print(sorted(name for name in ('leak', 'matplotlib_was') if name in globals()))
print(matplotlib.rcParams['lines.linewidth'], warnings.filters[0][0])
noisy.warn_once()
leak = matplotlib.rcParams['lines.linewidth'] = 7.0
warnings.simplefilter('error')
figure = noisy.chart()  # made in a module and not displayed by name: shown only in interactive mode
"""


@pytest.fixture
def stateful(project):
    notebooks = project["notebooks_dir"]
    # a module-level warning is shown once per location: a reused kernel must show it again
    (notebooks / "noisy.py").write_text(
        "import warnings\n\n\ndef warn_once():\n"
        "    warnings.warn('shown once per process', UserWarning)\n\n\n"
        "def chart():\n    import matplotlib.pyplot as plt\n\n"
        "    fig, ax = plt.subplots(figsize=(2, 2))\n    ax.plot([1, 2])\n    return fig\n"
    )
    make_notebook(notebooks / "stateful.ipynb", STATEFUL_BODY)
    return project


def test_a_reused_kernel_writes_the_same_notebook_as_a_fresh_one(stateful):
    fresh = Run("stateful.ipynb", "fresh")
    assert execute_run(fresh, **stateful).ok
    expected = (stateful["executed_dir"] / "stateful-fresh.ipynb").read_text()
    assert "shown once per process" in expected and "UserWarning" in expected and "image/png" in expected
    try:
        for _ in range(3):  # one kept kernel, three runs, each written where the fresh run was
            assert execute_run(fresh, reuse_kernel=True, **stateful).ok
            assert (stateful["executed_dir"] / "stateful-fresh.ipynb").read_text() == expected
        kernel = runner._WORKER_KERNEL
        assert kernel is not None and kernel.log.exists()
        assert kernel.km.__dict__.get("opened_clients", []) == [], "papermill's client is closed after each run"
    finally:
        runner.shutdown_worker_kernel()
    assert not kernel.log.exists()
    counts = [c["execution_count"] for c in json.loads(expected)["cells"] if c["cell_type"] == "code"]
    assert counts == [1, 2]


def test_a_failed_run_gives_the_next_run_a_new_kernel(stateful):
    try:
        assert not execute_run(Run("fails.ipynb"), reuse_kernel=True, **stateful).ok
        assert runner._WORKER_KERNEL is None
        assert execute_run(Run("ok.ipynb", "after", {"greeting": "again"}), reuse_kernel=True, **stateful).ok
        assert "AGAIN\n" in outputs(stateful["executed_dir"] / "ok-after.ipynb")
    finally:
        runner.shutdown_worker_kernel()


def test_fresh_kernels_and_reused_kernels_agree_through_the_pool(stateful):
    runs = [Run("stateful.ipynb", name) for name in ("a", "b", "c")]
    executed = stateful["executed_dir"]
    assert all(r.ok for r in run_catalogue(runs, jobs=1, progress=False, fresh_kernels=True, **stateful))
    fresh = {r.name: (executed / r.output_name).read_bytes() for r in runs}
    assert all(r.ok for r in run_catalogue(runs, jobs=1, progress=False, **stateful))
    assert {r.name: (executed / r.output_name).read_bytes() for r in runs} == fresh
    assert not list(stateful["scratch_dir"].glob("kernel-*.log")), "the worker stopped its kernel on exit"


def test_mfc_run_reuses_kernels_unless_asked_for_fresh_ones(monkeypatch):
    from helpers.run import cli

    seen = []
    monkeypatch.setattr(runner, "run_catalogue", lambda runs, **kwargs: seen.append(kwargs["fresh_kernels"]) or [])
    monkeypatch.setattr("helpers.ledger.tables.validate_once", lambda: [])
    assert cli.main(["run", "--quiet", "--only", "01_glossary"]) == 0
    assert cli.main(["run", "--quiet", "--only", "01_glossary", "--fresh-kernels"]) == 0
    assert seen == [False, True]


# --- issue 19: confinement, scratch names, timeouts -------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "column"),
    [
        ("notebook: " + "/".join([".."] * 4 + ["etc", "hostname"]), "notebook"),
        ("notebook: sub/ok.ipynb", "notebook"),
        ("notebook: ok.ipynb\n    variant: " + "/".join([".."] * 3 + ["escaped"]), "variant"),
        ("notebook: ok.ipynb\n    variant: a/b", "variant"),
    ],
    ids=["notebook-up", "notebook-folder", "variant-up", "variant-folder"],
)
def test_catalogue_names_that_leave_notebooks_are_refused_at_load(tmp_path, project, entry, column):
    path = tmp_path / "catalogue.yaml"
    path.write_text(f"runs:\n  - {entry}\n")
    with pytest.raises(DataError) as info:
        load_catalogue(path, project["notebooks_dir"])
    assert info.value.problems == [info.value.problems[0]]
    assert f"run 1: column '{column}'" in info.value.problems[0] and "plain" in info.value.problems[0]


def test_two_runs_of_one_notebook_use_different_scratch_files(project, monkeypatch):
    """Two `mfc run` at once on one tree once shared build/runs/<name>.ipynb ("not JSON", 1 try in 6)."""
    import papermill

    seen = []

    def record(source, output, **kwargs):
        seen.append(output)
        raise RuntimeError("stop here")

    monkeypatch.setattr(papermill, "execute_notebook", record)
    for _ in range(2):
        assert not execute_run(Run("ok.ipynb"), **project).ok
    assert len(seen) == 2 and seen[0] != seen[1]
    assert all(Path(p).parent == project["scratch_dir"] and Path(p).name.startswith("ok.") for p in seen)


def test_a_cell_timeout_is_a_failed_run_in_one_line(project):
    make_notebook(project["notebooks_dir"] / "slow.ipynb", "import time\ntime.sleep(30)")
    result = execute_run(Run("slow.ipynb"), timeout=2, **project)
    assert not result.ok
    assert "CellTimeoutError" in result.message and "\n" not in result.message
    assert not (project["executed_dir"] / "slow.ipynb").exists()
