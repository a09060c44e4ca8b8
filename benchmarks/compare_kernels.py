"""Check that reused kernels write the same executed notebooks as fresh ones (``make compare-kernels``).

Runs the whole catalogue twice, two workers each time, into two scratch folders: once with a fresh
kernel per notebook (``mfc run --fresh-kernels``) and once with each worker reusing its kernel (the
default), then compares the two copies of every notebook byte for byte, after the runner's usual
removal of volatile metadata. Prints one line per notebook and exits 1 if any differ.
notebooks/executed/ is not touched.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers.ledger.tables import validate_once  # noqa: E402
from helpers.run.runner import load_catalogue, run_catalogue  # noqa: E402


def main() -> int:
    problems = validate_once()
    if problems:
        print(f"compare_kernels: {len(problems)} data problem(s); run `mfc check-data`", file=sys.stderr)
        return 1
    runs = load_catalogue()
    with tempfile.TemporaryDirectory(prefix="mfc-kernels-") as name:
        scratch = Path(name)
        outputs, seconds = {}, {}
        for way, fresh in (("fresh kernels", True), ("reused kernels", False)):
            start = time.perf_counter()
            results = run_catalogue(
                runs,
                jobs=2,
                progress=False,
                fresh_kernels=fresh,
                executed_dir=scratch / way,
                scratch_dir=scratch / f"{way} scratch",
            )
            seconds[way] = time.perf_counter() - start
            failed = [r.message for r in results if not r.ok]
            if failed:
                print("\n".join(failed), file=sys.stderr)
                return 1
            outputs[way] = {r.name: (scratch / way / r.output_name).read_bytes() for r in runs}
        differ = [r.name for r in runs if outputs["fresh kernels"][r.name] != outputs["reused kernels"][r.name]]
    for run in runs:
        print(f"{run.name:45s} {'differs' if run.name in differ else 'identical'}")
    print(
        f"{len(runs) - len(differ)} of {len(runs)} executed notebooks byte-identical; "
        f"fresh kernels {seconds['fresh kernels']:.1f} s, reused kernels {seconds['reused kernels']:.1f} s (--jobs 2)"
    )
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
