"""Time the non-response simulation's default run (SYNTHETIC councils); `make bench` runs this.

Target (issue 8): 1,000 replicates per mechanism, three mechanisms, in under 30 seconds beyond imports
on two cores. Prints the seconds taken and exits 1 if the target is missed. Not a test: timings vary.
"""

from __future__ import annotations

import sys
import time

from helpers.ledger.tables import load_ledger
from helpers.nonresponse.frame import council_frame
from helpers.nonresponse.scenarios import model_inputs
from helpers.nonresponse.simulation import calibration_targets, simulate

TARGET_SECONDS = 30.0


def main() -> int:
    ledger = load_ledger()
    inputs = model_inputs(council_frame(ledger.councils, ledger.council_years, 2024))
    target = calibration_targets(ledger.figures)
    start = time.perf_counter()
    results = simulate(inputs, n_sims=1000, seed=1, total=target["total"], rate=target["rate"])
    seconds = time.perf_counter() - start
    print(results.to_string(index=False))
    print(
        f"simulate(): 1000 replicates x {results['mechanism'].nunique()} mechanisms "
        f"(MICE on {int(results.loc[results['estimator'] == 'mice', 'replicates'].max())}) in {seconds:.1f} s "
        f"(target {TARGET_SECONDS:.0f} s)"
    )
    return 0 if seconds < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
