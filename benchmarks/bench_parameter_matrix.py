"""Time the parameter-matrix tests (tests/test_parameter_matrix*.py); `make bench` runs this.

Budget (issue 18): the matrix adds at most 60 seconds to `make test` on two cores. Prints the seconds
taken, the load average beside it (the machine is shared, so timings vary), and exits 1 if the budget
is missed. Not a test: timings vary.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

BUDGET_SECONDS = 60.0
ROOT = Path(__file__).resolve().parent.parent
MATRIX_FILES = [
    "tests/test_parameter_matrix.py",
    "tests/test_parameter_matrix_explore.py",
    "tests/test_parameter_matrix_nonresponse.py",
]


def main() -> int:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:xdist", "-q", *MATRIX_FILES], cwd=ROOT)
    seconds = time.perf_counter() - start
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # pytest, its workers and their kernels
    cpu = usage.ru_utime + usage.ru_stime
    print(
        f"parameter matrix: {seconds:.1f} s wall, {cpu:.1f} s of CPU (about {cpu / 2:.0f} s on two idle cores); "
        f"budget {BUDGET_SECONDS:.0f} s; load average {load}"
    )
    return 1 if result.returncode or seconds > BUDGET_SECONDS else 0


if __name__ == "__main__":
    sys.exit(main())
