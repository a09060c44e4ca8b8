"""The simulation's summaries (bias, RMSE, coverage and their Monte Carlo standard errors), by hand.

The draws are left to tests/nonresponse/test_nonresponse.py (seeded, identical for one seed); these pin
the arithmetic on tiny hand-made replicates whose answers are written out in the comments.
"""

import math

import numpy as np
import pandas as pd
import pytest

from helpers.ledger.errors import ParameterError
from helpers.nonresponse import simulation as sim


def test_performance_by_hand():
    # Four replicates, truth 0.5 each; estimates 0.4, 0.5, 0.6, 0.7 -> errors -0.1, 0, 0.1, 0.2.
    # bias = mean error = 0.05; sd(errors, ddof 1) = sqrt(((-0.15)² + 0.05² + 0.05² + 0.15²) / 3)
    # = sqrt(0.05 / 3), so bias MCSE = sqrt(0.05 / 3) / 2.
    # RMSE = sqrt((0.01 + 0 + 0.01 + 0.04) / 4) = sqrt(0.015); squared errors 0.01, 0, 0.01, 0.04 have
    # mean 0.015 and sd sqrt((0.005² + 0.015² + 0.005² + 0.025²) / 3) = sqrt(0.0009 / 3), so
    # RMSE MCSE = sqrt(0.0003) / (2 sqrt(0.015) * 2).
    # Intervals (0.3, 0.45), (0.4, 0.6), (0.5, 0.7), (0.5, 0.9) cover 0.5 in the last three (ends count):
    # coverage 0.75, MCSE sqrt(0.75 * 0.25 / 4); mean width (0.15 + 0.2 + 0.2 + 0.4) / 4 = 0.2375.
    e = np.array([0.4, 0.5, 0.6, 0.7])
    lo = np.array([0.3, 0.4, 0.5, 0.5])
    hi = np.array([0.45, 0.6, 0.7, 0.9])
    got = sim.performance(e, lo, hi, np.full(4, 0.5))
    assert got["replicates"] == 4
    assert got["bias"] == pytest.approx(0.05, rel=1e-12)
    assert got["bias_mcse"] == pytest.approx(math.sqrt(0.05 / 3) / 2, rel=1e-12)
    assert got["rmse"] == pytest.approx(math.sqrt(0.015), rel=1e-12)
    assert got["rmse_mcse"] == pytest.approx(math.sqrt(0.0003) / (4 * math.sqrt(0.015)), rel=1e-12)
    assert got["coverage"] == 0.75
    assert got["coverage_mcse"] == pytest.approx(math.sqrt(0.75 * 0.25 / 4), rel=1e-12)
    assert got["mean_width"] == pytest.approx(0.2375, rel=1e-12)


def test_performance_of_one_replicate_and_of_a_perfect_estimator():
    one = sim.performance([0.4], [0.3], [0.5], [0.5])
    assert one["bias"] == pytest.approx(-0.1) and np.isnan(one["bias_mcse"]) and np.isnan(one["rmse_mcse"])
    assert one["coverage"] == 1.0 and one["coverage_mcse"] == 0.0
    perfect = sim.performance([0.5, 0.5], [0.4, 0.4], [0.6, 0.6], [0.5, 0.5])
    assert perfect["rmse"] == 0.0 and np.isnan(perfect["rmse_mcse"]) and perfect["bias_mcse"] == 0.0


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "10"])
def test_check_n_sims_refuses(bad):
    with pytest.raises(ParameterError, match=f"n_sims={bad!r} is not valid"):
        sim.check_n_sims(bad)


def test_check_n_sims_accepts_numpy_integers():
    assert sim.check_n_sims(np.int64(3)) == 3 and sim.check_n_sims(1) == 1


def test_scenario_list_repeats_mnar_once_per_strength():
    out = sim.scenario_list(["mcar", "mnar"], mnar_strengths=[0.5, 2])
    assert out[0][0] == "mcar" and out[1:] == [("mnar", 0.5), ("mnar", 2.0)]
    assert isinstance(out[2][1], float)
    for bad in ([], [True], ["x"]):
        with pytest.raises(ParameterError, match="mnar_strengths"):
            sim.scenario_list(["mnar"], mnar_strengths=bad)


def rows(scenario, mechanism, table):
    return pd.DataFrame(
        [
            {
                "scenario": scenario,
                "mechanism": mechanism,
                "estimator": e,
                "replicates": r,
                "bias": b,
                "bias_mcse": m,
                "coverage": c,
                "coverage_mcse": cm,
            }
            for e, r, b, m, c, cm in table
        ]
    )


def summary_table():
    mcar = rows(
        "MCAR",
        "mcar",
        [
            ("respondents_only", 100, 0.002, 0.001, 0.95, 0.02),
            ("ipw", 100, -0.004, 0.0012, 0.93, 0.025),
            ("mice", 10, 0.5, 0.1, 0.2, 0.1),  # too few replicates: left out of every summary
        ],
    )
    mnar = rows(
        "MNAR 2",
        "mnar",
        [
            ("respondents_only", 100, -0.06, 0.002, 0.40, 0.05),
            ("ipw", 100, 0.03, 0.002, 0.70, 0.046),
            ("mice", 20, 0.01, 0.01, 0.9, 0.03),
        ],
    )
    few = rows("MAR", "mar_size", [("ipw", 29, 0.1, 0.01, 0.5, 0.05)])
    return pd.concat([mcar, mnar, few], ignore_index=True)


def test_simulation_summary_by_hand():
    s = sim.simulation_summary(summary_table())
    assert list(s) == ["MCAR", "MNAR 2"]  # MAR's only row has 29 < 30 replicates
    mcar, mnar = s["MCAR"], s["MNAR 2"]
    assert (mcar.mechanism, mcar.best, mcar.worst) == ("mcar", "respondents_only", "ipw")
    assert (mcar.best_bias, mcar.best_bias_mcse, mcar.worst_bias, mcar.worst_bias_mcse) == (
        0.002,
        0.001,
        -0.004,
        0.0012,
    )
    assert (mcar.lowest_coverage, mcar.min_coverage, mcar.highest_coverage, mcar.max_coverage) == (
        "ipw",
        0.93,
        "respondents_only",
        0.95,
    )
    assert mcar.max_coverage_mcse == 0.025 and mcar.too_few == ("mice",) and mcar.too_few_replicates == 10
    assert mnar.max_abs_bias == 0.06 and mnar.min_abs_bias == 0.03 and mnar.too_few_replicates == 20
    assert mnar.facts() == {
        "mechanism": "mnar",
        "max_abs_bias": 0.06,
        "min_abs_bias": 0.03,
        "min_coverage": 0.40,
        "max_coverage": 0.70,
        "best": "ipw",
        "worst": "respondents_only",
    }
    # a table without scenario names is summarised by mechanism
    by_mechanism = sim.simulation_summary(summary_table().drop(columns="scenario"))
    assert list(by_mechanism) == ["mcar", "mnar"]
    # a table without MCSEs leaves them NaN
    bare = sim.simulation_summary(summary_table().drop(columns="bias_mcse"))
    assert np.isnan(bare["MCAR"].best_bias_mcse) and np.isnan(bare["MCAR"].worst_bias_mcse)
    # every row at 30 replicates exactly counts
    assert sim.simulation_summary(rows("X", "mcar", [("ipw", 30, 0.1, 0.01, 0.9, 0.05)]))["X"].too_few == ()


def test_mnar_gap_by_hand():
    gap = sim.mnar_gap(sim.simulation_summary(summary_table()))
    # MCAR's largest absolute bias 0.004; MNAR's smallest 0.03: 7.5 times as large
    assert gap.mcar_floor == 0.004
    assert gap.least_bias == {"MNAR 2": 0.03} and gap.ratio == {"MNAR 2": pytest.approx(7.5, rel=1e-12)}
    only_mcar = {k: v for k, v in sim.simulation_summary(summary_table()).items() if k == "MCAR"}
    assert sim.mnar_gap(only_mcar) is None
    # an unbiased MCAR floor is taken as 1e-12 so the ratio stays finite
    zero = rows("M0", "mcar", [("ipw", 40, 0.0, 0.0, 0.95, 0.01)])
    both = pd.concat([zero, rows("N", "mnar", [("ipw", 40, 0.02, 0.0, 0.9, 0.01)])], ignore_index=True)
    assert sim.mnar_gap(sim.simulation_summary(both)).mcar_floor == 1e-12


def test_mar_repair_reads_one_scenario():
    assert sim.mar_repair(summary_table(), "MNAR 2") == {
        "respondents_only": (-0.06, 0.002),
        "ipw": (0.03, 0.002),
        "mice": (0.01, 0.01),
    }


def test_covariate_correlations_by_hand():
    # Two replicates of three councils. Replicate 1's noise rises with log size exactly (correlation 1),
    # replicate 2's falls exactly (-1): the mean is 0. DfE's logit rates equal log size here, so the same.
    aux = np.exp([0.0, 1.0, 2.0])
    pop = {
        "aux": aux,
        "dfe_rate": 1 / (1 + np.exp(-np.array([0.0, 1.0, 2.0]))),
        "noise": np.array([[0.0, 1.0, 2.0], [3.0, 2.0, 1.0]]),
    }
    got = sim.covariate_correlations(pop)
    assert got["log size"] == pytest.approx(0.0, abs=1e-12) and got["DfE logit rate"] == pytest.approx(0.0, abs=1e-12)
    pop["noise"] = np.array([[0.0, 1.0, 2.0], [0.0, 2.0, 4.0]])  # both +1
    assert sim.covariate_correlations(pop)["log size"] == pytest.approx(1.0, rel=1e-12)


def test_calibration_targets_of_until_harm_ends(ledger):
    # Until Harm Ends, trafficked: the largest total in care, 2,638 (all children counted), and the rate
    # of the smallest denominator, 864 of 2,335 (the published counts in data/figures.csv)
    got = sim.calibration_targets(ledger.figures, "until-harm-ends", reports=ledger.reports)
    assert got["total"] == 2638 and got["rate"] == pytest.approx(864 / 2335, rel=1e-12)
    assert got["label"] == "Until Harm Ends (2025), trafficked: 864 of 2,335"
    # the latest report is the default, and without reports only the id names it
    assert sim.calibration_targets(ledger.figures)["label"].startswith("until-harm-ends, ")
    with pytest.raises(ParameterError, match="no went-missing rate for group='nobody'"):
        sim.calibration_targets(ledger.figures, "until-harm-ends", group="nobody")


def test_calibration_targets_of_an_older_report_and_an_unlabelled_group(ledger):
    # Heading Back to Harm (2016), trafficked: 167 of 590 (data/figures.csv); its own figures, not the
    # latest report's
    got = sim.calibration_targets(ledger.figures, "heading-back-to-harm", reports=ledger.reports)
    assert got == {
        "total": 590,
        "rate": pytest.approx(167 / 590, rel=1e-12),
        "label": "Heading Back to Harm (2016), trafficked: 167 of 590",
    }
    # a group without a reader's label keeps its own name
    renamed = ledger.figures.assign(group=ledger.figures["group"].replace({"trafficked": "newgroup"}))
    assert sim.calibration_targets(renamed, "until-harm-ends", group="newgroup")["label"] == (
        "until-harm-ends, newgroup: 864 of 2,335"
    )
    # no report has the group's rate: refused with the group named (report_id stays None)
    with pytest.raises(ParameterError, match="no went-missing rate for group='nobody' in report_id=None"):
        sim.calibration_targets(ledger.figures, group="nobody")


@pytest.mark.parametrize("n_mice", [True, 1.5, -1])
def test_simulate_refuses_a_bad_n_mice_before_drawing(n_mice):
    # the check comes before any draw, so an empty frame of inputs is enough
    with pytest.raises(ParameterError, match=f"n_mice={n_mice!r} must be a whole number of 0 or more"):
        sim.simulate(pd.DataFrame(), n_sims=2, n_mice=n_mice)


def test_simulate_defaults_to_a_thousand_replicates(ledger):
    from helpers.nonresponse.frame import council_frame
    from helpers.nonresponse.scenarios import model_inputs

    # the notebooks' and the CLI's default number of replicates (one cheap estimator keeps it quick)
    inputs = model_inputs(council_frame(ledger.councils, ledger.council_years, 2024))
    out = sim.simulate(inputs, mechanisms=("mcar",), n_mice=0, estimators=["respondents_only"])
    assert out["replicates"].tolist() == [1000]


def test_the_simulations_level_reaches_every_interval(ledger):
    from helpers.nonresponse.frame import council_frame
    from helpers.nonresponse.scenarios import model_inputs

    inputs = model_inputs(council_frame(ledger.councils, ledger.council_years, 2024))
    kwargs = {"mechanisms": ("mcar",), "n_sims": 20, "n_mice": 0, "seed": 3}
    wide = sim.simulate(inputs, alpha=0.05, **kwargs).set_index("estimator")
    narrow = sim.simulate(inputs, alpha=0.2, **kwargs).set_index("estimator")
    # the same draws (same seed), so the estimates agree and only the intervals narrow
    assert (narrow["bias"] == wide["bias"]).all()
    assert (narrow["mean_width"] < wide["mean_width"]).all()
