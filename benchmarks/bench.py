"""Time the notebook catalogue five ways, from one run, and print the ratios (``make bench``).

1. ``jupyter nbconvert --execute`` on each executed copy, one after another (the baseline);
2. ``mfc run --jobs 1`` (one worker, its kernel reused from notebook to notebook);
3. ``mfc run --jobs 2`` (two workers, each reusing its kernel);
4. ``mfc run --jobs 2 --fresh-kernels`` (a new kernel per notebook, as before kernels were reused);
5. the floor with a kernel per notebook: papermill executing, once per catalogue entry, a notebook
   that only imports what the collection's notebooks import (what kernel reuse saves, mostly).

Before each way the validation stamp is removed, so each starts from cold data (the first load
validates, the others check the hash). It also times ``load_ledger`` in one process: cold (full
validation) and warm (unchanged data, stamp present). Not a test: timings depend on the machine.
``mfc run`` rewrites notebooks/executed/ with identical content (the collection is deterministic).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers.ledger.paths import DATA_DIR, EXECUTED_DIR  # noqa: E402
from helpers.ledger.tables import data_fingerprint, load_ledger, stamp_path  # noqa: E402
from helpers.run.runner import KERNEL_NAME, load_catalogue  # noqa: E402

BIN = Path(sys.executable).parent
IMPORTS = """\
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
import statsmodels.api as sm
from IPython.display import Markdown
from helpers.run.notebook import setup
import helpers.claims, helpers.ledger, helpers.nonresponse, helpers.present, helpers.stats  # every public face
setup()
"""


def forget_stamp() -> None:
    stamp_path(data_fingerprint(DATA_DIR)).unlink(missing_ok=True)


def timed(command: list[str]) -> float:
    forget_stamp()
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def nbconvert_one_by_one(scratch: Path) -> float:
    forget_stamp()
    start = time.perf_counter()
    for path in sorted(EXECUTED_DIR.glob("*.ipynb")):
        subprocess.run(
            [
                str(BIN / "jupyter"),
                "nbconvert",
                "--to",
                "notebook",
                "--execute",
                str(path),
                "--output-dir",
                str(scratch),
                f"--ExecutePreprocessor.kernel_name={KERNEL_NAME}",
            ],
            cwd=ROOT / "notebooks",
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    return time.perf_counter() - start


def floor(scratch: Path, entries: int) -> float:
    import nbformat
    import papermill
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(
        cells=[new_code_cell("data_dir = None", metadata={"tags": ["parameters"]}), new_code_cell(IMPORTS)]
    )
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python 3", "language": "python"}
    source = scratch / "floor.ipynb"
    nbformat.write(nb, source)
    from helpers.run.runner import stderr_to_file

    start = time.perf_counter()
    with stderr_to_file(scratch / "kernels.log"):  # kernel start-up chatter, as mfc run keeps it
        for number in range(entries):
            papermill.execute_notebook(
                str(source),
                str(scratch / f"floor-{number}.ipynb"),
                kernel_name=KERNEL_NAME,
                cwd=str(ROOT / "notebooks"),
                progress_bar=False,
                log_output=False,
            )
    return time.perf_counter() - start


def ledger_times() -> tuple[float, float]:
    forget_stamp()
    start = time.perf_counter()
    load_ledger()
    cold = time.perf_counter() - start
    start = time.perf_counter()
    load_ledger()
    return cold, time.perf_counter() - start


def main() -> int:
    entries = len(load_catalogue())
    with tempfile.TemporaryDirectory(prefix="mfc-bench-") as name:
        scratch = Path(name)
        times = {"nbconvert --execute, one by one": nbconvert_one_by_one(scratch)}
        times["mfc run --jobs 1"] = timed([str(BIN / "mfc"), "run", "--jobs", "1", "--quiet"])
        times["mfc run --jobs 2"] = timed([str(BIN / "mfc"), "run", "--jobs", "2", "--quiet"])
        times["mfc run --jobs 2 --fresh-kernels"] = timed(
            [str(BIN / "mfc"), "run", "--jobs", "2", "--quiet", "--fresh-kernels"]
        )
        times[f"floor: papermill + imports x {entries}"] = floor(scratch, entries)
    cold, warm = ledger_times()
    baseline = times["nbconvert --execute, one by one"]
    print(f"{entries} catalogue entries")
    print(f"{'way':42s} {'seconds':>8s} {'ratio to nbconvert':>19s}")
    for way, seconds in times.items():
        print(f"{way:42s} {seconds:8.1f} {seconds / baseline:19.2f}")
    jobs2 = times["mfc run --jobs 2"]
    print(
        f"target: mfc run --jobs 2 at most 0.30 of nbconvert: {jobs2 / baseline:.2f} "
        f"({'met' if jobs2 / baseline <= 0.30 else 'not met'})"
    )
    print(
        f"load_ledger: {cold:.2f} s cold (validates), {warm:.3f} s on unchanged data "
        f"(target under 0.3 s: {'met' if warm < 0.3 else 'not met'})"
    )
    shutil.rmtree(ROOT / "build" / "runs", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
