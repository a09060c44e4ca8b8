"""helpers.stats.trends against values computed by hand (closed forms), never against its own output."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers.ledger.errors import ParameterError
from helpers.stats import trends

# The project treats warnings as defects: every fit in these tests must be silent.
pytestmark = pytest.mark.filterwarnings("error")

Z = stats.norm.ppf(0.975)

# Two years of (went missing, looked after): small made-up counts for hand arithmetic.
X1, N1, X2, N2 = 30, 200, 50, 220
TWO_YEARS = pd.DataFrame({"year": [2020, 2021], "missing": [X1, X2], "cla": [N1, N2]})
TWO_YEARS["not_missing"] = TWO_YEARS["cla"] - TWO_YEARS["missing"]


def hand_log_or():
    return math.log((X2 / (N2 - X2)) / (X1 / (N1 - X1)))


def hand_se_log_or():
    return math.sqrt(1 / X1 + 1 / (N1 - X1) + 1 / X2 + 1 / (N2 - X2))


def council_like(seed=20240601):
    """Synthetic council-year counts (labelled synthetic; never in data/): 7 years x 2 groups x 25 rows."""
    rng = np.random.default_rng(seed)
    rows = []
    for year in range(2018, 2025):
        for group in ("other", "uasc"):
            for _ in range(25):
                n = int(rng.integers(20, 300))
                p = 0.08 + 0.01 * (year - 2018) + (0.05 if group == "uasc" else 0.0)
                rows.append((year, group, int(rng.binomial(n, p)), n))
    return pd.DataFrame(rows, columns=["year", "group", "missing", "cla"])


# ----------------------------------------------------------------------------- binomial GLM
def test_two_year_binomial_coefficient_is_the_hand_log_odds_ratio():
    result = trends.fit_binomial_glm(TWO_YEARS, "missing", "not_missing")
    assert result.params["year[2021]"] == pytest.approx(hand_log_or(), rel=1e-9)
    assert result.bse["year[2021]"] == pytest.approx(hand_se_log_or(), rel=1e-7)
    assert result.params["Intercept"] == pytest.approx(math.log(X1 / (N1 - X1)), rel=1e-9)
    # endog is the 2-column (successes, failures) array
    assert np.asarray(result.model.endog).ndim == 1  # statsmodels stores the proportion ...
    assert np.asarray(result.model.n_trials) == pytest.approx([N1, N2])  # ... with the trials


def test_trials_and_failures_give_the_same_fit():
    a = trends.fit_binomial_glm(TWO_YEARS, "missing", "not_missing")
    b = trends.fit_binomial_glm(TWO_YEARS, "missing", trials="cla")
    assert np.asarray(a.params) == pytest.approx(np.asarray(b.params), rel=1e-12)


def test_tidy_columns_and_odds_ratio_interval_by_hand():
    table = trends.tidy(trends.fit_binomial_glm(TWO_YEARS, "missing", trials="cla")).set_index("term")
    assert list(table.reset_index().columns) == trends.TIDY_COLUMNS
    row = table.loc["year[2021]"]
    b, se = hand_log_or(), hand_se_log_or()
    assert row["ci_low"] == pytest.approx(b - Z * se, rel=1e-7)
    assert row["ci_high"] == pytest.approx(b + Z * se, rel=1e-7)
    assert row["ratio"] == pytest.approx((X2 / (N2 - X2)) / (X1 / (N1 - X1)), rel=1e-9)
    assert row["ratio_ci_low"] == pytest.approx(math.exp(b - Z * se), rel=1e-7)
    assert row["ratio_ci_high"] == pytest.approx(math.exp(b + Z * se), rel=1e-7)
    assert row["p_value"] == pytest.approx(2 * stats.norm.sf(abs(b / se)), rel=1e-6)


def test_ratio_by_year_odds_against_reference_year():
    table = trends.ratio_by_year(TWO_YEARS, "missing", trials="cla")
    assert list(table.columns) == ["year", "ratio", "ci_low", "ci_high", "p_value", "is_reference"]
    ref, other = table.iloc[0], table.iloc[1]
    assert ref["year"] == 2020 and bool(ref["is_reference"]) and ref["ratio"] == 1.0 and math.isnan(ref["ci_low"])
    assert other["ratio"] == pytest.approx(math.exp(hand_log_or()), rel=1e-9)
    assert other["ci_low"] == pytest.approx(math.exp(hand_log_or() - Z * hand_se_log_or()), rel=1e-7)
    # choosing the later year as reference inverts the ratio
    flipped = trends.ratio_by_year(TWO_YEARS, "missing", trials="cla", reference_year=2021)
    assert flipped.set_index("year").loc[2020, "ratio"] == pytest.approx(math.exp(-hand_log_or()), rel=1e-9)


def test_robust_hc0_and_hc1_match_a_hand_sandwich():
    data = council_like()
    result = trends.fit_binomial_glm(data, "missing", trials="cla", group="group", year_as="linear", cov_type="HC0")
    X = np.column_stack([np.ones(len(data)), data["year"] - 2018, (data["group"] == "uasc").astype(float)])
    n, y = data["cla"].to_numpy(float), data["missing"].to_numpy(float)
    p = 1 / (1 + np.exp(-X @ np.asarray(result.params)))
    bread = np.linalg.inv((X * (n * p * (1 - p))[:, None]).T @ X)
    scores = X * (y - n * p)[:, None]
    hc0 = bread @ (scores.T @ scores) @ bread
    assert np.asarray(result.bse) == pytest.approx(np.sqrt(np.diag(hc0)), rel=1e-6)
    hc1 = trends.fit_binomial_glm(data, "missing", trials="cla", group="group", year_as="linear", cov_type="HC1")
    k = X.shape[1]
    assert np.asarray(hc1.bse) == pytest.approx(np.sqrt(np.diag(hc0) * len(data) / (len(data) - k)), rel=1e-6)


def test_quasi_binomial_scale_is_pearson_chi2_over_df():
    data = council_like()
    plain = trends.fit_binomial_glm(data, "missing", trials="cla", group="group", year_as="linear")
    quasi = trends.fit_binomial_glm(data, "missing", trials="cla", group="group", year_as="linear", scale="X2")
    n, y, mu = data["cla"].to_numpy(float), data["missing"].to_numpy(float), plain.mu
    phi = np.sum((y - n * mu) ** 2 / (n * mu * (1 - mu))) / (len(data) - 3)
    assert quasi.scale == pytest.approx(phi, rel=1e-8)
    assert np.asarray(quasi.bse) == pytest.approx(np.asarray(plain.bse) * math.sqrt(phi), rel=1e-6)


# ----------------------------------------------------------------------------- two proportions
def test_compare_proportions_difference_and_wald_interval_by_hand():
    out = trends.compare_proportions(X1, N1, X2, N2, method="wald").iloc[0]
    p1, p2 = X1 / N1, X2 / N2
    assert out["difference"] == pytest.approx(p2 - p1, rel=1e-12)
    half = Z * math.sqrt(p1 * (1 - p1) / N1 + p2 * (1 - p2) / N2)
    assert out["ci_low"] == pytest.approx(p2 - p1 - half, rel=1e-7)
    assert out["ci_high"] == pytest.approx(p2 - p1 + half, rel=1e-7)


def wilson(x, n):
    p = x / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z / (1 + Z**2 / n) * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))
    return centre - half, centre + half


def test_compare_proportions_newcombe_interval_by_hand():
    out = trends.compare_proportions(X1, N1, X2, N2).iloc[0]  # default method: newcomb
    assert out["method"] == "newcomb" and out["test_method"] == "score"
    p1, p2 = X1 / N1, X2 / N2
    (l1, u1), (l2, u2) = wilson(X1, N1), wilson(X2, N2)
    d = p2 - p1
    assert out["difference"] == pytest.approx(d, rel=1e-12)
    assert out["ci_low"] == pytest.approx(d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2), rel=1e-7)
    assert out["ci_high"] == pytest.approx(d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2), rel=1e-7)
    assert out["ci_low"] < d < out["ci_high"]
    assert 0 < out["p_value"] < 1


def test_compare_proportions_wald_test_by_hand():
    out = trends.compare_proportions(X1, N1, X2, N2, test_method="wald").iloc[0]
    p1, p2 = X1 / N1, X2 / N2
    z = (p2 - p1) / math.sqrt(p1 * (1 - p1) / N1 + p2 * (1 - p2) / N2)
    assert out["statistic"] == pytest.approx(z, rel=1e-7)
    assert out["p_value"] == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-6)


def test_compare_proportions_with_zero_counts_is_silent():
    out = trends.compare_proportions(0, 200, 12, 220).iloc[0]
    assert out["difference"] == pytest.approx(12 / 220)
    assert out["ci_low"] < 12 / 220 < out["ci_high"]
    both_zero = trends.compare_proportions(0, 200, 0, 220).iloc[0]
    assert math.isnan(both_zero["p_value"]) and both_zero["ci_low"] < 0 < both_zero["ci_high"]


# ----------------------------------------------------------------------------- counts
def test_poisson_intercept_only_is_the_pooled_rate():
    data = pd.DataFrame({"incidents": [120, 95, 300, 41], "children": [20.0, 16.0, 45.0, 9.0]})
    result = trends.fit_poisson(data, "incidents", "children", year=None)
    assert math.exp(result.params["Intercept"]) == pytest.approx(556 / 90, rel=1e-9)


def test_poisson_two_year_rate_ratio_by_hand():
    c1, e1, c2, e2 = 400, 80.0, 540, 90.0
    data = pd.DataFrame({"year": [2022, 2023], "incidents": [c1, c2], "children": [e1, e2]})
    table = trends.ratio_by_year(data, "incidents", exposure="children", kind="rate").set_index("year")
    se = math.sqrt(1 / c1 + 1 / c2)
    rr = (c2 / e2) / (c1 / e1)
    assert table.loc[2023, "ratio"] == pytest.approx(rr, rel=1e-9)
    assert table.loc[2023, "ci_low"] == pytest.approx(rr * math.exp(-Z * se), rel=1e-7)
    assert table.loc[2023, "ci_high"] == pytest.approx(rr * math.exp(Z * se), rel=1e-7)


def test_negative_binomial_recovers_alpha_on_simulated_data():
    # Synthetic data (simulation, seeded): NB2 counts with alpha = 0.5 and exposure.
    rng = np.random.default_rng(20240601)
    n, true_alpha = 2000, 0.5
    exposure = rng.uniform(50, 500, n)
    group = rng.integers(0, 2, n)
    mu = exposure * np.exp(-3 + 0.4 * group)
    y = rng.negative_binomial(1 / true_alpha, 1 / (1 + true_alpha * mu))
    data = pd.DataFrame({"y": y, "exposure": exposure, "g": np.where(group == 1, "b", "a")})
    result = trends.fit_negative_binomial(data, "y", "exposure", year=None, group="g")
    a = trends.negbin_alpha(result).iloc[0]
    assert a["alpha"] > 0
    assert a["alpha"] == pytest.approx(true_alpha, abs=0.06)
    assert a["ci_low"] < true_alpha < a["ci_high"]
    assert a["ci_low"] == pytest.approx(a["alpha"] * math.exp(-Z * a["std_err"] / a["alpha"]), rel=1e-9)
    assert result.params["g[b]"] == pytest.approx(0.4, abs=0.08)
    table = trends.tidy(result).set_index("term")
    assert math.isnan(table.loc["alpha", "ratio"])
    assert table.loc["g[b]", "ratio"] == pytest.approx(math.exp(result.params["g[b]"]))


def test_negative_binomial_near_poisson_data_stays_positive_and_silent():
    rng = np.random.default_rng(5)
    exposure = rng.uniform(10, 100, 500)
    data = pd.DataFrame({"y": rng.poisson(exposure * 0.1), "exposure": exposure})
    a = trends.negbin_alpha(trends.fit_negative_binomial(data, "y", "exposure", year=None)).iloc[0]
    assert 0 < a["alpha"] < 0.1 and a["ci_low"] > 0


def test_growth_table_by_hand():
    data = pd.DataFrame({"year": [2017, 2015, 2016, 2018], "count": [2114, 979, 1281, None]})
    out = trends.growth_table(data)
    assert list(out.columns) == ["year", "count", "change", "pct_change"]
    assert out["year"].tolist() == [2015, 2016, 2017, 2018]
    assert out["change"].iloc[1] == 1281 - 979
    assert out["pct_change"].iloc[2] == pytest.approx(100 * (2114 - 1281) / 1281)
    assert math.isnan(out["change"].iloc[0]) and math.isnan(out["change"].iloc[3])


# ----------------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize(
    "call, match",
    [
        (
            lambda: trends.fit_binomial_glm(TWO_YEARS.assign(not_missing=[-1, 170]), "missing", "not_missing"),
            "failures: column 'not_missing' must be non-negative",
        ),
        (lambda: trends.fit_binomial_glm(TWO_YEARS, "missing", trials="missing_col"), "no column 'missing_col'"),
        (lambda: trends.fit_binomial_glm(TWO_YEARS, "missing"), "exactly one of failures"),
        (
            lambda: trends.fit_binomial_glm(TWO_YEARS.assign(cla=[20, 220]), "missing", trials="cla"),
            "smaller than successes",
        ),
        (
            lambda: trends.fit_binomial_glm(TWO_YEARS.assign(missing=[30, None]), "missing", trials="cla"),
            "missing or non-numeric",
        ),
        (
            lambda: trends.fit_binomial_glm(TWO_YEARS.assign(missing=[0, 50]), "missing", trials="cla"),
            "year = 2020 has no successes",
        ),
        (
            lambda: trends.fit_binomial_glm(TWO_YEARS, "missing", trials="cla", cov_type="HC3"),
            "cov_type='HC3' is not valid; valid values: nonrobust, HC0, HC1",
        ),
        (lambda: trends.fit_binomial_glm(TWO_YEARS, "missing", trials="cla", cov_type="HC0"), "saturated"),
        (lambda: trends.fit_binomial_glm(TWO_YEARS, "missing", trials="cla", reference_year=1999), "reference_year"),
        (
            lambda: trends.compare_proportions(30, 200, 50, 220, method="exact"),
            "method='exact' is not valid; valid values: newcomb",
        ),
        (
            lambda: trends.compare_proportions(30, 200, 50, 220, test_method="newcomb"),
            "test_method='newcomb' is not valid; valid values: score",
        ),
        (lambda: trends.compare_proportions(230, 200, 50, 220), "first count must lie between 0"),
        (lambda: trends.compare_proportions(30, 200, 50, 220, alpha=5), "alpha must be"),
        (
            lambda: trends.ratio_by_year(TWO_YEARS, "missing", trials="cla", kind="risk"),
            "kind='risk' is not valid; valid values: odds, rate",
        ),
        (lambda: trends.fit_poisson(TWO_YEARS.assign(cla=[0, 220]), "missing", "cla"), "must be positive"),
        (lambda: trends.fit_negative_binomial(TWO_YEARS, "missing", "cla"), "needs more than"),
        (lambda: trends.growth_table(pd.DataFrame({"year": [2015, 2015], "count": [1, 2]})), "repeats years"),
    ],
)
def test_bad_inputs_raise_parameter_error(call, match):
    with pytest.raises(ParameterError, match=match):
        call()


def test_negbin_alpha_needs_a_negative_binomial_result():
    with pytest.raises(ParameterError, match="no 'alpha' parameter"):
        trends.negbin_alpha(trends.fit_binomial_glm(TWO_YEARS, "missing", trials="cla"))


def test_hc1_is_hc0_times_n_over_n_minus_k_for_negative_binomial_and_poisson():
    data = council_like().assign(incidents=lambda d: d["missing"] * 3 + 1)
    nb0 = trends.fit_negative_binomial(data, "incidents", "cla", year_as="linear", cov_type="HC0")
    nb1 = trends.fit_negative_binomial(data, "incidents", "cla", year_as="linear", cov_type="HC1")
    n, k = len(data), 3  # intercept, year, alpha
    assert np.asarray(nb1.bse) == pytest.approx(np.asarray(nb0.bse) * math.sqrt(n / (n - k)), rel=1e-6)
    p0 = trends.fit_poisson(data, "incidents", "cla", year_as="linear", cov_type="HC0")
    p1 = trends.fit_poisson(data, "incidents", "cla", year_as="linear", cov_type="HC1")
    assert np.asarray(p1.bse) == pytest.approx(np.asarray(p0.bse) * math.sqrt(n / (n - 2)), rel=1e-9)
    # Poisson HC0 by hand: bread (X'WX)^-1 with W = mu, meat sum of (y - mu)^2 x x'
    X = np.column_stack([np.ones(n), data["year"] - 2018])
    mu = data["cla"].to_numpy(float) * np.exp(X @ np.asarray(p0.params))
    bread = np.linalg.inv((X * mu[:, None]).T @ X)
    scores = X * (data["incidents"].to_numpy(float) - mu)[:, None]
    assert np.asarray(p0.bse) == pytest.approx(np.sqrt(np.diag(bread @ scores.T @ scores @ bread)), rel=1e-6)


def test_nrm_alongside_has_one_row_per_year_with_uk_counts_only(ledger):
    # CYP Now places When Harm Remains' 960 and 1,231 in England; only the UK rows may enter, once each.
    from helpers.stats.series import nrm_alongside

    table = nrm_alongside(
        ledger.nrm_child_referrals, ledger.figures, {"still-in-harms-way": "original", "until-harm-ends": "guardian"}
    )
    assert table["year"].is_unique
    in_care = table.set_index("year")["trafficked_in_care"]
    assert (in_care[2015], in_care[2017], in_care[2018], in_care[2020]) == (590, 1015, 960, 1231)


# ----------------------------------------------------------------------------- t or normal reference
def three_years():
    # three years so that a linear trend leaves one residual degree of freedom
    return pd.DataFrame({"year": [2020, 2021, 2022], "missing": [30, 50, 45], "cla": [200, 220, 210]})


def test_p_values_are_normal_by_default_and_t_when_asked():
    plain = trends.fit_binomial_glm(three_years(), "missing", trials="cla", year_as="linear")
    z = plain.params["year"] / plain.bse["year"]
    # the default reference is the normal: p = 2 (1 - Phi(|z|))
    assert plain.pvalues["year"] == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-9)
    # use_t without a scale: the same estimate and error, p from t on 3 - 2 = 1 degree of freedom
    t = trends.fit_binomial_glm(three_years(), "missing", trials="cla", year_as="linear", use_t=True)
    assert t.bse["year"] == pytest.approx(plain.bse["year"], rel=1e-12)
    assert t.pvalues["year"] == pytest.approx(2 * stats.t.sf(abs(z), 1), rel=1e-9)


def test_refusals_name_the_reference_group_and_the_separated_level():
    data = council_like()
    with pytest.raises(
        ParameterError, match=r"reference_group must be one of the groups in the data \['other', 'uasc'\]"
    ):
        trends.fit_binomial_glm(data, "missing", trials="cla", group="group", reference_group="nobody")
    none_in_2021 = TWO_YEARS.assign(missing=[X1, 0])
    with pytest.raises(
        ParameterError, match=r"^year = 2021 has no successes; .*\(perfect separation\)\. Pool or drop that level$"
    ):
        trends.fit_binomial_glm(none_in_2021, "missing", trials="cla")


def test_compare_proportions_names_both_rates_and_allows_all_of_a_total():
    out = trends.compare_proportions(X1, N1, X2, N2).iloc[0]
    assert out["p1"] == pytest.approx(X1 / N1, rel=1e-12) and out["p2"] == pytest.approx(X2 / N2, rel=1e-12)
    # every child of the second group went missing: 220 of 220 is a count, not an error
    full = trends.compare_proportions(X1, N1, N2, N2).iloc[0]
    assert full["p2"] == 1.0 and full["difference"] == pytest.approx(1 - X1 / N1, rel=1e-12)
