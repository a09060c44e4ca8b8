"""Q-profile, the Bayesian grid, the design-effect trend and points per year, each checked a second way."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from bayes_oracle import second_route_posterior  # the same posterior by SciPy quad (tests/oracles)
from scipy import optimize, stats

from helpers.ledger.errors import ParameterError
from helpers.ledger.tables import load_ledger
from helpers.present import trend_words
from helpers.stats import bayes, heterogeneity, trend_summary
from helpers.stats.random_effects import fit_meta_regression, logit_effects, one_row_per_round
from helpers.stats.series import nrm_alongside, report_series

pytestmark = pytest.mark.filterwarnings("error")

VERSIONS = {"still-in-harms-way": "original", "until-harm-ends": "guardian"}
# Made-up rounds (not the ledger) whose rates scatter more than binomial sampling allows.
ROWS = pd.DataFrame(
    {"year": [2015, 2017, 2020, 2024], "missing": [167, 200, 240, 864], "not_missing": [420, 600, 500, 1471]}
)


@pytest.fixture(scope="module")
def series():
    ledger = load_ledger(validate=False)
    return one_row_per_round(report_series(ledger.figures, VERSIONS, ["trafficked", "unaccompanied"]), ledger.reports)


def data_of(frame):
    y, v = logit_effects(frame)
    return y, v, trend_summary.design_matrix(frame)


def q_by_statsmodels(y, v, X, tau2):
    fit = sm.WLS(y, X, weights=1 / (v + tau2)).fit()
    return float(np.sum(fit.wresid**2))


def test_generalised_q_matches_statsmodels_wls():
    y, v, X = data_of(ROWS)
    for tau2 in (0.0, 0.05, 0.7):
        assert heterogeneity.generalised_q(y, v, X, tau2) == pytest.approx(q_by_statsmodels(y, v, X, tau2))


@pytest.mark.parametrize("alpha", [0.05, 0.1])
def test_q_profile_ends_match_a_brute_force_root_find(alpha):
    y, v, X = data_of(ROWS)
    out = heterogeneity.q_profile(y, v, X, 0.1, alpha)
    df = len(y) - 2
    # Brute force: Q on a fine log grid of tau2 (statsmodels' WLS), then bisection on the bracketing step.
    grid = np.concatenate([[0.0], np.logspace(-6, 2, 4001)])
    q = np.array([q_by_statsmodels(y, v, X, t) for t in grid])
    for target, end in ((stats.chi2.ppf(1 - alpha / 2, df), "tau2_low"), (stats.chi2.ppf(alpha / 2, df), "tau2_high")):
        if q[0] <= target:
            assert out[end] == 0.0
            continue
        i = int(np.argmax(q < target))
        a, b = grid[i - 1], grid[i]
        for _ in range(80):
            mid = (a + b) / 2
            a, b = (mid, b) if q_by_statsmodels(y, v, X, mid) > target else (a, mid)
        assert out[end] == pytest.approx((a + b) / 2, rel=1e-6)
    assert out["tau2_low"] < out["tau2_high"]


def test_typical_variance_by_hand():
    # Intercept only, equal variances v: P = (I - J/k) / v, trace (k - 1) / v, so s2 = v.
    assert heterogeneity.typical_variance([0.02] * 5, np.ones((5, 1))) == pytest.approx(0.02)


def test_q_profile_of_the_trafficked_trend_reproduces_the_review(series):
    table = trend_summary.heterogeneity_table(series).set_index("group")
    row = table.loc["trafficked"]
    # The review: tau2 from 0.001 to 1.07 and I2 from 0.18 to 1.00.
    assert row["tau2_low"] == pytest.approx(0.001, abs=0.0005) and row["tau2_high"] == pytest.approx(1.07, abs=0.02)
    assert row["i2_low"] == pytest.approx(0.18, abs=0.01) and row["i2_high"] > 0.99
    assert row["tau2_low"] <= row["tau2"] <= row["tau2_high"]
    assert row["i2"] == pytest.approx(row["tau2"] / (row["tau2"] + row["s2"]))


def test_q_profile_refuses_a_negative_tau2():
    y, v, X = data_of(ROWS)
    with pytest.raises(ParameterError, match="tau2"):
        heterogeneity.q_profile(y, v, X, -0.1)


@pytest.mark.parametrize("alpha", [0.05, 0.2])
def test_grid_posterior_matches_scipy_quad(alpha):
    y, v, X = data_of(ROWS)
    post = bayes.slope_posterior(y, v, X, prior_scale=0.5, alpha=alpha)
    cdf = second_route_posterior(y, v, X, 0.5)
    assert post.p_increase == pytest.approx(1 - cdf(0.0), abs=2e-3)
    median = optimize.brentq(lambda b: cdf(b) - 0.5, -1, 1, xtol=1e-8)
    low = optimize.brentq(lambda b: cdf(b) - alpha / 2, -2, 2, xtol=1e-8)
    assert post.ratio == pytest.approx(np.exp(median), abs=2e-3)
    assert post.ci_low == pytest.approx(np.exp(low), abs=3e-3)


def test_bayes_reproduces_the_review_with_a_half_normal_half(series):
    row = trend_summary.bayes_table(series, (0.5,)).set_index("group").loc["trafficked"]
    # The review: OR 1.060 (0.960 to 1.163), P(OR > 1) = 0.92, prior half-normal with scale 0.5.
    assert row["ratio"] == pytest.approx(1.060, abs=0.002)
    assert row["ci_low"] == pytest.approx(0.960, abs=0.003) and row["ci_high"] == pytest.approx(1.163, abs=0.003)
    assert row["p_increase"] == pytest.approx(0.92, abs=0.005)


def test_bayes_refuses_a_bad_prior_scale():
    y, v, X = data_of(ROWS)
    with pytest.raises(ParameterError, match="prior_scale"):
        bayes.slope_posterior(y, v, X, prior_scale=0)


def test_design_effect_on_the_within_variance_equals_dividing_the_counts():
    # Dividing both counts by d keeps each log odds and multiplies its variance 1/s + 1/f by d exactly.
    d = 2.5
    scaled = ROWS.assign(missing=ROWS["missing"] / d, not_missing=ROWS["not_missing"] / d)
    a = fit_meta_regression(ROWS, within_deff=d, alpha=0.1)
    b = fit_meta_regression(scaled, alpha=0.1)
    assert (a.ratio, a.ci_low, a.ci_high, a.tau2) == pytest.approx((b.ratio, b.ci_low, b.ci_high, b.tau2))
    with pytest.raises(ParameterError, match="within_deff"):
        fit_meta_regression(ROWS, within_deff=0.5)


def test_design_effect_trend_rows(series):
    table = trend_summary.design_effect_trend(series, {"trafficked": 1.23, "unaccompanied": 2.65}, alpha=0.1)
    assert list(zip(table["group"], table["deff"])) == [
        ("trafficked", 1.0),
        ("trafficked", 1.23),
        ("unaccompanied", 1.0),
        ("unaccompanied", 2.65),
    ]
    unadjusted = fit_meta_regression(series[series["group"] == "trafficked"].reset_index(drop=True), alpha=0.1)
    assert table.iloc[0]["ci_low"] == pytest.approx(unadjusted.ci_low)


def test_points_per_year_by_hand():
    fit = fit_meta_regression(ROWS)
    out = trend_summary.points_per_year(fit, ROWS)
    # Middle of 2015..2024 is 2019.5, 4.5 years after the first; the fitted logit there, then slope p (1 - p).
    p = 1 / (1 + np.exp(-(fit.params[0] + 4.5 * fit.params[1])))
    assert out["points"] == pytest.approx(100 * fit.slope * p * (1 - p))
    assert out["points_low"] == pytest.approx(100 * np.log(fit.ci_low) * p * (1 - p))


def test_trend_evidence_sizes_what_four_reports_could_detect(series):
    from scipy import stats as sps

    for group, detectable in (("trafficked", 2.1), ("unaccompanied", 0.9)):
        part = series[series["group"] == group].reset_index(drop=True)
        fit = fit_meta_regression(part)
        e = trend_summary.trend_evidence(group, fit, part)
        assert not e.conclusive and e.df == 2 and e.k == 4
        p = e.rate_middle
        # the smallest slope whose interval excludes 0 is t(0.975, 2) standard errors, in points a year
        assert e.detectable_points == pytest.approx(100 * p * (1 - p) * sps.t.ppf(0.975, 2) * fit.std_err)
        assert round(e.detectable_points, 1) == detectable
        assert e.points_low < 0 < e.points_high
        assert set(e.p_rise) == {0.25, 0.5, 1.0}
        assert e.p_rise_low == min(e.p_rise.values()) and e.p_rise_high == max(e.p_rise.values())
    trafficked = series[series["group"] == "trafficked"].reset_index(drop=True)
    e = trend_summary.trend_evidence("trafficked", fit_meta_regression(trafficked), trafficked)
    assert (round(e.p_rise_low, 2), round(e.p_rise_high, 2)) == (0.89, 0.96)


def test_trend_lead_calls_an_inconclusive_trend_inconclusive(series):
    part = series[series["group"] == "trafficked"].reset_index(drop=True)
    fit = fit_meta_regression(part, alpha=0.1)
    evidence = trend_summary.trend_evidence("trafficked", fit, part, alpha=0.1)
    text = trend_words.trend_lead("Trafficked children", fit, evidence, alpha=0.1)
    assert text.startswith("Trafficked children: inconclusive across 4 reports.")
    assert "no detectable trend" not in text and "95%" not in text
    assert "90% CI (random effects, t on 2 df)" in text and "percentage points a year" in text
    assert f"only a trend steeper than {evidence.detectable_points:.1f} points a year" in text
    assert f"{evidence.p_rise_low:.2f} to {evidence.p_rise_high:.2f} under half-normal priors" in text


def test_trend_lead_of_a_clear_trend_says_detectable_and_no_detection_limit():
    rows = [(2015, 100, 1000), (2017, 160, 1000), (2020, 260, 1000), (2024, 420, 1000)]
    part = pd.DataFrame(
        [{"group": "g", "year": y, "missing": m, "not_missing": n - m, "in_care": n} for y, m, n in rows]
    )
    fit = fit_meta_regression(part)
    evidence = trend_summary.trend_evidence("g", fit, part, prior_scales=(0.5,))
    assert evidence.conclusive and evidence.points > 0
    text = trend_words.trend_lead("G", fit, evidence)
    assert text.startswith("G: a trend is detectable across 4 reports.")
    assert "steeper than" not in text and "under a half-normal prior on tau with scale 0.5" in text


def test_identification_growth_from_the_ledger():
    ledger = load_ledger(validate=False)
    out = trend_summary.identification_growth(nrm_alongside(ledger.nrm_child_referrals, ledger.figures, VERSIONS))
    # NRM child referrals 979 (2015) -> 7,432 (2023); trafficked children in care 590 (2015) -> 2,335 (2024).
    assert (out["first_year"], out["nrm_last_year"], out["care_last_year"]) == (2015, 2023, 2024)
    assert out["nrm_ratio"] == pytest.approx(7432 / 979) and out["care_ratio"] == pytest.approx(2335 / 590)


def test_table_builders_at_a_non_default_alpha(series):
    het95, het90 = trend_summary.heterogeneity_table(series), trend_summary.heterogeneity_table(series, alpha=0.1)
    # A 90% Q-profile interval lies inside the 95% one (chi-squared quantiles closer to the centre).
    assert (het90["tau2_low"] >= het95["tau2_low"]).all() and (het90["tau2_high"] <= het95["tau2_high"]).all()
    y, v = logit_effects(series[series["group"] == "trafficked"].reset_index(drop=True))
    X = trend_summary.design_matrix(series[series["group"] == "trafficked"])
    low90 = heterogeneity.q_profile(y, v, X, 0.02, alpha=0.1)["tau2_low"]
    assert heterogeneity.generalised_q(y, v, X, low90) == pytest.approx(stats.chi2.ppf(0.95, 2))
    b95, b90 = trend_summary.bayes_table(series, (0.5,)), trend_summary.bayes_table(series, (0.5,), alpha=0.1)
    assert (b90["ci_low"] > b95["ci_low"]).all() and (b90["ci_high"] < b95["ci_high"]).all()
    assert list(b90["ratio"]) == pytest.approx(list(b95["ratio"]))  # the median does not depend on alpha


def test_trend_table_names_its_intervals_at_a_non_default_alpha():
    from helpers.stats.random_effects import trend_table

    ledger = load_ledger(validate=False)
    table = trend_table(ledger.figures, ledger.reports, ["trafficked"], alpha=0.1)
    names = dict(zip(table["model"], table["interval"]))
    assert names == {
        "random_effects": "90% CI (random effects, t on k−2 df)",
        "quasi_binomial": "90% CI (quasi-binomial, t on residual df)",
        "binomial": "90% CI (binomial, sampling only)",
    }
