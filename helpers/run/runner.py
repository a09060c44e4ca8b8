"""Execute the notebook catalogue with papermill, safely and reproducibly.

The catalogue (``notebooks/catalogue.yaml``) declares every run: a notebook, an optional variant
name and its parameters. Each run is written to ``notebooks/executed/<stem>[-<variant>].ipynb``:

* papermill executes into a scratch copy under ``build/runs/``; only a complete, successful run is
  cleaned and moved into place with ``os.replace``, so an interrupted or failed run never leaves a
  half-written executed notebook (a failed one stays in ``build/runs/`` for inspection);
* volatile metadata (papermill timestamps, durations, paths, random cell ids) is removed, so re-running
  an unchanged collection leaves ``git diff`` empty;
* runs go in separate processes (``jobs`` at a time); one failure does not stop the others;
* each worker process keeps one kernel and reuses it for the runs it executes, returning it to a fresh
  kernel's state between notebooks (``helpers.run.kernel_state``), so pandas, matplotlib, seaborn and
  statsmodels are imported once per worker rather than once per notebook. After a failed run the
  worker starts a new kernel. ``fresh_kernels=True`` (``mfc run --fresh-kernels``) starts one kernel
  per notebook instead.
"""

from __future__ import annotations

import os
import secrets
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import nbformat

from helpers.ledger.catalogue import Run, load_catalogue, select_runs  # noqa: F401 (re-exported)
from helpers.ledger.errors import ParameterError
from helpers.ledger.paths import EXECUTED_DIR, NOTEBOOKS_DIR, PROJECT_ROOT

KERNEL_NAME = "python3"
DEFAULT_TIMEOUT = 600  # seconds per cell; papermill would otherwise wait forever
SCRATCH_DIR = PROJECT_ROOT / "build" / "runs"


@dataclass
class RunResult:
    """What happened to one run."""

    name: str
    ok: bool
    message: str = ""


def carry_parameters(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Write the run's parameter values into the ``parameters`` cell and drop papermill's injected cell.

    papermill executes the parameters cell with its defaults and then an injected cell that overrides
    them. In an executed copy that is a trap: a student who edits the parameters cell sees the edit
    undone by the cell below. Both cells have no output, so replacing the default literals with the
    injected ones (comments kept) and removing the injected cell leaves every result as it was; the
    execution counts are renumbered so they still run 1, 2, 3, ...
    """
    import ast

    from papermill.translators import PythonTranslator

    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    if not injected or len(tagged) != 1:
        return nb
    values = {}
    for node in ast.parse(injected[0].source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            values[node.targets[0].id] = ast.literal_eval(node.value)
    cell = tagged[0]
    lines = cell.source.split("\n")
    edits = []
    for node in ast.parse(cell.source).body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id in values
            and node.lineno == node.end_lineno
        ):
            edits.append(
                (
                    node.lineno - 1,
                    node.value.col_offset,
                    node.value.end_col_offset,
                    PythonTranslator.translate(values.pop(node.targets[0].id)),
                )
            )
    if values:
        return nb  # a parameter the cell does not declare: keep papermill's cell so nothing is hidden
    for line, start, end, text in edits:
        # col offsets are in UTF-8 bytes; parameters cells hold ASCII literals before any comment
        raw = lines[line].encode("utf-8")
        lines[line] = (raw[:start] + text.encode("utf-8") + raw[end:]).decode("utf-8")
    cell.source = "\n".join(lines)
    nb.cells = [c for c in nb.cells if c is not injected[0]]
    count = 0
    for c in nb.cells:
        if c.cell_type == "code" and c.execution_count is not None:
            count += 1
            c.execution_count = count
            for out in c.get("outputs", []):
                if "execution_count" in out:
                    out["execution_count"] = count
    return nb


def strip_volatile(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove what changes from run to run without the results changing."""
    papermill_meta = nb.metadata.get("papermill", {})
    nb.metadata.pop("papermill", None)
    # Widget state and view ids are random per run and draw nothing without a kernel: keep text/plain only.
    nb.metadata.pop("widgets", None)
    if papermill_meta.get("parameters"):
        nb.metadata["parameters"] = papermill_meta["parameters"]
    for index, cell in enumerate(nb.cells):
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        for out in cell.get("outputs", []):
            out.get("data", {}).pop("application/vnd.jupyter.widget-view+json", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
        elif not cell.get("id"):
            cell["id"] = f"cell-{index}"
    return nb


def write_atomically(nb: nbformat.NotebookNode, target: Path) -> None:
    """Write a notebook next to ``target`` and move it into place only once complete.

    The file gets the permissions of the user's umask (0644 under the usual 022), like any new file.
    """
    from helpers.ledger.files import write_atomically as write_file

    target.parent.mkdir(parents=True, exist_ok=True)
    write_file(target, lambda stream: nbformat.write(nb, stream))


@contextmanager
def stderr_to_file(path: Path):
    """Send this process's standard error, and so the kernel's (a child inherits it), to ``path``.

    Kernels log start-up chatter (transport warnings, shutdown notices) straight to the inherited
    file descriptor; the log keeps it out of the terminal and available when a run fails.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 2)
    try:
        yield path
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def execute_run(
    run: Run,
    notebooks_dir: Path | str = NOTEBOOKS_DIR,
    executed_dir: Path | str = EXECUTED_DIR,
    timeout: int = DEFAULT_TIMEOUT,
    scratch_dir: Path | str = SCRATCH_DIR,
    reuse_kernel: bool = False,
) -> RunResult:
    """Execute one run with papermill; on success clean it and move it into ``executed_dir``.

    With ``reuse_kernel`` the run goes to this process's kept kernel (see ``worker_kernel``), reset to a
    fresh kernel's state first; otherwise papermill starts and stops a kernel for this run alone.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    notebooks_dir, executed_dir, scratch_dir = Path(notebooks_dir), Path(executed_dir), Path(scratch_dir)
    scratch_dir.mkdir(parents=True, exist_ok=True)
    # Scratch names unique to this run (process id and a random token): two `mfc run` on one tree at
    # once never write into each other's scratch notebook.
    token = f"{os.getpid()}-{secrets.token_hex(4)}"
    scratch = scratch_dir / f"{run.name}.{token}.ipynb"
    log = scratch_dir / f"{run.name}.{token}.log"
    engine_kwargs = {}
    try:
        if reuse_kernel:
            kernel = worker_kernel(notebooks_dir, scratch_dir)
            log = kernel.log
            engine_kwargs["km"] = kernel.km
        with stderr_to_file(log):
            try:
                papermill.execute_notebook(
                    str(notebooks_dir / run.notebook),
                    str(scratch),
                    parameters=run.parameters,
                    kernel_name=KERNEL_NAME,
                    cwd=str(notebooks_dir),
                    execution_timeout=timeout,
                    progress_bar=False,
                    log_output=False,
                    **engine_kwargs,
                )
            finally:
                if reuse_kernel:
                    kernel.km.close_clients()  # the kernel stays; the client papermill opened on it goes
    except PapermillExecutionError as exc:
        if reuse_kernel:
            shutdown_worker_kernel()  # the next run starts from a new kernel
        first_line = exc.evalue.strip().splitlines()[0] if exc.evalue.strip() else ""
        return RunResult(
            run.name,
            False,
            f"{run.name}: cell {exc.cell_index} (execution count {exc.exec_count}) "
            f"raised {exc.ename}: {first_line} [failed copy kept at {scratch}]",
        )
    except Exception as exc:  # kernel death, timeout, unreadable notebook: report, never crash the batch
        if reuse_kernel:
            shutdown_worker_kernel(keep_log=True)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""  # one line: no cell preview
        return RunResult(run.name, False, f"{run.name}: {type(exc).__name__}: {first} [kernel log: {log}]")
    nb = carry_parameters(strip_volatile(nbformat.read(scratch, as_version=4)))
    write_atomically(nb, executed_dir / run.output_name)
    scratch.unlink(missing_ok=True)
    if not reuse_kernel:
        log.unlink(missing_ok=True)
    return RunResult(run.name, True, f"{run.name}: written to {executed_dir / run.output_name}")


@dataclass
class WorkerKernel:
    """The kernel a worker process keeps between runs, a client for resetting it, and its log."""

    km: object
    kc: object
    log: Path


_WORKER_KERNEL: WorkerKernel | None = None


def _kept_kernel_manager():
    """An ``AsyncKernelManager`` that remembers the clients papermill opens on it, so they can be closed.

    papermill (through nbclient) opens a new client for each run on a kernel it does not own and leaves
    it open; ``close_clients`` stops them after the run.
    """
    from jupyter_client import AsyncKernelManager

    class KeptKernelManager(AsyncKernelManager):
        def client(self, **kwargs):
            kc = super().client(**kwargs)
            self.__dict__.setdefault("opened_clients", []).append(kc)
            return kc

        def close_clients(self) -> None:
            for kc in self.__dict__.pop("opened_clients", []):
                kc.stop_channels()

    return KeptKernelManager(kernel_name=KERNEL_NAME)


_FINALIZER = None


def _execute_quietly(kc, code: str, timeout: float = 120) -> None:
    """Run ``code`` in the kernel without a history entry or a change to the execution counter."""
    msg_id = kc.execute(code, silent=True, store_history=False)
    while True:
        reply = kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"kernel reset failed: {reply['content'].get('ename')}: {reply['content'].get('evalue')}")


def worker_kernel(
    notebooks_dir: Path | str = NOTEBOOKS_DIR, scratch_dir: Path | str = SCRATCH_DIR, retry: bool = True
) -> WorkerKernel:
    """This process's kept kernel, reset to a fresh kernel's state; started on first use or after a failure.

    The kernel starts in ``notebooks_dir`` (as papermill's ``cwd`` would) with its standard error in
    ``scratch_dir/kernel-<pid>.log``. It is shut down by ``shutdown_worker_kernel``, which runs by
    itself when a pool worker exits.
    """
    global _WORKER_KERNEL, _FINALIZER
    from jupyter_client import BlockingKernelClient
    from jupyter_core.utils import run_sync

    kernel = _WORKER_KERNEL
    if kernel is not None and not run_sync(kernel.km.is_alive)():
        shutdown_worker_kernel(keep_log=True)
        kernel = None
    if kernel is None:
        from multiprocessing import util

        log = Path(scratch_dir) / f"kernel-{os.getpid()}.log"
        km = _kept_kernel_manager()
        with stderr_to_file(log):
            run_sync(km.start_kernel)(cwd=str(notebooks_dir))
        kc = BlockingKernelClient()
        kc.load_connection_info(km.get_connection_info())
        kc.start_channels(iopub=False, stdin=False, hb=False)
        kernel = _WORKER_KERNEL = WorkerKernel(km, kc, log)
        _execute_quietly(kc, "import helpers.run.kernel_state\nhelpers.run.kernel_state.snapshot()")
        if _FINALIZER is None:  # once per process; runs when a pool worker exits
            _FINALIZER = util.Finalize(None, shutdown_worker_kernel, exitpriority=10)
    # every run, the first included, starts from the same reset state
    try:
        _execute_quietly(kernel.kc, "import helpers.run.kernel_state\nhelpers.run.kernel_state.restore()")
    except Exception:
        if not retry:
            raise
        shutdown_worker_kernel(keep_log=True)  # a kernel that cannot be reset is replaced, once
        return worker_kernel(notebooks_dir, scratch_dir, retry=False)
    return kernel


def shutdown_worker_kernel(keep_log: bool = False) -> None:
    """Stop this process's kept kernel, if any, and remove its log unless ``keep_log``."""
    global _WORKER_KERNEL
    from jupyter_core.utils import run_sync

    kernel, _WORKER_KERNEL = _WORKER_KERNEL, None
    if kernel is None:
        return
    try:
        kernel.kc.stop_channels()
        run_sync(kernel.km.shutdown_kernel)(now=True)
    except Exception:  # a kernel already gone: nothing left to stop
        pass
    if not keep_log:
        kernel.log.unlink(missing_ok=True)


def _stop_own_kernel() -> None:
    """Stop this worker's kernel (and any other child) at once: used by the worker's SIGTERM handler."""
    import psutil

    for child in psutil.Process().children(recursive=True):
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass


def _worker_signals() -> None:
    """Pool workers leave SIGINT and SIGHUP to the parent, which stops them and their kernels in one
    place; a SIGTERM sent to a worker itself stops its kernel before the worker exits (no orphan)."""
    from helpers.run.signals import worker_policy

    worker_policy(_stop_worker)


def _stop_worker() -> None:
    """What a worker does on SIGTERM before it exits: remove a file it was writing, stop its kernel."""
    from helpers.ledger.files import remove_partial_files

    remove_partial_files()  # os._exit skips the clean-up a write does on an exception
    _stop_own_kernel()


def _cmdline(process) -> list[str]:
    import psutil

    try:
        return process.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return []


def kill_process_tree(grace: float = 3.0) -> int:
    """Terminate every descendant of this process (pool workers and their kernels); return how many.

    Each gets SIGTERM, and SIGKILL if it is still alive after ``grace`` seconds.
    """
    import psutil

    # multiprocessing's resource tracker ignores SIGTERM and exits by itself once this process has gone.
    children = [
        child
        for child in psutil.Process().children(recursive=True)
        if "resource_tracker" not in " ".join(_cmdline(child))
    ]
    for child in children:
        try:
            child.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(children, timeout=grace)
    for child in alive:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=grace)
    return len(children)


def run_catalogue(
    runs: list[Run], jobs: int = 1, progress: bool = True, fresh_kernels: bool = False, **kwargs
) -> list[RunResult]:
    """Execute ``runs``, ``jobs`` at a time in separate processes; return one result per run.

    Each worker keeps its kernel between runs (see ``execute_run``) unless ``fresh_kernels``.

    Ctrl-C stops the workers and their kernels within a few seconds and raises KeyboardInterrupt;
    runs not finished leave their executed copies as they were (they are written only when complete).
    """
    from tqdm import tqdm

    if jobs < 1:
        raise ParameterError(f"--jobs must be at least 1; got {jobs}")
    results = []
    bar = tqdm(total=len(runs), desc="notebooks", unit="nb", disable=not progress)
    from helpers.run.signals import held_while_starting, start_resource_tracker

    start_resource_tracker()  # before the pool's queues need it: a SIGHUP to the group leaves it alone
    # spawn: a fresh interpreter per worker, so kernels and zmq state are never shared with a fork.
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"), initializer=_worker_signals)
    try:
        futures = {}
        for position, run in enumerate(runs):
            try:
                with held_while_starting():  # submit starts a worker: it inherits the held signals
                    futures[pool.submit(execute_run, run, reuse_kernel=not fresh_kernels, **kwargs)] = run
            except (OSError, RuntimeError) as exc:  # a worker could not start (BrokenPipeError, a broken pool)
                results += [_not_started(later, exc) for later in runs[position:]]
                bar.update(len(runs) - position)
                break
        for future in as_completed(futures):
            try:
                result = future.result()
            except Exception as exc:  # a worker that died (e.g. killed) is a failed run, not a crash
                result = RunResult(futures[future].name, False, f"{futures[future].name}: worker failed: {exc}")
            results.append(result)
            bar.set_postfix_str(result.name)
            bar.update()
    except KeyboardInterrupt:
        bar.close()
        kill_process_tree()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    bar.close()
    order = {run.name: i for i, run in enumerate(runs)}
    return sorted(results, key=lambda r: order[r.name])


def _not_started(run: Run, exc: BaseException) -> RunResult:
    """A failed result for a run whose worker process could not be started: never a silent success."""
    why = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return RunResult(run.name, False, f"{run.name} ({run.notebook}): the worker process could not start ({why})")
