"""MICE against the known truth on SYNTHETIC councils, at full size; `make bench` runs this.

Issue 24 (item 3): under MCAR, the collection's MICE must be unbiased (mean error within two Monte Carlo
standard errors of 0) and its 95% interval must cover the truth 95% of the time (within two MCSEs at the
nominal 95%), for trafficked and for unaccompanied children, over 1,000 replicates with 40 imputations
(notebook 41's synthetic councils, calibrated to each group's published rate). Prints bias, MCSE and
coverage per group and exits 1 if either group misses. tests/nonresponse/test_mice_truth.py is the
same check at 300 replicates and 20 imputations.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from helpers.ledger.tables import load_ledger
from helpers.nonresponse.frame import council_frame
from helpers.nonresponse.scenarios import model_inputs
from helpers.nonresponse.simulation import calibration_targets, simulate

REPLICATES, IMPUTATIONS, SEED = 1000, 40, 20251124


def main() -> int:
    ledger = load_ledger()
    inputs = model_inputs(council_frame(ledger.councils, ledger.council_years, 2024))
    coverage_mcse = np.sqrt(0.95 * 0.05 / REPLICATES)
    ok = True
    for group in ("trafficked", "unaccompanied"):
        target = calibration_targets(ledger.figures, group=group)
        start = time.perf_counter()
        row = simulate(
            inputs,
            mechanisms=["mcar"],
            n_sims=REPLICATES,
            imputations=IMPUTATIONS,
            seed=SEED,
            total=target["total"],
            rate=target["rate"],
            estimators=["mice"],
        ).iloc[0]
        unbiased = abs(row["bias"]) < 2 * row["bias_mcse"]
        covers = abs(row["coverage"] - 0.95) < 2 * coverage_mcse
        ok &= bool(unbiased and covers)
        print(
            f"MICE under MCAR, {group} (SYNTHETIC, truth {target['rate']:.1%} on average): "
            f"bias {100 * row['bias']:+.3f} points (MCSE {100 * row['bias_mcse']:.3f}), "
            f"coverage {row['coverage']:.1%} (MCSE at 95%: {100 * coverage_mcse:.1f} points), "
            f"mean width {100 * row['mean_width']:.2f} points; {REPLICATES:,} replicates x {IMPUTATIONS} "
            f"imputations in {time.perf_counter() - start:.1f} s: "
            f"{'within' if unbiased and covers else 'OUTSIDE'} two MCSEs"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
