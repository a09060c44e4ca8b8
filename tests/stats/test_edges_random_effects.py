"""Edges of helpers/stats/random_effects.py: every field of the fit by the normal equations, every
message, non-default alpha and design effect, and the GLM rows against statsmodels called directly.

All rows are made up (synthetic rounds), not the ledger's.
"""

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import optimize, stats

from helpers.ledger.errors import ParameterError
from helpers.present import trend_words
from helpers.stats import random_effects as re_

DEFAULTS = {"still-in-harms-way": "original", "until-harm-ends": "guardian"}  # is_default in data/versions.csv

ROWS = pd.DataFrame(
    {
        "year": [2015, 2017, 2018, 2020, 2024],
        "missing": [167, 200, 240, 190, 864],
        "not_missing": [420, 600, 500, 520, 1471],
    }
)
# Rates that scatter widely (log odds from -2 to +1.4): tau2 above 1, so the root search must widen.
WIDE = pd.DataFrame({"year": [1, 2, 3, 4, 5], "missing": [10, 200, 30, 400, 25], "not_missing": [90, 50, 170, 100, 75]})
# Rates almost on one logit line: no excess variation.
FLAT = pd.DataFrame({"year": [0, 1, 2, 3], "missing": [100, 110, 121, 133], "not_missing": [900, 890, 879, 867]})


def effects(frame):
    s, f = frame["missing"].to_numpy(float), frame["not_missing"].to_numpy(float)
    return np.log(s / f), 1 / s + 1 / f


def design(frame):
    x = frame["year"].to_numpy(float)
    return np.column_stack([np.ones(len(x)), x - x.min()])


def wls(y, v, X, tau2):
    w = 1 / (v + tau2)
    xtwx = X.T @ (X * w[:, None])
    beta = np.linalg.solve(xtwx, X.T @ (w * y))
    q = float(np.sum(w * (y - X @ beta) ** 2))
    return beta, np.linalg.inv(xtwx), q


def pm_by_hand(y, v, X):
    dof = len(y) - X.shape[1]
    if wls(y, v, X, 0)[2] <= dof:
        return 0.0
    return optimize.brentq(lambda t: wls(y, v, X, t)[2] - dof, 0, 1e4, xtol=1e-14)


# ---------------------------------------------------------------- logit_effects


def test_logit_effects_of_other_columns_and_their_messages():
    frame = pd.DataFrame({"a": [1, 3], "b": [4, 1]})
    y, v = re_.logit_effects(frame, "a", "b")
    assert y.tolist() == pytest.approx([math.log(1 / 4), math.log(3)]) and v.tolist() == pytest.approx([1.25, 4 / 3])
    with pytest.raises(ParameterError) as err:
        re_.logit_effects(frame, "a", "c")
    assert str(err.value) == "no column 'c' in the data (columns: a, b)"
    with pytest.raises(ParameterError, match=r"^no column 'missing' in the data \(columns: a, b\)$"):
        re_.logit_effects(frame)
    bad = pd.DataFrame({"missing": [0, 1, 2, 3, 4, 5, 6, 1], "not_missing": [5, 0, -1, None, 9, 9, 9, 1]})
    bad.loc[5, "missing"] = 0
    bad.loc[6, "missing"] = 0
    with pytest.raises(ParameterError) as err:
        re_.logit_effects(bad)
    # the first five bad rows are named
    assert str(err.value) == "rows [0, 1, 2, 3, 5] need positive 'missing' and 'not_missing' counts for a log odds"
    ok = re_.logit_effects(pd.DataFrame({"missing": [1], "not_missing": [1]}))
    assert ok[0].tolist() == [0.0] and ok[1].tolist() == [2.0]


# ---------------------------------------------------------------- tau2


def test_paule_mandel_root_above_one_sets_q_to_its_degrees_of_freedom():
    y, v = effects(WIDE)
    X = design(WIDE)
    tau2 = re_.tau2_paule_mandel(y, v, X)
    assert tau2 > 1  # the bracket had to grow from 1
    assert tau2 == pytest.approx(pm_by_hand(y, v, X), rel=1e-9)
    assert wls(y, v, X, tau2)[2] == pytest.approx(3, rel=1e-9)


def test_paule_mandel_zero_when_q_is_at_most_its_degrees_of_freedom():
    y, v = effects(FLAT)
    assert wls(y, v, design(FLAT), 0)[2] < 2
    assert re_.tau2_paule_mandel(y, v, design(FLAT)) == 0.0


def test_paule_mandel_intercept_only_between_zero_and_one():
    y, v = effects(ROWS)
    X = np.ones((5, 1))
    tau2 = re_.tau2_paule_mandel(y, v, X)
    assert 0 < tau2 < 1 and tau2 == pytest.approx(pm_by_hand(y, v, X), rel=1e-9)


@pytest.mark.parametrize("fn", [re_.tau2_paule_mandel, re_.tau2_reml])
def test_tau2_needs_a_residual_degree_of_freedom(fn):
    y, v = effects(ROWS.iloc[:2])
    with pytest.raises(ParameterError) as err:
        fn(y, v, design(ROWS.iloc[:2]))
    assert str(err.value) == "2 rows for 2 coefficients: no residual degrees of freedom for tau2"
    y, v = effects(ROWS.iloc[:3])
    assert fn(y, v, design(ROWS.iloc[:3])) >= 0  # one degree of freedom is enough


def reml_by_hand(y, v, X):
    """The restricted log likelihood written out, maximised over a fine grid then polished."""

    def neg(t):
        w = 1 / (v + t)
        xtwx = X.T @ (X * w[:, None])
        beta = np.linalg.solve(xtwx, X.T @ (w * y))
        r = y - X @ beta
        return 0.5 * (np.sum(np.log(v + t)) + np.log(np.linalg.det(xtwx)) + np.sum(w * r**2))

    grid = np.concatenate([[0.0], np.geomspace(1e-6, 50, 4000)])
    best = grid[np.argmin([neg(t) for t in grid])]
    if best == 0.0:
        return 0.0
    return optimize.minimize_scalar(neg, bounds=(best / 1.01, best * 1.01), method="bounded").x


@pytest.mark.parametrize("frame", [ROWS, WIDE])
def test_reml_matches_the_restricted_likelihood_by_hand(frame):
    y, v = effects(frame)
    X = design(frame)
    assert re_.tau2_reml(y, v, X) == pytest.approx(reml_by_hand(y, v, X), rel=1e-4)


def test_reml_is_zero_at_the_boundary():
    y, v = effects(FLAT)
    assert reml_by_hand(y, v, design(FLAT)) == 0.0
    assert re_.tau2_reml(y, v, design(FLAT)) == 0.0


# ---------------------------------------------------------------- fit_meta_regression


@pytest.mark.parametrize(("frame", "alpha", "deff"), [(ROWS, 0.05, 1.0), (WIDE, 0.1, 1.0), (FLAT, 0.2, 2.5)])
def test_every_field_of_the_fit_by_the_normal_equations(frame, alpha, deff):
    y, v = effects(frame)
    v = v * deff
    X = design(frame)
    tau2 = pm_by_hand(y, v, X)
    beta, inv, q = wls(y, v, X, tau2)
    df = len(y) - 2
    scale = max(q / df, 1.0)  # Knapp-Hartung, floored at 1
    se = math.sqrt(inv[1, 1] * scale)
    t = stats.t.ppf(1 - alpha / 2, df)
    q0 = wls(y, v, X, 0)[2]
    fit = re_.fit_meta_regression(frame, alpha=alpha, within_deff=deff)
    assert (fit.k, fit.first_year, fit.df, fit.method) == (len(y), int(frame["year"].min()), df, "pm")
    assert fit.tau2 == pytest.approx(tau2, rel=1e-7, abs=1e-12)
    assert fit.slope == pytest.approx(beta[1], rel=1e-7)
    assert fit.scale == pytest.approx(scale, rel=1e-7)
    assert fit.std_err == pytest.approx(se, rel=1e-6)
    assert fit.ratio == pytest.approx(math.exp(beta[1]), rel=1e-7)
    assert (fit.ci_low, fit.ci_high) == pytest.approx(
        (math.exp(beta[1] - t * se), math.exp(beta[1] + t * se)), rel=1e-6
    )
    assert fit.p_value == pytest.approx(2 * stats.t.sf(abs(beta[1] / se), df), rel=1e-6)
    assert fit.i2 == pytest.approx(max(0.0, (q0 - df) / q0), rel=1e-7, abs=1e-12)
    assert fit.params.tolist() == pytest.approx(beta.tolist(), rel=1e-7)
    assert fit.cov.tolist()[1] == pytest.approx((inv * scale).tolist()[1], rel=1e-6)


def test_flat_rows_floor_the_scale_and_give_zero_i2():
    fit = re_.fit_meta_regression(FLAT)
    assert fit.scale == 1.0 and fit.tau2 == 0.0 and fit.i2 == 0.0


def test_reml_method_is_named_and_used():
    fit = re_.fit_meta_regression(WIDE, method="reml")
    y, v = effects(WIDE)
    assert fit.method == "reml" and fit.tau2 == pytest.approx(re_.tau2_reml(y, v, design(WIDE)))


def test_fit_messages():
    with pytest.raises(ParameterError, match=r"^a trend with a between-report variance needs at least 3 rows; got 2$"):
        re_.fit_meta_regression(ROWS.iloc[:2])
    with pytest.raises(ParameterError, match=r"^no column 'when' in the data$"):
        re_.fit_meta_regression(ROWS, year="when")
    for deff in (0.99, float("nan"), True, float("inf")):
        with pytest.raises(ParameterError) as err:
            re_.fit_meta_regression(ROWS, within_deff=deff)
        assert str(err.value) == f"within_deff must be a design effect of at least 1; got {deff!r}"
    with pytest.raises(ParameterError, match="method"):
        re_.fit_meta_regression(ROWS, method="dl")
    with pytest.raises(ParameterError, match="alpha"):
        re_.fit_meta_regression(ROWS, alpha=1)
    assert re_.fit_meta_regression(ROWS.iloc[:3]).df == 1


def test_other_column_names():
    frame = ROWS.rename(columns={"missing": "s", "not_missing": "f", "year": "t"})
    fit = re_.fit_meta_regression(frame, "s", "f", "t")
    assert fit.slope == pytest.approx(re_.fit_meta_regression(ROWS).slope)


# ---------------------------------------------------------------- ratio_against_first


@pytest.mark.parametrize(("tau2", "df", "alpha"), [(0.0, 3, 0.05), (0.05, 2, 0.1)])
def test_ratio_against_first_every_column_by_hand(tau2, df, alpha):
    frame = ROWS.iloc[[2, 0, 4]]  # out of order: the earliest year is the reference
    out = re_.ratio_against_first(frame, tau2, df, alpha=alpha)
    assert list(out.columns) == [
        "year",
        "rate",
        "is_reference",
        "odds_ratio",
        "or_low",
        "or_high",
        "risk_ratio",
        "rr_low",
        "rr_high",
        "risk_difference",
        "rd_low",
        "rd_high",
    ]
    assert out["year"].tolist() == [2015, 2018, 2024]
    assert out["is_reference"].tolist() == [True, False, False]
    s = np.array([167, 240, 864.0])
    f = np.array([420, 500, 1471.0])
    p, v = s / (s + f), 1 / s + 1 / f
    t = stats.t.ppf(1 - alpha / 2, df)
    assert out["rate"].tolist() == pytest.approx(p.tolist())
    assert out.iloc[0][["or_low", "or_high", "rr_low", "rr_high", "rd_low", "rd_high"]].isna().all()
    assert (out.iloc[0]["odds_ratio"], out.iloc[0]["risk_ratio"], out.iloc[0]["risk_difference"]) == (1.0, 1.0, 0.0)
    for j in (1, 2):
        row = out.iloc[j]
        log_or = math.log(s[j] / f[j]) - math.log(s[0] / f[0])
        se_or = math.sqrt(v[j] + v[0] + 2 * tau2)
        assert row["odds_ratio"] == pytest.approx(math.exp(log_or))
        assert (row["or_low"], row["or_high"]) == pytest.approx(
            (math.exp(log_or - t * se_or), math.exp(log_or + t * se_or))
        )
        se_rr = math.sqrt((1 - p[j]) ** 2 * (v[j] + tau2) + (1 - p[0]) ** 2 * (v[0] + tau2))
        assert row["risk_ratio"] == pytest.approx(p[j] / p[0])
        assert (row["rr_low"], row["rr_high"]) == pytest.approx(
            (p[j] / p[0] * math.exp(-t * se_rr), p[j] / p[0] * math.exp(t * se_rr))
        )
        se_rd = math.sqrt((p[j] * (1 - p[j])) ** 2 * (v[j] + tau2) + (p[0] * (1 - p[0])) ** 2 * (v[0] + tau2))
        assert row["risk_difference"] == pytest.approx(p[j] - p[0])
        assert (row["rd_low"], row["rd_high"]) == pytest.approx((p[j] - p[0] - t * se_rd, p[j] - p[0] + t * se_rd))


def test_ratio_against_first_messages():
    with pytest.raises(ParameterError, match=r"^tau2 must be >= 0; got -0.1$"):
        re_.ratio_against_first(ROWS, -0.1, 3)
    with pytest.raises(ParameterError, match="alpha"):
        re_.ratio_against_first(ROWS, 0.1, 3, alpha=0)


# ---------------------------------------------------------------- leave_one_out


def test_leave_one_out_rows_and_message():
    out = re_.leave_one_out(ROWS.iloc[[3, 0, 1, 2]], alpha=0.1, method="reml")
    assert list(out.columns) == ["left_out", "k", "ratio", "ci_low", "ci_high", "df", "tau2", "p_value"]
    assert out["left_out"].tolist() == [2015, 2017, 2018, 2020]
    assert out["k"].tolist() == [3] * 4 and out["df"].tolist() == [1] * 4
    fit = re_.fit_meta_regression(ROWS.iloc[[1, 2, 3]], alpha=0.1, method="reml")
    assert out.iloc[0][["ratio", "ci_low", "ci_high", "tau2", "p_value"]].tolist() == pytest.approx(
        [fit.ratio, fit.ci_low, fit.ci_high, fit.tau2, fit.p_value]
    )
    with pytest.raises(ParameterError, match=r"^leave-one-out needs at least 4 rows; got 3$"):
        re_.leave_one_out(ROWS.iloc[:3])


# ---------------------------------------------------------------- ratio_sentence


@pytest.mark.parametrize(
    ("ratio", "low", "high", "expected"),
    [
        (1.0, 0.92, 1.08, "odds about unchanged a year; the interval runs from an 8% fall to an 8% rise"),
        (1.004, 0.998, 1.011, "odds about unchanged a year; the interval runs from no change to a 1% rise"),
        (0.82, 0.89, 1.18, "odds down about 18% a year; the interval runs from an 11% fall to an 18% rise"),
        (1.85, 1.8, 1.07, "odds up about 85% a year; the interval runs from an 80% rise to a 7% rise"),
        (1.0, 0.88, 1.12, "odds about unchanged a year; the interval runs from a 12% fall to a 12% rise"),
    ],
)
def test_ratio_sentence_articles_and_directions(ratio, low, high, expected):
    assert trend_words.ratio_sentence(ratio, low, high) == expected


def test_ratio_sentence_other_words_and_messages():
    assert trend_words.ratio_sentence(0.5, 0.25, 1.0, what="risk", per="per report") == (
        "risk down about 50% per report; the interval runs from a 75% fall to no change"
    )
    for name, args in (("ratio", (0, 1, 1)), ("low", (1, float("nan"), 1)), ("high", (1, 1, float("inf")))):
        with pytest.raises(ParameterError) as err:
            trend_words.ratio_sentence(*args)
        assert (
            str(err.value)
            == f"{name} must be a positive finite ratio; got {args[('ratio', 'low', 'high').index(name)]!r}"
        )


# ---------------------------------------------------------------- one_row_per_round


def test_one_row_per_round_rules():
    series = pd.DataFrame({"report_id": ["a", "a", "b", "c"], "year": [2018, 2020, 2015, 2010]})
    reports = pd.DataFrame({"report_id": ["a", "b"], "headline_period": ["2019/2020", 2015]})
    kept = re_.one_row_per_round(series, reports)
    # c is not in the reports table: its own year stands
    assert kept["year"].tolist() == [2020, 2015, 2010] and kept.index.tolist() == [0, 1, 2]
    separate = re_.one_row_per_round(series.iloc[[3, 0]], reports, how="separate")
    assert separate.index.tolist() == [0, 1] and separate["year"].tolist() == [2010, 2018]
    with pytest.raises(ParameterError, match="how"):
        re_.one_row_per_round(series, reports, how="all")


# ---------------------------------------------------------------- trend_models and trend_findings


def glm_slope(frame, quasi, alpha):
    endog = frame[["missing", "not_missing"]].to_numpy(float)
    X = sm.add_constant(frame["year"].to_numpy(float) - frame["year"].min())
    fit = sm.GLM(endog, X, family=sm.families.Binomial()).fit()
    b, se = fit.params[1], fit.bse[1]
    df = len(frame) - 2
    if quasi:
        scale = max(fit.pearson_chi2 / df, 1.0)
        se, q = se * math.sqrt(scale), stats.t.ppf(1 - alpha / 2, df)
        p = 2 * stats.t.sf(abs(b / se), df)
    else:
        scale, q, p = 1.0, stats.norm.ppf(1 - alpha / 2), 2 * stats.norm.sf(abs(b / fit.bse[1]))
    return math.exp(b), math.exp(b - q * se), math.exp(b + q * se), scale, p


def test_trend_models_three_rows_per_group_against_statsmodels():
    series = pd.concat(
        [
            ROWS.assign(group="trafficked"),
            FLAT.iloc[:2].assign(group="few"),  # two years: no trend
            WIDE.assign(group="wide"),
        ],
        ignore_index=True,
    )
    out = re_.trend_models(series, alpha=0.1)
    assert list(out.columns) == [
        "group",
        "model",
        "estimate",
        "ci_low",
        "ci_high",
        "df",
        "tau2",
        "dispersion",
        "p_value",
        "k",
    ]
    assert out["group"].tolist() == ["trafficked"] * 3 + ["wide"] * 3
    assert out["model"].tolist() == ["random_effects", "quasi_binomial", "binomial"] * 2
    assert out["k"].tolist() == [5] * 6
    for start, frame in ((0, ROWS), (3, WIDE)):
        fit = re_.fit_meta_regression(frame, alpha=0.1)
        re_row, quasi, binom = out.iloc[start], out.iloc[start + 1], out.iloc[start + 2]
        assert re_row[["estimate", "ci_low", "ci_high", "tau2", "p_value"]].tolist() == pytest.approx(
            [fit.ratio, fit.ci_low, fit.ci_high, fit.tau2, fit.p_value]
        )
        assert re_row["df"] == 3 and pd.isna(re_row["dispersion"])
        ratio, low, high, scale, p = glm_slope(frame, True, 0.1)
        assert [quasi[c] for c in ("estimate", "ci_low", "ci_high", "dispersion", "p_value")] == pytest.approx(
            [ratio, low, high, scale, p], rel=1e-5
        )
        assert quasi["df"] == 3 and pd.isna(quasi["tau2"])
        ratio, low, high, scale, p = glm_slope(frame, False, 0.1)
        assert [binom[c] for c in ("estimate", "ci_low", "ci_high", "dispersion", "p_value")] == pytest.approx(
            [ratio, low, high, 1.0, p], rel=1e-5
        )
        assert pd.isna(binom["df"]) and pd.isna(binom["tau2"])


def test_trend_models_method_and_default_alpha():
    out = re_.trend_models(WIDE.assign(group="g"), method="reml")
    fit = re_.fit_meta_regression(WIDE, method="reml")
    assert out.iloc[0]["tau2"] == pytest.approx(fit.tau2) and out.iloc[0]["ci_low"] == pytest.approx(fit.ci_low)


def test_trend_findings_word_for_word():
    models = pd.DataFrame(
        {
            "group": ["unaccompanied", "unaccompanied", "trafficked"],
            "model": ["random_effects", "binomial", "random_effects"],
            "estimate": [0.9, 0.9, 1.3],
            "ci_low": [0.85, 0.8, 1.0],
            "ci_high": [0.95, 1.0, 1.6],
            "df": [3.0, np.nan, 2.0],
            "k": [5, 5, 4],
        }
    )
    loo = pd.DataFrame({"group": ["unaccompanied"] * 2 + ["trafficked"] * 2, "estimate": [0.8, 0.95, 1.01, 1.2]})
    assert trend_words.trend_findings(models, loo) == [
        "Unaccompanied children: a detectable trend; odds down about 10% a year; the interval runs from a 15% "
        "fall to a 5% fall (random-effects model, 5 reports, 95% CI (random effects, t on 3 df)); the interval "
        "excludes no change. Leaving out one report at a time moves the estimate between 0.800 and 0.950; it "
        "keeps its direction.",
        "Trafficked children: inconclusive; odds up about 30% a year; the interval runs from no change to "
        "a 60% rise (random-effects model, 4 reports, 95% CI (random effects, t on 2 df)); the interval includes "
        "no change. Leaving out one report at a time moves the estimate between 1.010 and 1.200; it keeps its "
        "direction.",
    ]
    lines = trend_words.trend_findings(models, loo.iloc[:1])
    assert lines[1].endswith("the interval includes no change.")
    assert trend_words.trend_findings(models)[0].endswith("the interval excludes no change.")
    assert trend_words.trend_findings(models.assign(ci_high=[1.0, 1.0, 1.6]))[0].endswith("includes no change.")


# ---------------------------------------------------------------- risk_difference_between_reports


def test_risk_difference_default_alpha_zero_tau2_and_messages():
    d, low, high = re_.risk_difference_between_reports(1, 4, 3, 4, tau2=0.0, df=1, alpha=0.2)
    var = 2 * (0.25 * 0.75) ** 2 * (1 + 1 / 3)
    half = stats.t.ppf(0.9, 1) * math.sqrt(var)
    assert (d, low, high) == pytest.approx((0.5, 0.5 - half, 0.5 + half))
    d95 = re_.risk_difference_between_reports(1, 4, 3, 4, tau2=0.0, df=1)
    assert d95[2] - d95[0] == pytest.approx(stats.t.ppf(0.975, 1) * math.sqrt(var))
    for args in ((0, 4, 3, 4), (1, 4, 4, 4), (5, 4, 1, 4)):
        with pytest.raises(ParameterError, match="each count must lie strictly between 0 and its total; got "):
            re_.risk_difference_between_reports(*args, tau2=0.1, df=2)
    with pytest.raises(ParameterError) as err:
        re_.risk_difference_between_reports(1, 4, 3, 4, tau2=-0.1, df=2)
    assert str(err.value) == "tau2 must be >= 0 and df >= 1; got -0.1 and 2"
    with pytest.raises(ParameterError, match=r"got 0.1 and 0$"):
        re_.risk_difference_between_reports(1, 4, 3, 4, tau2=0.1, df=0)
    with pytest.raises(ParameterError, match="alpha"):
        re_.risk_difference_between_reports(1, 4, 3, 4, tau2=0.1, df=2, alpha=2)


# ---------------------------------------------------------------- found by mutation testing


def test_messages_name_the_parameter():
    with pytest.raises(ParameterError, match=r"^method='dl' is not valid; valid values: pm, reml$"):
        re_.fit_meta_regression(ROWS, method="dl")
    with pytest.raises(ParameterError, match=r"^how='all' is not valid; valid values: headline, separate$"):
        re_.one_row_per_round(ROWS.assign(report_id="r"), pd.DataFrame({"report_id": [], "headline_period": []}), "all")
    bad = ROWS.astype({"missing": object, "not_missing": object})
    bad.loc[1, "missing"] = "x"
    bad.loc[2, "not_missing"] = "y"
    with pytest.raises(ParameterError, match=r"^rows \[1, 2\] need positive"):
        re_.logit_effects(bad)


def test_one_row_per_round_returns_the_rows_alone():
    series = pd.DataFrame({"report_id": ["a", "b"], "year": [2018, 2020]}, index=[4, 9])
    reports = pd.DataFrame({"report_id": ["a", "b"], "headline_period": ["2018", "2020"]})
    for how in ("headline", "separate"):
        out = re_.one_row_per_round(series, reports, how)
        assert list(out.columns) == ["report_id", "year"] and list(out.index) == [0, 1]


@pytest.mark.parametrize("frame", [ROWS, WIDE])
def test_reml_fit_scales_its_covariance_by_the_floored_knapp_hartung_scale(frame):
    y, v = effects(frame)
    X = design(frame)
    fit = re_.fit_meta_regression(frame, method="reml")
    beta, inv, q = wls(y, v, X, fit.tau2)
    scale = max(q / (len(y) - 2), 1.0)
    assert fit.scale == pytest.approx(scale, rel=1e-6)
    assert fit.cov.tolist()[1] == pytest.approx((inv * scale).tolist()[1], rel=1e-5)
    assert fit.std_err == pytest.approx(math.sqrt(inv[1, 1] * scale), rel=1e-5)


def test_leave_one_out_and_ratio_against_first_pass_on_their_column_names_and_method():
    frame = WIDE.rename(columns={"missing": "s", "not_missing": "f", "year": "t"})
    out = re_.leave_one_out(frame, "s", "f", "t", method="reml")
    fit = re_.fit_meta_regression(WIDE.iloc[1:], method="reml")
    assert out["left_out"].tolist() == [1, 2, 3, 4, 5]
    assert (out.iloc[0]["tau2"], out.iloc[0]["ratio"]) == pytest.approx((fit.tau2, fit.ratio))
    ratios = re_.ratio_against_first(frame, 0.1, 3, "s", "f", "t")
    assert ratios["odds_ratio"].tolist() == pytest.approx(re_.ratio_against_first(WIDE, 0.1, 3)["odds_ratio"].tolist())


def test_ratio_against_first_keeps_the_order_of_rows_of_one_year():
    # two rows for 2015: the first listed is the reference (a stable sort)
    frame = pd.DataFrame({"year": [2018] + [2015] * 20, "missing": [5] + list(range(1, 21)), "not_missing": [5] * 21})
    out = re_.ratio_against_first(frame, 0.0, 3)
    assert out["rate"].tolist()[:3] == pytest.approx([1 / 6, 2 / 7, 3 / 8]) and out["year"].tolist()[-1] == 2018


def test_quasi_binomial_scale_is_floored_at_one_for_rows_on_a_line():
    out = re_.trend_models(FLAT.assign(group="g"), alpha=0.05).set_index("model")
    endog = FLAT[["missing", "not_missing"]].to_numpy(float)
    X = sm.add_constant(FLAT["year"].to_numpy(float))
    fit = sm.GLM(endog, X, family=sm.families.Binomial()).fit()
    assert fit.pearson_chi2 / 2 < 1
    t = stats.t.ppf(0.975, 2)
    b, se = fit.params[1], fit.bse[1]
    quasi = out.loc["quasi_binomial"]
    assert quasi["dispersion"] == 1.0
    assert (quasi["ci_low"], quasi["ci_high"]) == pytest.approx((math.exp(b - t * se), math.exp(b + t * se)), rel=1e-6)
    assert out.loc["binomial", "dispersion"] == 1.0


# ---------------------------------------------------------------- on the ledger: the composed tables


def test_between_report_variance_is_each_groups_trend_tau2(ledger):
    from helpers.stats.series import report_series

    groups = ["trafficked", "unaccompanied"]
    for versions, method in (
        (None, "pm"),
        ({"still-in-harms-way": "revised", "until-harm-ends": "independent"}, "reml"),
    ):
        got = re_.between_report_variance(ledger.figures, ledger.reports, groups, versions, method)
        series = re_.one_row_per_round(report_series(ledger.figures, versions or DEFAULTS, groups), ledger.reports)
        expected = {}
        for group in groups:
            part = series[series["group"] == group].reset_index(drop=True)
            if len(part) >= 3:
                fit = re_.fit_meta_regression(part, method=method)
                expected[group] = (fit.tau2, fit.df)
        assert list(got) == list(expected) and len(got) >= 1
        for group in expected:
            assert got[group][0] == pytest.approx(expected[group][0]) and got[group][1] == expected[group][1]


def test_trend_table_rows_for_every_version_pair(ledger):
    from helpers.stats.series import report_series

    table = re_.trend_table(ledger.figures, ledger.reports, ["trafficked"], alpha=0.1, method="reml")
    versions_columns = ["still_in_harms_way_version", "until_harm_ends_version"]  # one per report with versions
    assert list(table.columns) == re_.TREND_COLUMNS[:2] + versions_columns + re_.TREND_COLUMNS[2:]
    assert str(table["df"].dtype) == "Int64"
    pairs = {tuple(p) for p in table[["still_in_harms_way_version", "until_harm_ends_version"]].values}
    assert pairs == {(s, u) for s in ("original", "revised") for u in ("guardian", "independent")}
    versions = {"still-in-harms-way": "revised", "until-harm-ends": "independent"}
    series = re_.one_row_per_round(report_series(ledger.figures, versions, ["trafficked"], 0.1), ledger.reports)
    mine = table[
        (table["still_in_harms_way_version"] == "revised") & (table["until_harm_ends_version"] == "independent")
    ]
    full = mine[mine["left_out"] == ""]
    models = re_.trend_models(series, 0.1, "reml")
    assert full["model"].tolist() == models["model"].tolist()
    assert full["estimate"].tolist() == pytest.approx(models["estimate"].tolist())
    assert full["ci_low"].tolist() == pytest.approx(models["ci_low"].tolist())
    loo = mine[mine["left_out"] != ""]
    if len(series) >= 4:
        expected = re_.leave_one_out(series, method="reml", alpha=0.1)
        assert loo["left_out"].tolist() == [str(y) for y in expected["left_out"]]
        assert loo["estimate"].tolist() == pytest.approx(expected["ratio"].tolist())
        assert loo["ci_high"].tolist() == pytest.approx(expected["ci_high"].tolist())
        assert loo["tau2"].tolist() == pytest.approx(expected["tau2"].tolist())
        assert loo["p_value"].tolist() == pytest.approx(expected["p_value"].tolist())
        assert loo["df"].tolist() == expected["df"].tolist()
        assert (loo["model"] == "random_effects").all() and loo["dispersion"].isna().all()
        assert (loo["group"] == "trafficked").all()
    separate = re_.trend_table(ledger.figures, ledger.reports, ["trafficked"], one_round="separate")
    assert len(separate) >= len(re_.trend_table(ledger.figures, ledger.reports, ["trafficked"]))


def test_paule_mandel_widens_its_bracket_past_ten():
    wild = pd.DataFrame({"year": [1, 2, 3, 4, 5], "missing": [1, 999, 1, 999, 2], "not_missing": [999, 1, 999, 1, 998]})
    y, v = effects(wild)
    tau2 = re_.tau2_paule_mandel(y, v, design(wild))
    assert tau2 > 10 and tau2 == pytest.approx(pm_by_hand(y, v, design(wild)), rel=1e-9)


def test_ratio_sentence_at_one_per_cent():
    assert trend_words.ratio_sentence(1.01, 1.0, 1.02).startswith("odds up about 1% a year")


@pytest.mark.parametrize(("estimates", "words"), [([1.0, 1.2], "changes direction"), ([0.8, 1.0], "changes direction")])
def test_trend_findings_at_exactly_no_change(estimates, words):
    models = pd.DataFrame(
        {
            "group": ["g"],
            "model": ["random_effects"],
            "estimate": [1.1],
            "ci_low": [0.9],
            "ci_high": [1.3],
            "df": [2],
            "k": [4],
        }
    )
    loo = pd.DataFrame({"group": ["g", "g"], "estimate": estimates})
    assert trend_words.trend_findings(models, loo)[0].endswith(f"it {words}.")


def test_trend_models_keep_group_order_and_model_three_years():
    series = pd.concat([WIDE.assign(group="wide"), ROWS.iloc[:3].assign(group="three")], ignore_index=True)
    out = re_.trend_models(series)
    assert out["group"].tolist() == ["wide"] * 3 + ["three"] * 3
    assert out["k"].tolist()[3:] == [3, 3, 3]


def test_between_report_variance_defaults_and_group_order(ledger):
    groups = ["unaccompanied", "trafficked"]
    got = re_.between_report_variance(ledger.figures, ledger.reports, groups)
    pm = re_.between_report_variance(ledger.figures, ledger.reports, groups, DEFAULTS, "pm")
    assert got == pm
    from helpers.stats.series import report_series

    series = report_series(ledger.figures, DEFAULTS, groups)
    order = list(dict.fromkeys(series["group"]))
    assert list(got) == [g for g in order if g in got]


def test_trend_table_passes_on_the_method_and_the_round_rule(ledger):
    from helpers.stats.series import report_series

    versions = {"still-in-harms-way": "original", "until-harm-ends": "guardian"}
    table = re_.trend_table(ledger.figures, ledger.reports, ["unaccompanied"], method="reml")
    series = re_.one_row_per_round(report_series(ledger.figures, versions, ["unaccompanied"]), ledger.reports)
    mine = table[
        (table["still_in_harms_way_version"] == "original")
        & (table["until_harm_ends_version"] == "guardian")
        & (table["left_out"] == "")
        & (table["model"] == "random_effects")
    ]
    assert mine["tau2"].tolist() == pytest.approx([re_.fit_meta_regression(series, method="reml").tau2])
    separate = re_.trend_table(ledger.figures, ledger.reports, ["unaccompanied"], one_round="separate")
    headline = re_.trend_table(ledger.figures, ledger.reports, ["unaccompanied"])
    assert len(separate) > len(headline)  # When Harm Remains' two periods count as two rounds
