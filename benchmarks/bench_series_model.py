"""Time notebook 35_series_model's default run (the series model with NumPyro); `make bench` runs this.

Target (issue 29): the notebook's default run, compilation included, in at most 60 s on the idle two-core
machine. The notebook runs through ``mfc run`` into a temporary folder (kernel start included, so the time
is what a reader waits), and its CPU time is printed beside the wall time, since a busy machine stretches
the one and not the other. Exits 1 if the wall time misses the target. Not a test: timings vary.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time

from helpers.ledger.paths import PROJECT_ROOT

TARGET_SECONDS = 60.0


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    with tempfile.TemporaryDirectory() as out:
        cpu, start = children_cpu(), time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "helpers.run.cli", "run", "35_series_model", "--output-dir", out],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
        )
        seconds, cpu = time.perf_counter() - start, children_cpu() - cpu
    if done.returncode != 0:
        print(done.stdout + done.stderr)
        return 1
    print(f"35_series_model default run: {seconds:.1f} s wall, {cpu:.1f} s CPU (target {TARGET_SECONDS:.0f} s wall)")
    return 0 if seconds <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
