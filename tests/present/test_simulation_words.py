"""The simulation study's words (helpers/present/simulation_words.py) say what the numbers say.

The tables here are made up by hand (a few rows shaped like simulate()'s output), so every verdict can be
worked out on paper: a bias is "within two MCSEs" when |bias| <= 2 MCSE; a coverage is within the nominal
95% when it lies within 2 sqrt(0.95 x 0.05 / R) of it.
"""

import pandas as pd
import pytest

from helpers.present.simulation_words import (
    coverage_words,
    mar_repair_words,
    mechanism_summary_words,
    mnar_coverage_words,
    repair_verdict,
    simulation_findings,
)


def rows(spec):
    """(mechanism, strength, scenario, estimator, bias, bias_mcse, coverage, width, rmse) -> a results table."""
    cols = ["mechanism", "strength", "scenario", "estimator", "bias", "bias_mcse", "coverage", "mean_width", "rmse"]
    table = pd.DataFrame(spec, columns=cols)
    table["replicates"] = 1000
    table["coverage_mcse"] = (table["coverage"] * (1 - table["coverage"]) / 1000) ** 0.5
    return table


TABLE = rows(
    [
        ("mcar", 0.0, "MCAR", "respondents_only", -0.0003, 0.0004, 0.96, 0.046, 0.011),
        ("mcar", 0.0, "MCAR", "mice", 0.0000, 0.0003, 0.948, 0.043, 0.011),
        ("mar_size", 1.0, "MAR by size, slope +1", "respondents_only", 0.0004, 0.0002, 0.999, 0.041, 0.006),
        ("mar_size", 1.0, "MAR by size, slope +1", "mice", 0.0003, 0.0002, 0.959, 0.027, 0.006),
        ("mnar", -0.5, "MNAR, slope -0.5", "respondents_only", -0.0135, 0.0004, 0.81, 0.046, 0.018),
        ("mnar", -0.5, "MNAR, slope -0.5", "mice", -0.0070, 0.0003, 0.94, 0.043, 0.013),
        ("mnar", -2.0, "MNAR, slope -2", "respondents_only", -0.0392, 0.0003, 0.05, 0.045, 0.041),
        ("mnar", -2.0, "MNAR, slope -2", "mice", -0.0231, 0.0004, 0.48, 0.045, 0.026),
    ]
)


@pytest.mark.parametrize(
    ("bias", "kind", "words"),
    [
        (0.0006, "removes", "removes it (+0.06 points (MCSE 0.04), within two MCSEs of 0)"),
        (-0.0050, "reduces", "removes 75% of it, leaving -0.50 points (MCSE 0.04)"),
        (0.0019, "overshoots", "overshoots, to +0.19 points (MCSE 0.04), 10% of the bias the other way"),
        (-0.0300, "no_better", "does not reduce it (-3.00 points (MCSE 0.04))"),
    ],
)
def test_repair_verdict_against_a_bias_of_minus_two_points(bias, kind, words):
    # reference -2 points; MCSE 0.04 points, so anything within 0.08 points of 0 is "removes"
    assert repair_verdict(bias, 0.0004, -0.02) == (kind, words)


def test_mar_repair_words_name_each_estimator_and_explain_only_an_overshooting_ratio():
    repair = {"respondents_only": (-0.0209, 0.0003), "ratio": (0.0099, 0.0003), "mice": (0.0000, 0.0004)}
    text, kinds = mar_repair_words(repair, "MAR by DfE rate, slope -2")
    assert kinds == {"ratio": "overshoots", "mice": "removes"}
    assert text.startswith(
        "Under MAR by DfE rate, slope -2, the respondents' rate is off by -2.09 points (MCSE 0.03). "
    )
    assert "Ratio to DfE missing rate overshoots, to +0.99 points (MCSE 0.03), 47% of the bias the other way" in text
    assert "Multiple imputation (MICE) removes it (+0.00 points (MCSE 0.04), within two MCSEs of 0)." in text
    assert text.endswith("only in part, so it overshoots.")
    calm, none = mar_repair_words({"respondents_only": (0.0005, 0.0003), "mice": (0.0, 0.0003)}, "MAR by size")
    assert none == {} and "within two MCSEs of 0: there is nothing for weighting or imputation to repair" in calm


def test_coverage_words_count_scenarios_within_above_and_below_nominal():
    # band at 1,000 replicates: 2 sqrt(0.0475 / 1000) = 1.38 points, so 93.6% to 96.4% is within
    text, counts = coverage_words(TABLE, "mice", 0.05)
    assert counts == {"within": 3, "above": 0, "below": 1}  # 94.8, 95.9, 94.0 within; 48.0 below
    assert text.startswith("Multiple imputation (MICE)'s coverage is within two MCSEs of the nominal 95% in 3 of 4")
    assert "below it in 1 (MNAR, slope -2)" in text and "mean width runs from 2.7 to 4.5 points" in text
    wide, wide_counts = coverage_words(TABLE, "respondents_only", 0.05)
    assert wide_counts == {"within": 1, "above": 1, "below": 2}  # 96.0 within, 99.9 above


def test_mnar_coverage_names_the_best_covering_estimator_and_whether_it_reaches_nominal():
    text, facts = mnar_coverage_words(TABLE, 0.05)
    assert facts == {"MNAR, slope -0.5": ("mice", 0.94), "MNAR, slope -2": ("mice", 0.48)}
    # 94.0% is within two MCSEs (sqrt(0.94 x 0.06 / 1000) = 0.75 points) of 95%; 48% is not
    assert text.endswith("It reaches the nominal 95% within two MCSEs only in MNAR, slope -0.5.")
    assert mnar_coverage_words(TABLE[TABLE["mechanism"] != "mnar"], 0.05) == ("", {})


def test_mechanism_summary_reads_the_size_shift_and_the_mnar_growth_from_the_numbers():
    text, facts = mechanism_summary_words(TABLE)
    # +0.04 points with MCSE 0.02 is exactly two MCSEs: not more, so it is "within"
    assert facts == {"size_moves_centre": False, "mnar_all_biased": True, "mnar_grows": True}
    assert "by +0.04 points (MCSE 0.02), within two MCSEs of 0" in text
    assert "stays biased by more than two MCSEs, and the least bias grows with the slope" in text
    shifted = TABLE.copy()
    shifted.loc[2, "bias"] = 0.0010
    shifted.loc[7, "bias"] = -0.0050  # the steeper slope now leaves less bias than the gentler one
    text, facts = mechanism_summary_words(shifted)
    assert facts == {"size_moves_centre": True, "mnar_all_biased": True, "mnar_grows": False}
    assert "by +0.10 points (MCSE 0.02), more than two MCSEs from 0, although" in text and "grows" not in text


def test_findings_name_the_largest_mcar_bias_with_its_mcse():
    sentences, _ = simulation_findings(TABLE)
    last = sentences[-1]
    assert (
        "under MCAR no estimator is off by more than 0.03 points (respondents only, -0.03 points (MCSE 0.04): "
        "within two MCSEs of 0, so no estimator is detectably biased when response is random)." in last
    )
    # MICE (which uses DfE's rate) is less biased than the respondents' rate under both MNAR slopes
    assert "Under every MNAR scenario, multiple imputation (MICE) (which uses DfE's missing rate) is less" in last
