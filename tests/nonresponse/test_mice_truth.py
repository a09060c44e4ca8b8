"""MICE against the known truth: on SYNTHETIC councils whose every count is known, is it right on average?

The councils are notebook 41's synthetic ones (helpers/nonresponse/simulation.py: sizes and DfE rates from
the real English frame of 2024, new counts each replicate), calibrated to each group's published rate.
Under MCAR the imputation must be unbiased and its 95% interval must cover the truth 95% of the time:
the mean error within two Monte Carlo standard errors of 0, the coverage within two of 95%. The MCSE of
coverage is the one at the nominal 95%, sqrt(0.95 x 0.05 / R), so a too-wide interval fails as surely as a
too-narrow one.

This is the small version (300 replicates, 20 imputations: a few seconds); `make bench` runs
benchmarks/bench_mice_truth.py with 1,000 replicates and 40 imputations. The earlier MICE (unweighted
normal regression of empirical logits) failed this test: +0.23 points (MCSE 0.05) for trafficked and
+0.32 (0.02) for unaccompanied children at 400 replicates, with coverage 99%.
"""

import numpy as np
import pytest

from helpers.nonresponse.frame import council_frame
from helpers.nonresponse.scenarios import model_inputs
from helpers.nonresponse.simulation import calibration_targets, simulate

REPLICATES, IMPUTATIONS = 300, 20


@pytest.fixture(scope="module")
def inputs(ledger):
    return model_inputs(council_frame(ledger.councils, ledger.council_years, 2024))


@pytest.mark.parametrize("group", ["trafficked", "unaccompanied"])
def test_mice_is_unbiased_and_covers_95_percent_under_mcar(inputs, ledger, group):
    target = calibration_targets(ledger.figures, group=group)
    row = simulate(
        inputs,
        mechanisms=["mcar"],
        n_sims=REPLICATES,
        imputations=IMPUTATIONS,
        seed=20251124,
        total=target["total"],
        rate=target["rate"],
        estimators=["mice"],
    ).iloc[0]
    assert row["replicates"] == REPLICATES and row["data"] == "synthetic"
    assert abs(row["bias"]) < 2 * row["bias_mcse"], row
    assert abs(row["coverage"] - 0.95) < 2 * np.sqrt(0.95 * 0.05 / REPLICATES), row
