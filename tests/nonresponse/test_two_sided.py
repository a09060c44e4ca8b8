"""Two-sided tipping points, selection-bias E-values, MCSEs and the sharpened simulation, by hand arithmetic."""

from __future__ import annotations

import math

import numpy as np
import pytest

from helpers.ledger.errors import ParameterError
from helpers.nonresponse import estimators as est
from helpers.nonresponse.evalues import bounding_factor, evalue_table, selection_evalue
from helpers.nonresponse.frame import council_frame
from helpers.nonresponse.scenarios import model_inputs
from helpers.nonresponse.simulation import performance, simulate
from helpers.nonresponse.two_sided import TWO_SIDED_COLUMNS, gap_needed, tipping_surface, two_sided_threshold
from helpers.nonresponse.two_sided import two_sided_table as numbers_only
from helpers.present.nonresponse_findings import with_holds_if
from helpers.stats.report_view import report_view

# Until Harm Ends (Guardian version): 864 of 2,335 trafficked, 1,501 of 11,999 unaccompanied; item
# non-response bounds from the Independent's totals in care, 2,638 and 12,530.
T, U = 864 / 2335, 1501 / 11999
T_LOW, U_HIGH = 864 / 2638, (1501 + 12530 - 11999) / 12530


@pytest.fixture(scope="module")
def inputs(ledger):
    return model_inputs(council_frame(ledger.councils, ledger.council_years, 2024))


def two_sided_table(ledger, report_id):
    """The two-sided table with its words (``holds_if``) beside the numbers."""
    return with_holds_if(numbers_only(ledger, report_view(ledger.figures, report_id)))


def test_the_two_sided_table_itself_holds_numbers_not_sentences(ledger):
    table = numbers_only(ledger, report_view(ledger.figures, "until-harm-ends"))
    assert list(table.columns) == TWO_SIDED_COLUMNS and "holds_if" not in table.columns


# --- two-sided thresholds -----------------------------------------------------------------------------


def test_two_sided_threshold_by_hand_matches_the_review():
    # (1 - s) T = (1 - s) U + s  ->  s = (T - U) / (1 + T - U)
    d = 0.370021 - 0.125094
    assert two_sided_threshold(T, U) == pytest.approx(d / (1 + d), abs=1e-6)
    assert round(two_sided_threshold(T, U), 3) == 0.197  # the review: 19.7% without item bounds
    d_item = 0.327521 - 0.162171
    assert two_sided_threshold(T_LOW, U_HIGH) == pytest.approx(d_item / (1 + d_item), abs=1e-6)
    assert round(two_sided_threshold(T_LOW, U_HIGH), 3) == 0.142  # 14.2% with them
    # Heading Back to Harm: 167 of 590 against 593 of 4,744; no item bounds; 13.6%.
    assert round(two_sided_threshold(167 / 590, 593 / 4744), 3) == 0.136
    # A census comparator does not move: (1 - s) T = c -> s = 1 - c / T.
    assert two_sided_threshold(0.4, 0.1, comparator_moves=False) == pytest.approx(0.75)
    assert two_sided_threshold(0.1, 0.2) == 0.0


def test_gap_needed_at_the_observed_share_by_hand():
    # At s = 0.335 overturning needs q_U - q_T >= 0.665 x 0.244927 / 0.335 = 0.4862: the review's 48.6 points.
    assert float(gap_needed(T, U, 0.335)) == pytest.approx(0.665 * (T - U) / 0.335)
    assert round(100 * float(gap_needed(T, U, 0.335)), 1) == 48.6
    # At the threshold the gap needed is exactly 1 (silent trafficked rate 0, unaccompanied 1).
    assert float(gap_needed(T, U, two_sided_threshold(T, U))) == pytest.approx(1.0)
    # Fixed comparator: the silent rate at or below (c - (1 - s) r) / s overturns it.
    assert float(gap_needed(0.4, 0.1, 0.5, comparator_moves=False)) == pytest.approx((0.1 - 0.2) / 0.5)
    with pytest.raises(ParameterError, match="share must lie above 0"):
        gap_needed(T, U, 0.0)


def test_two_sided_table_of_until_harm_ends(ledger):
    t = two_sided_table(ledger, "until-harm-ends").set_index("conclusion")
    row = t.loc["trafficked above unaccompanied"]
    assert row["threshold_unit_only"] == pytest.approx(two_sided_threshold(T, U))
    assert row["threshold"] == pytest.approx(two_sided_threshold(T_LOW, U_HIGH))
    # 135 answered on trafficked and 141 on unaccompanied children, of 212 councils in the 2024 frame;
    # the larger silent share (77 of 212) is the cautious one.
    assert row["silent_share"] == pytest.approx(77 / 212)
    assert "77 of 212" in row["silent_basis"] and "71 of 212" in row["silent_basis"]
    assert row["gap_unit_only"] == pytest.approx((1 - 77 / 212) * (T - U) / (77 / 212))
    assert row["gap"] == pytest.approx((1 - 77 / 212) * (T_LOW - U_HIGH) / (77 / 212))
    assert row["holds_if"].startswith("holds if the silent councils hold less than 14.2% of the children")
    assert "29.0 points" in row["holds_if"]
    assert not t["holds_if"].str.contains("robust").any()
    # When Harm Remains publishes no count of answering councils: the 2024 share stands in, and says so.
    year = t.loc["trafficked 2024 above trafficked 2020"]
    assert "not published for the comparator" in year["silent_basis"]
    assert "taken to be the same for the comparator" in year["holds_if"]
    dfe = t.loc["trafficked above all looked-after (DfE)"]
    assert not dfe["comparator_moves"] and dfe["threshold"] == pytest.approx(1 - (13010 / 116420) / T_LOW)


def test_heading_back_to_harm_survives_at_its_silent_share(ledger):
    row = two_sided_table(ledger, "heading-back-to-harm").set_index("conclusion").loc["trafficked above unaccompanied"]
    assert row["silent_share"] == pytest.approx(17 / 217)  # 200 of 217 councils answered
    assert row["threshold"] > row["silent_share"] and row["gap"] > 1
    assert "no rates of the silent councils could overturn it" in row["holds_if"]


def test_silent_share_bases_say_what_was_published(ledger):
    from helpers.nonresponse.two_sided import silent_shares

    hbth = silent_shares(ledger, report_view(ledger.figures, "heading-back-to-harm"))
    # only a count of councils that supplied figures on some question exists (200 of 217 asked)
    share, basis = hbth["trafficked"]
    assert share == pytest.approx(17 / 217)
    assert basis == (
        "17 of 217 councils asked are not known to have supplied any figures; no count of councils answering "
        "on trafficked children was published"
    )
    assert "did not answer on trafficked" not in basis
    uhe = silent_shares(ledger, report_view(ledger.figures, "until-harm-ends"))
    assert uhe["trafficked"][1] == "77 of 212 councils in the frame of 2024 did not answer on trafficked children"


def test_reports_without_answering_counts_say_so(ledger):
    t = two_sided_table(ledger, "when-harm-remains")
    assert t["silent_share"].isna().all()
    assert t["holds_if"].str.contains("not published").all()
    assert two_sided_table(ledger, "exploited-looked-after-children").empty
    assert not two_sided_table(ledger, "exploited-looked-after-children")["holds_if"].str.contains("robust").any()


def test_tipping_surface_by_hand():
    s = tipping_surface(0.4, 0.1, 0.3, 0.2, steps=3).set_index(["silent_a", "silent_b"])["difference"]
    # A - B = 0.7 x 0.4 + 0.3 q_a - (0.8 x 0.1 + 0.2 q_b)
    assert s[(0.0, 1.0)] == pytest.approx(0.28 - 0.08 - 0.2)
    assert s[(0.5, 0.5)] == pytest.approx(0.28 + 0.15 - 0.08 - 0.1)
    assert len(s) == 9


# --- E-values -------------------------------------------------------------------------------------------


def test_selection_evalues_by_hand():
    rr = T / U  # 2.958
    assert selection_evalue(rr) == pytest.approx(rr + math.sqrt(rr * (rr - 1)))
    assert round(float(selection_evalue(rr)), 1) == 5.4  # the review's "about 5.4"
    rr_year = T / (378 / 1231)  # 2024 against 2020
    assert round(float(selection_evalue(rr_year)), 1) == 1.7  # the review's "about 1.7"
    # Both sides selected: each of the two factors need only reach sqrt(RR).
    root = math.sqrt(rr)
    assert selection_evalue(rr, 4) == pytest.approx(root + math.sqrt(root * (root - 1)))
    # The E-value is the common value E at which the bounding factor E^2 / (2E - 1) reaches RR.
    e = float(selection_evalue(rr))
    assert bounding_factor(e, e) == pytest.approx(rr)
    assert selection_evalue(1.0) == pytest.approx(1.0)
    assert selection_evalue(0.5) == pytest.approx(selection_evalue(2.0))  # below 1: inverted
    with pytest.raises(ParameterError, match="parameters=3"):
        selection_evalue(2.0, 3)


def test_evalue_table_of_until_harm_ends(ledger):
    e = evalue_table(two_sided_table(ledger, "until-harm-ends")).set_index("conclusion")
    assert e.loc["trafficked above unaccompanied", "risk_ratio"] == pytest.approx(T / U)
    assert np.isnan(e.loc["trafficked above all looked-after (DfE)", "evalue_both_sides"])


# --- simulation: MCSE, Rubin, common random numbers, MAR that matters -----------------------------------


def test_performance_and_mcse_by_hand():
    e, t = np.array([0.1, 0.3, 0.2, 0.4]), np.array([0.2, 0.2, 0.2, 0.2])
    lo, hi = e - 0.15, e + 0.15
    p = performance(e, lo, hi, t)
    err = np.array([-0.1, 0.1, 0.0, 0.2])
    assert p["bias"] == pytest.approx(0.05)
    assert p["bias_mcse"] == pytest.approx(np.std(err, ddof=1) / 2)
    assert p["rmse"] == pytest.approx(math.sqrt((0.01 + 0.01 + 0 + 0.04) / 4))
    assert p["rmse_mcse"] == pytest.approx(np.std(err**2, ddof=1) / (2 * p["rmse"] * 2))
    assert p["coverage"] == 0.75 and p["coverage_mcse"] == pytest.approx(math.sqrt(0.75 * 0.25 / 4))


def test_rubins_rules_by_hand():
    q, total, df = est.rubin([[0.30, 0.32, 0.34]], [[0.0004, 0.0004, 0.0004]])
    between = 0.0004  # variance of 0.30, 0.32, 0.34 with ddof 1
    assert q[0] == pytest.approx(0.32)
    assert total[0] == pytest.approx(0.0004 + (1 + 1 / 3) * between)
    assert df[0] == pytest.approx(2 * (1 + 0.0004 / ((4 / 3) * between)) ** 2)


def test_common_random_numbers_across_mechanisms(inputs):
    # MNAR with slope 0 is MCAR; with the same councils and the same keys the rows must be identical.
    table = simulate(inputs, mechanisms=["mcar", "mnar"], mnar_strengths=[0.0], n_sims=100, seed=3, n_mice=0)
    cols = ["bias", "rmse", "coverage", "mean_width"]
    a = table[table["mechanism"] == "mcar"][cols].to_numpy()
    b = table[table["mechanism"] == "mnar"][cols].to_numpy()
    np.testing.assert_array_equal(a, b)


def test_mar_by_dfe_rate_biases_the_respondents_and_weighting_repairs_it(inputs):
    table = simulate(inputs, mechanisms=["mar_dfe"], n_sims=300, seed=5, n_mice=0).set_index("estimator")
    # The covariate is correlated with the councils' rates (about 1/sqrt(2) by construction: the rate's
    # logit is DfE's plus noise of the same spread); size is not.
    corr = table.attrs["correlations"]
    assert 0.6 < corr["DfE logit rate"] < 0.8 and abs(corr["log size"]) < 0.05
    resp, ipw = table.loc["respondents_only"], table.loc["ipw"]
    assert resp["bias"] < -8 * resp["bias_mcse"] and resp["bias"] < -0.01  # clearly biased
    assert abs(ipw["bias"]) < 3 * ipw["bias_mcse"] + 0.002  # repaired within Monte Carlo noise


def test_mnar_grid_gives_one_row_per_strength(inputs):
    table = simulate(inputs, mechanisms=["mnar"], mnar_strengths=[-0.5, -2], n_sims=100, seed=1, n_mice=0)
    assert table["scenario"].unique().tolist() == ["MNAR, slope -0.5", "MNAR, slope -2"]
    resp = table[table["estimator"] == "respondents_only"].set_index("strength")["bias"]
    assert resp[-2.0] < resp[-0.5] < 0  # stronger MNAR, larger bias
    with pytest.raises(ParameterError, match="mnar_strengths"):
        simulate(inputs, mechanisms=["mnar"], mnar_strengths=[], n_sims=10)


def test_imputation_draws_centre_on_the_statsmodels_glm_prediction():
    import statsmodels.api as sm
    from scipy.special import expit

    # One data set copied into 4,000 replicates: each replicate's draw for a silent council is n times the
    # binomial GLM's prediction plus parameter, between-council and binomial noise, so their mean must sit
    # on n times statsmodels' prediction (within 4 MCSEs).
    rng = np.random.default_rng(0)
    x = np.column_stack([np.ones(40), rng.normal(size=40), rng.normal(size=40)])
    n = rng.integers(5, 60, 40).astype(float)
    m = rng.binomial(n.astype(int), expit(x @ np.array([-0.5, 0.5, -0.3]) + rng.normal(0, 0.3, 40))).astype(float)
    r = np.arange(40) < 30
    reps = 4000
    model = est._CountModel("binomial", x, np.broadcast_to(m, (reps, 40)), np.broadcast_to(r, (reps, 40)), trials=n)
    drawn = model.draw(rng, silent_trials=np.broadcast_to(n, (reps, 40)))
    np.testing.assert_array_equal(drawn[:, r], np.broadcast_to(m[r], (reps, 30)))  # answering councils untouched
    fit = sm.GLM(m[r] / n[r], x[r], family=sm.families.Binomial(), var_weights=n[r] / (1 + (n[r] - 1) * model.theta[0]))
    expected = n[~r] * fit.fit(tol=1e-12).predict(x[~r])
    mean, mcse = drawn[:, ~r].mean(axis=0), drawn[:, ~r].std(axis=0, ddof=1) / np.sqrt(reps)
    assert np.all(np.abs(mean - expected) < 4 * mcse)
    assert (drawn == np.round(drawn)).all()  # whole children


def test_tipping_chart_starts_each_line_at_its_threshold_and_is_readable(ledger):
    import matplotlib

    matplotlib.use("Agg")
    from helpers.present.nonresponse_plots import tipping_chart
    from helpers.present.plots import assert_readable

    table = two_sided_table(ledger, "heading-back-to-harm")
    ax = tipping_chart(table, title="test")
    assert_readable(ax)
    line = ax.get_lines()[0]  # no item bounds for this report: one line for the conclusion
    assert "no item non-response bounds" in line.get_label()
    assert line.get_xdata()[0] == pytest.approx(two_sided_threshold(167 / 590, 593 / 4744))
    assert line.get_ydata()[0] == pytest.approx(100)
    matplotlib.pyplot.close("all")


def test_scenario_settings_are_checked_with_the_valid_values(ledger, inputs):
    from helpers.nonresponse.report import nonresponse_table

    with pytest.raises(ParameterError, match="'mnr' is not a mechanism; valid values: mcar, mar_size, mar_dfe, mnar"):
        nonresponse_table(ledger, report_view(ledger.figures, "until-harm-ends"), strengths={"mnr": -1})
    with pytest.raises(ParameterError, match="mnar='strong' is not a number"):
        simulate(inputs, strengths={"mnar": "strong"}, n_sims=10)
    with pytest.raises(ParameterError, match="imputations=1 is not valid"):
        nonresponse_table(ledger, report_view(ledger.figures, "until-harm-ends"), imputations=1)


def test_tipping_notes_are_added_in_words_to_the_tipping_rows_only(ledger):
    import pandas as pd

    from helpers.nonresponse.report import TABLE_COLUMNS, tipping_rows
    from helpers.present.nonresponse_findings import with_tipping_notes

    numbers = numbers_only(ledger, report_view(ledger.figures, "until-harm-ends"))
    other = ("until-harm-ends", "guardian", "trafficked", "ratio", "s", 0.4, 0.3, 0.5, "x", "kept as it was")
    table = pd.DataFrame(tipping_rows(numbers, "until-harm-ends") + [other], columns=TABLE_COLUMNS)
    assert (table.loc[table["method"] == "two_sided_threshold", "note"] == "").all()  # numbers only below
    noted = with_tipping_notes(table, numbers).set_index(["group", "method", "scenario"])["note"]
    item = noted[("trafficked above unaccompanied", "two_sided_threshold", "item and unit non-response, no assumption")]
    assert item.startswith("holds if the silent councils hold less than 14.2% of the children")
    assert noted[("trafficked", "ratio", "s")] == "kept as it was"


def test_the_respondents_only_interval_is_at_the_views_alpha(ledger):
    # Before the ReportView the rows were labelled with the table's alpha but computed at 0.05.
    from statsmodels.stats.proportion import proportion_confint

    from helpers.nonresponse.report import nonresponse_table

    view = report_view(ledger.figures, "until-harm-ends", alpha=0.1)
    table = nonresponse_table(ledger, view, mechanisms=["mcar"], n_seeds=2, imputations=2)
    row = table[(table["method"] == "respondents_only") & (table["version"] == "guardian")]
    row = row[row["group"] == "trafficked"].iloc[0]
    assert row["interval"] == "90% CI (sampling only)"
    low, high = proportion_confint(864, 2335, alpha=0.1, method="wilson")
    assert (row["low"], row["high"]) == (pytest.approx(low), pytest.approx(high))


# --- one accounting of item and unit non-response -------------------------------------------------------


def test_one_accounting_counts_each_child_once_in_exact_fractions():
    from fractions import Fraction as F

    from helpers.nonresponse.two_sided import one_accounting

    # Until Harm Ends, trafficked: 2,335 of 2,638 counted children have an answer; 77 of 212 councils silent.
    floor, stacked = one_accounting(F(2335), F(2638), F(77, 212))  # fractions in, fractions out
    assert floor == F(303, 2638)  # the 303 item-silent children are among the silent councils' children
    assert stacked == F(77, 212) + F(135, 212) * F(303, 2638)  # the stacked accounting counts them twice
    assert stacked == F(77 * 2638 + 135 * 303, 212 * 2638) and round(float(stacked), 3) == 0.436
    # Counted once, the threshold is the respondents-only one: (a - b) / (1 + a - b) with a = 864/2335,
    # b = 1501/11999, exactly.
    a, b = F(864, 2335), F(1501, 11999)
    assert two_sided_threshold(float(a), float(b)) == pytest.approx(float((a - b) / (1 + a - b)), rel=1e-15)
    assert round(float((a - b) / (1 + a - b)), 3) == 0.197
    # Unaccompanied: 531 of 12,530 without an answer, 71 of 212 councils silent.
    floor_u, _ = one_accounting(F(11999), F(12530), F(71, 212))
    assert floor_u == F(531, 12530)
    with pytest.raises(ParameterError, match="answered"):
        one_accounting(0, 10, 0.5)
    with pytest.raises(ParameterError, match="silent_share"):
        one_accounting(5, 10, 1.5)


def test_the_two_sided_table_says_how_much_the_stacking_counts_twice(ledger):
    t = two_sided_table(ledger, "until-harm-ends").set_index("conclusion")
    row = t.loc["trafficked above unaccompanied"]
    assert row["item_silent_floor"] == pytest.approx(303 / 2638)  # the larger of 303/2638 and 531/12530
    assert row["stacked_unknown_share"] == pytest.approx(77 / 212 + (135 / 212) * (303 / 2638))
    assert "Counted once" in row["holds_if"] and "at least 11.5% of the children" in row["holds_if"]
    assert "the threshold is then 19.7%" in row["holds_if"] and "43.6%" in row["holds_if"]
    # A report without item non-response has nothing to count twice.
    hb = two_sided_table(ledger, "heading-back-to-harm")
    assert hb["item_silent_floor"].isna().all() and not hb["holds_if"].str.contains("Counted once").any()


# ----- the formulas on hand-picked numbers (no ledger) -----


def test_thresholds_by_hand():
    from fractions import Fraction

    # both move: (a - b) / (1 + a - b); 0.4 above 0.1 -> 0.3 / 1.3 = 3/13
    assert two_sided_threshold(0.4, 0.1) == pytest.approx(float(Fraction(3, 13)), rel=1e-12)
    # census comparator fixed: 1 - b / a = 1 - 0.1 / 0.4 = 0.75
    assert two_sided_threshold(0.4, 0.1, comparator_moves=False) == pytest.approx(0.75, rel=1e-12)
    # equal rates: no conclusion to overturn
    assert two_sided_threshold(0.3, 0.3) == 0.0 and two_sided_threshold(0.3, 0.3, False) == 0.0
    # the ends of 0..1 are rates; beyond them is refused
    assert two_sided_threshold(1.0, 0.0) == 0.5
    for a, b in ((1.01, 0.1), (0.4, -0.01)):
        with pytest.raises(ParameterError, match=r"rate=.* is outside the valid range 0 to 1"):
            two_sided_threshold(a, b)


def test_gap_needed_by_hand():
    # both move at s = 0.25: (1 - s)(a - b)/s = 0.75 * 0.3 / 0.25 = 0.9
    assert float(gap_needed(0.4, 0.1, 0.25)) == pytest.approx(0.9, rel=1e-12)
    # fixed comparator: (b - (1 - s) a) / s = (0.1 - 0.3) / 0.25 = -0.8 (no rate could overturn it)
    assert float(gap_needed(0.4, 0.1, 0.25, comparator_moves=False)) == pytest.approx(-0.8, rel=1e-12)
    # all councils silent (s = 1) is allowed: the gap is 0, or b itself
    assert float(gap_needed(0.4, 0.1, 1.0)) == 0.0 and float(gap_needed(0.4, 0.1, 1.0, False)) == pytest.approx(0.1)
    for share in (0.0, 1.01, [0.5, 0.0]):
        with pytest.raises(ParameterError, match="share must lie above 0 and at most 1"):
            gap_needed(0.4, 0.1, share)


def test_all_council_rate_and_its_checks():
    from helpers.nonresponse.two_sided import all_council_rate, check_fraction

    # (1 - 0.25) * 0.4 + 0.25 * 0.8 = 0.3 + 0.2 = 0.5
    assert all_council_rate(0.4, 0.25, 0.8) == pytest.approx(0.5, rel=1e-12)
    assert all_council_rate(0, 1, 1) == 1.0 and isinstance(check_fraction("x", 1), float)
    assert check_fraction("x", np.float64(0.5)) == 0.5
    for bad in (True, "0.5", 1.5, -0.1, None):
        with pytest.raises(ParameterError, match=f"silent_rate must be a fraction from 0 to 1; got {bad!r}"):
            all_council_rate(0.4, 0.25, bad)


def test_one_accounting_by_hand():
    from helpers.nonresponse.two_sided import one_accounting

    # 300 of 400 answered: floor 100/400 = 0.25; with 20% of children in silent councils the stacked
    # share is 0.2 + 0.8 * 0.25 = 0.4
    floor, stacked = one_accounting(300, 400, 0.2)
    assert floor == pytest.approx(0.25, rel=1e-12) and stacked == pytest.approx(0.4, rel=1e-12)
    assert one_accounting(400, 400, 0.0) == (0.0, 0.0) and one_accounting(1, 4, 1.0) == (0.75, 1.0)
    for answered, counted in ((0, 10), (11, 10)):
        with pytest.raises(ParameterError, match=f"answered={answered!r} must lie above 0 and at most counted"):
            one_accounting(answered, counted, 0.2)
    for share in (-0.1, 1.1):
        with pytest.raises(ParameterError, match="silent_share=.* must be a fraction from 0 to 1"):
            one_accounting(3, 4, share)


def test_tipping_surface_in_long_form_by_hand():
    # a = 0.4 with 25% silent, b = 0.1 with 50% silent, silent rates on 0, 0.5, 1:
    # A = 0.3 + 0.25 qa, B = 0.05 + 0.5 qb, difference = 0.25 + 0.25 qa - 0.5 qb
    s = tipping_surface(0.4, 0.1, 0.25, 0.5, steps=3)
    assert list(s.columns) == ["silent_a", "silent_b", "difference"]
    assert s["silent_a"].tolist() == [0, 0.5, 1] * 3 and s["silent_b"].tolist() == [0] * 3 + [0.5] * 3 + [1] * 3
    expected = [0.25 + 0.25 * qa - 0.5 * qb for qb in (0, 0.5, 1) for qa in (0, 0.5, 1)]
    assert s["difference"].tolist() == pytest.approx(expected, abs=1e-12)
    assert len(tipping_surface(0.4, 0.1, 0.25, 0.5)) == 101 * 101
    with pytest.raises(ParameterError, match="outside the valid range"):
        tipping_surface(0.4, 0.1, 1.5, 0.5)


def test_child_share_columns_without_and_with_shares():
    from types import SimpleNamespace

    from helpers.nonresponse.two_sided import child_share_columns

    empty = child_share_columns([None, None], 0.4, 0.1, True)
    assert set(empty) == set(TWO_SIDED_COLUMNS[-9:-2]) and empty["child_share_source"] == ""
    assert all(np.isnan(empty[c]) for c in TWO_SIDED_COLUMNS[-9:-3])

    def side(group, low, high, draws):
        dist = SimpleNamespace(group=group, year=2024, report_year=2024, measure="uasc_at_31_march")
        return SimpleNamespace(low=low, high=high, draws=np.asarray(draws, float), distribution=dist)

    draws_a = np.linspace(0.1, 0.3, 101)  # percentiles 5, 50, 95: 0.11, 0.2, 0.29
    draws_b = np.full(101, 0.15)
    got = child_share_columns(
        [side("trafficked", 0.05, 0.4, draws_a), side("unaccompanied", 0.1, 0.3, draws_b)], 0.4, 0.1, True
    )
    # the larger share of the two sides, draw by draw: max(a, 0.15)
    both = np.maximum(draws_a, draws_b)
    assert got["child_share_low"] == 0.1 and got["child_share_high"] == 0.4
    assert got["child_share_p05"] == pytest.approx(np.percentile(both, 5))
    assert got["child_share_p50"] == pytest.approx(0.2) and got["child_share_p95"] == pytest.approx(0.29)
    assert got["child_share_source"] == (
        "trafficked: DfE unaccompanied asylum-seeking children looked after at 31 March, 2024; "
        "unaccompanied: DfE unaccompanied asylum-seeking children looked after at 31 March, 2024"
    )
    # a census comparator: only the first side's draws count
    fixed = child_share_columns([side("trafficked", 0.05, 0.4, draws_a), None], 0.4, 0.1, False)
    # and a year standing in for the report's says so
    older = side("trafficked", 0.05, 0.4, draws_a)
    older.distribution.year = 2023
    assert child_share_columns([older], 0.4, 0.1, False)["child_share_source"].endswith("2023 standing in for 2024")
    assert fixed["child_share_p05"] == pytest.approx(0.11) and fixed["child_share_high"] == 0.4


def test_report_child_shares_of_until_harm_ends_and_of_a_report_without_shares(ledger):
    from helpers.nonresponse.two_sided import report_child_shares, silent_shares
    from helpers.nonresponse.where_children_are import child_distribution, silent_child_share

    view = report_view(ledger.figures, "until-harm-ends")
    shares = report_child_shares(ledger, view)
    assert sorted(shares) == ["trafficked", "unaccompanied"]
    councils = silent_shares(ledger, view)
    for group, share in shares.items():
        # the report's latest year (2024), its group, and the report id as the key of the silent draw
        assert (share.distribution.group, share.distribution.year) == (group, 2024)
        direct = silent_child_share(
            child_distribution(ledger.councils, ledger.council_years, group, 2024),
            councils[group][0],
            key="until-harm-ends",
        )
        assert (share.low, share.high) == (direct.low, direct.high)
        assert np.array_equal(share.draws, direct.draws)
    empty = report_view(ledger.figures, "exploited-looked-after-children")
    assert report_child_shares(ledger, empty) == {}
    # a report without conclusions gives an empty table that keeps its columns
    table = numbers_only(ledger, empty)
    assert table.empty and list(table.columns) == TWO_SIDED_COLUMNS
