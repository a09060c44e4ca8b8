"""Time the non-response simulation's default run (SYNTHETIC councils); `make bench` runs this.

Target (issue 16): notebook 41's default settings (1,000 replicates per scenario; MCAR, MAR by size, MAR by
DfE rate and MNAR at three strengths; MICE with 40 imputations on every replicate) in under 60 seconds
beyond imports on two cores. Prints the seconds taken and exits 1 if the target is missed. Not a test:
timings vary.
"""

from __future__ import annotations

import sys
import time

from helpers.ledger.tables import load_ledger
from helpers.nonresponse.frame import council_frame
from helpers.nonresponse.scenarios import model_inputs
from helpers.nonresponse.simulation import calibration_targets, simulate

TARGET_SECONDS = 60.0
# Notebook 41's parameters cell.
DEFAULTS = dict(
    mechanisms=["mcar", "mar_size", "mar_dfe", "mnar"],
    mnar_strengths=[-0.5, -1.0, -2.0],
    strengths={"mar_size": 1.0, "mar_dfe": -2.0},
    n_sims=1000,
    n_mice=1000,
    imputations=40,
    seed=20251124,
)


def main() -> int:
    ledger = load_ledger()
    inputs = model_inputs(council_frame(ledger.councils, ledger.council_years, 2024))
    target = calibration_targets(ledger.figures)
    start = time.perf_counter()
    results = simulate(inputs, total=target["total"], rate=target["rate"], **DEFAULTS)
    seconds = time.perf_counter() - start
    print(results.drop(columns=["mechanism", "strength", "data"]).to_string(index=False))
    print(
        f"simulate(): 1000 replicates x {results['scenario'].nunique()} scenarios "
        f"(MICE on {int(results.loc[results['estimator'] == 'mice', 'replicates'].max())}, 40 imputations) "
        f"in {seconds:.1f} s (target {TARGET_SECONDS:.0f} s)"
    )
    return 0 if seconds < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
