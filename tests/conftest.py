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
def kept_kernel(tmp_path_factory):
    """A context manager lending the test process's one kept kernel, reset to a fresh kernel's state.

    ``with kept_kernel() as kernel:`` puts the kernel in the runner's per-process slot (so
    ``execute_run(..., reuse_kernel=True)`` uses it) and yields it (``kernel.km`` for nbclient); on leaving,
    the kernel is taken back out of that slot, so tests of the runner itself (tests/run/test_runner.py) never
    meet it. Starting a kernel and importing pandas, matplotlib and statsmodels is then paid once per test
    process rather than once per test file. The kernel runs in notebooks/, as the runner's kernels do.
    """
    from contextlib import contextmanager

    from helpers.ledger.paths import NOTEBOOKS_DIR
    from helpers.run import runner

    scratch = tmp_path_factory.mktemp("kept-kernel")
    kept = {"kernel": None}

    @contextmanager
    def lend(reset: bool = True):
        runner._WORKER_KERNEL, kept["kernel"] = kept["kernel"], None
        try:
            # started on first use and reset here, unless the caller's execute_run resets it itself
            yield runner.worker_kernel(NOTEBOOKS_DIR, scratch) if reset else None
        finally:
            if runner._WORKER_KERNEL is not None:
                runner._WORKER_KERNEL.km.close_clients()
            kept["kernel"], runner._WORKER_KERNEL = runner._WORKER_KERNEL, None

    lend.scratch = scratch
    yield lend
    runner._WORKER_KERNEL = kept["kernel"]
    runner.shutdown_worker_kernel()


@pytest.fixture(scope="session")
def run_notebooks(kept_kernel):
    """``run_notebooks(runs, executed_dir=..., **execute_run_options)``: one RunResult per run, as
    ``run_catalogue`` gives, the runs executed one after another in the kept kernel (``kept_kernel``)
    through the runner's own kernel reuse (``execute_run`` with ``reuse_kernel=True``, which resets the
    kernel to a fresh one's state before each notebook, as ``mfc run`` does)."""
    from helpers.ledger.paths import NOTEBOOKS_DIR
    from helpers.run import runner

    def run(runs, **kwargs):
        assert kwargs.pop("notebooks_dir", NOTEBOOKS_DIR) == NOTEBOOKS_DIR, "the kept kernel runs in notebooks/"
        kwargs.setdefault("scratch_dir", kept_kernel.scratch)
        results = []
        for one in runs:
            with kept_kernel(
                reset=False
            ):  # execute_run resets it; a failed run stops the kernel; the next one then starts a new kernel
                results.append(runner.execute_run(one, reuse_kernel=True, **kwargs))
        return results

    return run


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
