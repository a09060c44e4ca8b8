"""helpers.stats.random_effects and the council-variation interval, against hand arithmetic or another statsmodels route."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.meta_analysis import combine_effects

from helpers.ledger.errors import ParameterError
from helpers.present import trend_words
from helpers.stats import random_effects as re_
from helpers.stats import rates

pytestmark = pytest.mark.filterwarnings("error")

# Made-up report rows (not the ledger): five rounds whose rates scatter more than binomial sampling allows.
ROWS = pd.DataFrame(
    {
        "year": [2015, 2017, 2018, 2020, 2024],
        "missing": [167, 200, 240, 190, 864],
        "not_missing": [420, 600, 500, 520, 1471],
    }
)


def hand_effects(frame=ROWS):
    s, f = frame["missing"].to_numpy(float), frame["not_missing"].to_numpy(float)
    return np.log(s / f), 1 / s + 1 / f


def hand_wls(y, v, x, tau2):
    """Weighted least squares by the normal equations, written out."""
    w = 1 / (v + tau2)
    X = np.column_stack([np.ones_like(x), x])
    xtwx = X.T @ (X * w[:, None])
    beta = np.linalg.solve(xtwx, X.T @ (w * y))
    resid = y - X @ beta
    return beta, np.linalg.inv(xtwx), float(np.sum(w * resid**2))


def test_logit_effects_are_log_odds_and_their_variance():
    y, v = re_.logit_effects(ROWS)
    assert y[0] == pytest.approx(math.log(167 / 420)) and v[0] == pytest.approx(1 / 167 + 1 / 420)


def test_paule_mandel_intercept_only_matches_statsmodels_combine_effects():
    y, v = hand_effects()
    mine = re_.tau2_paule_mandel(y, v, np.ones((len(y), 1)))
    theirs = combine_effects(y, v, method_re="iterated")  # statsmodels' Paule-Mandel iteration
    assert mine == pytest.approx(theirs.tau2, rel=1e-4)


def test_paule_mandel_with_a_slope_sets_q_to_its_degrees_of_freedom():
    y, v = hand_effects()
    x = ROWS["year"].to_numpy(float) - 2015
    tau2 = re_.tau2_paule_mandel(y, v, np.column_stack([np.ones_like(x), x]))
    assert tau2 > 0
    assert hand_wls(y, v, x, tau2)[2] == pytest.approx(len(y) - 2, rel=1e-6)


def test_no_excess_variation_gives_tau2_zero():
    y = np.array([0.0, 0.1, 0.2])  # exactly on a line: Q(0) = 0
    assert re_.tau2_paule_mandel(y, np.array([0.1, 0.1, 0.1]), np.column_stack([np.ones(3), [0, 1, 2]])) == 0.0


def test_reml_maximises_the_restricted_likelihood_on_a_grid():
    y, v = hand_effects()
    x = ROWS["year"].to_numpy(float) - 2015
    X = np.column_stack([np.ones_like(x), x])

    def restricted(t):
        beta, inv, q = hand_wls(y, v, x, t)
        return -0.5 * (np.sum(np.log(v + t)) + np.log(np.linalg.det(np.linalg.inv(inv))) + q)

    grid = np.linspace(0, 0.5, 50001)
    best = grid[np.argmax([restricted(t) for t in grid])]
    assert re_.tau2_reml(y, v, X) == pytest.approx(best, abs=2e-5)


def test_meta_regression_slope_interval_by_hand():
    fit = re_.fit_meta_regression(ROWS)
    y, v = hand_effects()
    x = ROWS["year"].to_numpy(float) - 2015
    beta, inv, q = hand_wls(y, v, x, fit.tau2)
    scale = max(q / 3, 1.0)  # Knapp-Hartung scale on k - 2 = 3 df, floored at 1
    se = math.sqrt(inv[1, 1] * scale)
    t = stats.t.ppf(0.975, 3)
    assert fit.df == 3 and fit.k == 5
    assert fit.ratio == pytest.approx(math.exp(beta[1]), rel=1e-9)
    assert (fit.ci_low, fit.ci_high) == pytest.approx(
        (math.exp(beta[1] - t * se), math.exp(beta[1] + t * se)), rel=1e-7
    )
    assert fit.p_value == pytest.approx(2 * stats.t.sf(abs(beta[1] / se), 3), rel=1e-6)
    q0 = hand_wls(y, v, x, 0.0)[2]
    assert fit.i2 == pytest.approx((q0 - 3) / q0, rel=1e-9)


def test_meta_regression_needs_three_rows():
    with pytest.raises(ParameterError, match="at least 3 rows"):
        re_.fit_meta_regression(ROWS.head(2))


def test_ratio_against_first_adds_tau2_to_each_side():
    table = re_.ratio_against_first(ROWS, tau2=0.02, df=3)
    y, v = hand_effects()
    t = stats.t.ppf(0.975, 3)
    last = table.iloc[-1]
    se = math.sqrt(v[-1] + v[0] + 0.04)
    assert last["odds_ratio"] == pytest.approx(math.exp(y[-1] - y[0]))
    assert last["or_low"] == pytest.approx(math.exp(y[-1] - y[0] - t * se))
    p0, p4 = 167 / 587, 864 / 2335
    assert last["risk_ratio"] == pytest.approx(p4 / p0) and last["risk_difference"] == pytest.approx(p4 - p0)
    se_rd = math.sqrt((p4 * (1 - p4)) ** 2 * (v[-1] + 0.02) + (p0 * (1 - p0)) ** 2 * (v[0] + 0.02))
    assert last["rd_high"] == pytest.approx(p4 - p0 + t * se_rd)
    assert table.iloc[0]["is_reference"] and math.isnan(table.iloc[0]["or_low"])


def test_leave_one_out_equals_refits_without_each_row():
    loo = re_.leave_one_out(ROWS)
    assert list(loo["left_out"]) == [2015, 2017, 2018, 2020, 2024]
    refit = re_.fit_meta_regression(ROWS.drop(index=4))
    assert loo.iloc[4]["ratio"] == pytest.approx(refit.ratio) and loo.iloc[4]["df"] == 2


def test_ratio_sentence_reads_the_issue_example():
    assert (
        trend_words.ratio_sentence(1.059, 0.957, 1.170)
        == "odds up about 6% a year; the interval runs from a 4% fall to a 17% rise"
    )
    assert (
        trend_words.ratio_sentence(0.99, 0.914, 1.074)
        == "odds down about 1% a year; the interval runs from a 9% fall to a 7% rise"
    )
    assert (
        trend_words.ratio_sentence(0.99, 0.92, 1.11)
        == "odds down about 1% a year; the interval runs from an 8% fall to an 11% rise"
    )
    with pytest.raises(ParameterError):
        trend_words.ratio_sentence(1.0, -1, 2)


def test_one_row_per_round_keeps_the_headline_period():
    series = pd.DataFrame(
        {"report_id": ["when-harm-remains", "when-harm-remains", "until-harm-ends"], "year": [2018, 2020, 2024]}
    )
    reports = pd.DataFrame({"report_id": ["when-harm-remains", "until-harm-ends"], "headline_period": ["2020", "2024"]})
    assert list(re_.one_row_per_round(series, reports)["year"]) == [2020, 2024]
    assert list(re_.one_row_per_round(series, reports, "separate")["year"]) == [2018, 2020, 2024]


# ----------------------------------------------------------------------------- quasi-binomial floor and t
def test_quasi_binomial_uses_t_on_residual_df_and_floors_the_scale():
    from helpers.stats.trends import fit_binomial_glm, tidy

    # Rows almost exactly on a logit line: Pearson scale well below 1, floored to 1.
    data = pd.DataFrame({"year": [0, 1, 2, 3], "missing": [100, 110, 121, 133], "not_missing": [900, 890, 879, 867]})
    plain = fit_binomial_glm(data, "missing", "not_missing", year_as="linear")
    quasi = fit_binomial_glm(data, "missing", "not_missing", year_as="linear", scale="X2", use_t=True, scale_floor=1)
    assert plain.pearson_chi2 / 2 < 1 and quasi.scale == 1.0
    slope, se = plain.params["year"], plain.bse["year"]
    row = tidy(quasi).set_index("term").loc["year"]
    t = stats.t.ppf(0.975, 2)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((slope - t * se, slope + t * se), rel=1e-6)


def test_trend_findings_sentence():
    models = pd.DataFrame(
        [
            {
                "group": "trafficked",
                "model": "random_effects",
                "estimate": 1.059,
                "ci_low": 0.957,
                "ci_high": 1.170,
                "df": 2.0,
                "k": 4,
            }
        ]
    )
    loo = pd.DataFrame({"group": ["trafficked"] * 2, "left_out": [2015, 2024], "estimate": [0.98, 1.08]})
    (line,) = trend_words.trend_findings(models, loo)
    assert line == (
        "Trafficked children: inconclusive; odds up about 6% a year; the interval runs from a 4% fall "
        "to a 17% rise (random-effects model, 4 reports, 95% CI (random effects, t on 2 df)); the interval "
        "includes no change. Leaving out one "
        "report at a time moves the estimate between 0.980 and 1.080; it changes direction."
    )


# ----------------------------------------------------------------------------- count models (appendix)
def _national(counts):
    rows = []
    for year, (incidents, children) in counts.items():
        rows += [
            {"year": year, "measure": "missing_incidents", "value": incidents},
            {"year": year, "measure": "children_missing", "value": children},
        ]
    return pd.DataFrame(rows)


def test_incident_models_pearson_and_quasi_interval_by_another_route():
    import statsmodels.api as sm

    from helpers.stats.series import incident_models, sign_runs

    counts = {2015: (500, 100), 2016: (640, 110), 2017: (600, 120), 2018: (820, 125), 2019: (700, 130)}
    table = incident_models(_national(counts)).set_index("model")
    y = np.array([c[0] for c in counts.values()], float)
    expo = np.array([c[1] for c in counts.values()], float)
    X = np.column_stack([np.ones(5), np.arange(5.0)])
    # The discrete-model Poisson (a different statsmodels route from the GLM) with a log offset.
    fit = sm.Poisson(y, X, offset=np.log(expo)).fit(disp=False)
    mu = fit.predict(X, offset=np.log(expo))
    pearson = float(np.sum((y - mu) ** 2 / mu) / 3)
    assert table.loc["Poisson", "pearson_chi2_df"] == pytest.approx(pearson, rel=1e-6)
    se = fit.bse[1] * math.sqrt(pearson)
    t = stats.t.ppf(0.975, 3)
    quasi = table.loc["quasi-Poisson (t)"]
    assert (quasi["ci_low"], quasi["ci_high"]) == pytest.approx(
        (math.exp(fit.params[1] - t * se), math.exp(fit.params[1] + t * se)), rel=1e-5
    )
    assert sign_runs([-1, -2, 3, 4, -1]) == 3 and sign_runs([1, 2]) == 1


def test_risk_difference_between_reports_by_hand():
    d, low, high = re_.risk_difference_between_reports(378, 1231, 864, 2335, tau2=0.02, df=2)
    p1, p2 = 378 / 1231, 864 / 2335
    var = (p1 * (1 - p1)) ** 2 * (1 / 378 + 1 / 853 + 0.02) + (p2 * (1 - p2)) ** 2 * (1 / 864 + 1 / 1471 + 0.02)
    half = stats.t.ppf(0.975, 2) * math.sqrt(var)
    assert (d, low, high) == pytest.approx((p2 - p1, p2 - p1 - half, p2 - p1 + half))
    # With the same tau2 and df it matches the last row of ratio_against_first for two rows.
    two = pd.DataFrame({"year": [2020, 2024], "missing": [378, 864], "not_missing": [853, 1471]})
    row = re_.ratio_against_first(two, 0.02, 2).iloc[1]
    assert (row["rd_low"], row["rd_high"]) == pytest.approx((low, high))


def test_headline_table_flags_two_council_sets_from_the_column_only():
    from helpers.ledger.tables import load_ledger

    figures = load_ledger(validate=False).figures
    hbth = figures[figures["report_id"] == "heading-back-to-harm"]
    # The ledger's column flags the not-found share (207 from 45 councils against 760 from about 200).
    flagged = rates.headline_table(hbth)
    flagged = flagged[flagged["comparability"] == "different_council_set"]
    assert list(flagged["measure"]) == ["not_found"] and flagged[["ci_low", "ci_high"]].isna().all().all()
    # Without the column no report is singled out by name (a report's facts are data).
    plain = rates.headline_table(hbth.drop(columns=["comparability"]))
    assert (plain["comparability"] == "").all()
    # With the column, it decides: marking nothing leaves every pair computable.
    marked = rates.headline_table(hbth.assign(comparability=""))
    assert (marked["comparability"] == "").all() and marked["ci_low"].notna().all()


def test_trend_findings_name_the_interval_at_a_non_default_alpha():
    models = pd.DataFrame(
        [
            {
                "group": "unaccompanied",
                "model": "random_effects",
                "estimate": 0.8,
                "ci_low": 0.7,
                "ci_high": 0.9,
                "df": 2,
                "k": 4,
            }
        ]
    )
    (line,) = trend_words.trend_findings(models, alpha=0.1)
    assert line.startswith("Unaccompanied children: a detectable trend; odds down about 20% a year")
    assert "90% CI (random effects, t on 2 df)" in line and line.endswith("excludes no change.")
