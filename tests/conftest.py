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


@pytest.fixture(scope="session")
def run_notebooks(tmp_path_factory):
    """Run notebooks one after another in one kernel kept for the whole test process.

    ``run_notebooks(runs, executed_dir=..., **execute_run_options)`` returns one RunResult per run, as
    ``run_catalogue`` does, through the runner's own kernel reuse (``helpers.run.runner.execute_run`` with
    ``reuse_kernel=True``, which resets the kernel to a fresh one's state before each notebook, as
    ``mfc run`` does). Starting a kernel and importing pandas, matplotlib and statsmodels is then paid once
    per test process rather than once per test file. The kept kernel is held here, not in the runner's
    per-process slot, between calls, so tests of the runner itself (tests/test_runner.py) never meet it.
    """
    from helpers.ledger.paths import NOTEBOOKS_DIR
    from helpers.run import runner

    scratch = tmp_path_factory.mktemp("kept-kernel")
    kept = {"kernel": None}

    def run(runs, **kwargs):
        assert kwargs.pop("notebooks_dir", NOTEBOOKS_DIR) == NOTEBOOKS_DIR, "the kept kernel runs in notebooks/"
        kwargs.setdefault("scratch_dir", scratch)
        runner._WORKER_KERNEL, kept["kernel"] = kept["kernel"], None
        try:
            return [runner.execute_run(one, reuse_kernel=True, **kwargs) for one in runs]
        finally:
            kept["kernel"], runner._WORKER_KERNEL = runner._WORKER_KERNEL, None

    yield run
    runner._WORKER_KERNEL = kept["kernel"]
    runner.shutdown_worker_kernel()


@pytest.fixture
def run_mfc(capsys):
    """``run_mfc(*args)``: the mfc command run in this process through the console script's entry point,
    giving its exit code, standard output and standard error. It saves an interpreter start and the
    imports per call; tests of pipes, umasks and signals start ``python -m helpers.run.cli`` instead."""
    from types import SimpleNamespace

    from helpers.run import cli

    def call(*args):
        capsys.readouterr()  # only this command's output
        try:
            code = cli.main([str(arg) for arg in args])
        except SystemExit as exc:  # argparse's own exit on a bad option, as the script would exit
            code = exc.code
        captured = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=captured.out, stderr=captured.err)

    return call
