"""helpers.stats.clustering against hand arithmetic, a brute-force likelihood and the DfE data."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers.ledger.errors import ParameterError
from helpers.stats import clustering as de
from helpers.stats.rates import headline_table

pytestmark = pytest.mark.filterwarnings("error")

# A small made-up example (not the ledger): six clusters whose rates differ more than binomial.
X = [2, 8, 5, 12, 1, 9]
N = [20, 20, 20, 25, 15, 30]


def hand_loglik(mean, icc, x=X, n=N):
    """Beta-binomial log likelihood written out with log-gamma functions."""
    a, b = mean * (1 - icc) / icc, (1 - mean) * (1 - icc) / icc
    total = 0.0
    for xi, ni in zip(x, n):
        log_choose = math.lgamma(ni + 1) - math.lgamma(xi + 1) - math.lgamma(ni - xi + 1)
        log_beta = lambda p, q: math.lgamma(p) + math.lgamma(q) - math.lgamma(p + q)  # noqa: E731
        total += log_choose + log_beta(xi + a, ni - xi + b) - log_beta(a, b)
    return total


def test_design_effect_by_hand():
    # Equal sizes: 1 + (m - 1) rho = 1 + 16 x 0.01 = 1.16; unequal (cv^2 = 0.5): 1 + (1.5 x 17 - 1) x 0.01.
    assert de.design_effect(0.01, 17) == pytest.approx(1.16)
    assert de.design_effect(0.01, 17, 0.5) == pytest.approx(1.245)
    # The review's numbers: rho 0.009 at 17 children per council gives about 1.14 with equal sizes.
    assert de.design_effect(0.009, 17) == pytest.approx(1.144)
    # Fewer than one child per council cannot make the variance smaller than binomial.
    assert de.design_effect(0.2, 0.5) == 1.0
    assert list(de.design_effect(0.01, np.array([1.0, 101.0]))) == pytest.approx([1.0, 2.0])
    with pytest.raises(ParameterError, match="icc"):
        de.design_effect(1.5, 10)


def test_size_cv2_by_hand():
    # sizes 10, 20, 30: mean 20, population variance (100 + 0 + 100) / 3, cv^2 = 66.67 / 400 = 1/6.
    assert de.size_cv2([10, 20, 30]) == pytest.approx(1 / 6)
    with pytest.raises(ParameterError, match="two"):
        de.size_cv2([5])


def test_beta_binomial_fit_is_the_maximum_of_the_hand_written_likelihood():
    fit = de.fit_beta_binomial(X, N)
    # Brute force: a fine grid of (mean, icc) around the optimum never beats the fitted point.
    means = np.linspace(0.1, 0.5, 161)
    iccs = np.linspace(0.005, 0.4, 159)
    best = max((hand_loglik(m, r), m, r) for m in means for r in iccs)
    assert fit["loglik"] == pytest.approx(hand_loglik(fit["mean"], fit["icc"]), abs=1e-8)
    assert fit["loglik"] >= best[0] - 1e-9
    assert (fit["mean"], fit["icc"]) == pytest.approx((best[1], best[2]), abs=0.01)


def test_beta_binomial_recovers_a_known_correlation():
    rng = np.random.default_rng(11)
    mean, icc = 0.12, 0.02
    a, b = mean * (1 - icc) / icc, (1 - mean) * (1 - icc) / icc
    n = rng.integers(100, 900, size=2000)
    x = rng.binomial(n, rng.beta(a, b, size=n.size))
    fit = de.fit_beta_binomial(x, n)
    assert fit["icc"] == pytest.approx(icc, rel=0.15) and fit["mean"] == pytest.approx(mean, rel=0.03)


def test_beta_binomial_refuses_impossible_counts():
    with pytest.raises(ParameterError, match="between 0 and its n"):
        de.fit_beta_binomial([5, 30], [10, 20])


def test_dfe_icc_of_2024_and_dfe_size(ledger):
    icc = de.council_icc(ledger.council_years)
    assert icc["year"] == 2024 and icc["clusters"] > 140
    assert 0.007 < icc["icc"] < 0.011  # the review: about 0.009
    # The Pearson dispersion of all looked-after children (~7) is roughly the design effect at DfE's own
    # council size (~780): 1 + 779 x 0.009 is about 8.
    assert 6 < de.design_effect(icc["icc"], icc["mean_size"]) < 10


def quad_icc(sigma, rate):
    """The ICC of logit-normal council rates with mean ``rate``, by adaptive quadrature (not Gauss-Hermite)."""
    from scipy import integrate, optimize, special

    def moment(mu, k):
        f = lambda z: special.expit(mu + sigma * z) ** k * stats.norm.pdf(z)  # noqa: E731
        return integrate.quad(f, -12, 12, epsabs=1e-13)[0]

    mu = optimize.brentq(lambda m: moment(m, 1) - rate, -20, 20, xtol=1e-13)
    return (moment(mu, 2) - rate**2) / (rate * (1 - rate))


def test_the_icc_at_a_rate_of_a_known_logit_spread():
    # At sigma 0.30 the first-order (delta) value is sigma^2 rate (1 - rate): 0.09 x 0.37 x 0.63 = 0.0210;
    # the exact one is a little smaller. The review quoted about 0.0206 at 37%.
    assert de.icc_at_rate(0.30, 0.37) == pytest.approx(quad_icc(0.30, 0.37), rel=1e-6)
    assert de.icc_at_rate(0.30, 0.37) == pytest.approx(0.0202, abs=5e-5)
    assert de.icc_at_rate(0.30, 0.125) == pytest.approx(quad_icc(0.30, 0.125), rel=1e-6)
    assert de.icc_at_rate(0.30, 0.125) == pytest.approx(0.0099, abs=5e-5)
    # Small spread: the delta method is exact to first order.
    assert de.icc_at_rate(0.01, 0.2) == pytest.approx(0.01**2 * 0.2 * 0.8, rel=1e-3)
    assert de.icc_at_rate(0.0, 0.3) == 0.0 and np.isnan(de.icc_at_rate(0.3, 0.0))
    with pytest.raises(ParameterError, match="sigma"):
        de.icc_at_rate(-0.1, 0.3)
    # The transfer: the same councils, two rates, two design effects (m = 17.3, cv^2 = 0.54; m = 85, cv^2 = 1.17).
    assert de.design_effect(de.icc_at_rate(0.30, 0.37), 17.3, 0.54) == pytest.approx(
        1 + (1.54 * 17.3 - 1) * quad_icc(0.30, 0.37), rel=1e-6
    )


def hand_logit_normal_loglik(mu, sigma, x=X, n=N):
    """Logit-normal binomial log likelihood, each cluster's integral by adaptive quadrature."""
    from scipy import integrate, special

    total = 0.0
    for xi, ni in zip(x, n):
        f = lambda z, xi=xi, ni=ni: stats.binom.pmf(xi, ni, special.expit(mu + sigma * z)) * stats.norm.pdf(z)  # noqa: E731
        total += math.log(integrate.quad(f, -12, 12, epsabs=1e-14)[0])
    return total


def test_logit_normal_fit_is_the_maximum_of_the_hand_written_likelihood():
    fit = de.fit_logit_normal(X, N)
    assert fit["loglik"] == pytest.approx(hand_logit_normal_loglik(fit["mu"], fit["sigma"]), abs=1e-7)
    # No point of a grid around the optimum beats it.
    best = max(
        (hand_logit_normal_loglik(m, s), m, s) for m in np.linspace(-1.25, -0.85, 5) for s in np.linspace(0.4, 0.8, 5)
    )
    assert fit["loglik"] >= best[0] - 1e-9
    assert (fit["mu"], fit["sigma"]) == pytest.approx((best[1], best[2]), abs=0.1)
    # The profile interval: at its upper end the profile log likelihood is 3.84 / 2 below the maximum.
    from scipy import optimize

    top = -optimize.minimize_scalar(lambda m: -hand_logit_normal_loglik(m, fit["sigma_high"]), bracket=(-2, 0)).fun
    assert fit["loglik"] - top == pytest.approx(stats.chi2.ppf(0.95, 1) / 2, abs=1e-4)
    assert fit["sigma_low"] == 0.0  # six clusters cannot rule out no spread at all
    with pytest.raises(ParameterError, match="two"):
        de.fit_logit_normal([1], [5])


def tiny_council_years():
    """Two DfE years of three councils each (made up): children who went missing of children looked after."""
    rows = []
    for year, missing, looked_after in ((2019, [10, 30, 20], [100, 150, 200]), (2020, [5, 5, 5], [50, 50, 50])):
        for code, x, n in zip(("A", "B", "C"), missing, looked_after):
            rows += [
                {"council_code": code, "year": year, "measure": "children_missing", "value": x},
                {"council_code": code, "year": year, "measure": "cla_during_year", "value": n},
            ]
    return pd.DataFrame(rows)


def test_council_spread_year_by_year_on_a_tiny_table():
    table = de.council_spread_by_year(tiny_council_years())
    assert list(table["year"]) == [2019, 2020] and list(table["councils"]) == [3, 3]
    # 2019: pooled rate 60 / 450, 150 children per council; the rates 10%, 20%, 10% differ more than binomial.
    first = table.iloc[0]
    assert first["rate"] == pytest.approx(60 / 450) and first["mean_size"] == pytest.approx(150)
    assert first["icc"] == pytest.approx(de.fit_beta_binomial([10, 30, 20], [100, 150, 200])["icc"])
    assert first["icc"] > 0.005 and first["logit_sd"] > 0.2
    # 2020: three councils at exactly 10% of 50 -- no spread at all, so both ICCs are (almost) zero.
    second = table.iloc[1]
    assert second["rate"] == pytest.approx(0.1) and second["icc"] < 1e-4 and second["logit_sd"] < 0.01
    assert second["logit_sd_low"] == 0.0


def test_dfe_year_by_year_iccs_and_spreads(ledger):
    table = de.council_spread_by_year(ledger.council_years).set_index("year")
    assert list(table.index) == list(range(2015, 2025))
    # The review: 0.0176 in 2015, 0.0148 in 2017, 0.0141 in 2018, then 0.006 to 0.009.
    assert table.loc[2015, "icc"] == pytest.approx(0.0176, abs=1e-4)
    assert table.loc[2017, "icc"] == pytest.approx(0.0148, abs=2e-4)
    assert table.loc[2018, "icc"] == pytest.approx(0.0141, abs=1e-4)
    assert table.loc[2019:2024, "icc"].between(0.006, 0.0095).all()
    # Logit spread: about 0.56 in 2015, about 0.30 in 2024 (the review: about 0.30).
    assert table.loc[2015, "logit_sd"] == pytest.approx(0.56, abs=0.01)
    assert table.loc[2024, "logit_sd"] == pytest.approx(0.30, abs=0.01)
    assert (table["logit_sd_low"] < table["logit_sd"]).all() and (table["logit_sd"] < table["logit_sd_high"]).all()
    # Each year's beta-binomial ICC, read back as a logit spread (Var logit of a beta = trigamma(a) +
    # trigamma(b), at the pooled rate), agrees with the logit-normal fit to within 0.03.
    from scipy import special

    a = table["rate"] * (1 - table["icc"]) / table["icc"]
    b = (1 - table["rate"]) * (1 - table["icc"]) / table["icc"]
    assert np.sqrt(special.polygamma(1, a) + special.polygamma(1, b)) == pytest.approx(
        table["logit_sd"].to_numpy(), abs=0.03
    )


def test_overlapping_dfe_years_follow_the_pairing_rule(ledger):
    from helpers.nonresponse.frame import dfe_year

    held = ledger.council_years["year"]
    assert de.overlapping_dfe_years("2014-09/2015-09", held) == [2015, 2016]
    assert de.overlapping_dfe_years("2017", held) == [2017, 2018]
    assert de.overlapping_dfe_years("2024", held) == [2024]  # 2025 is not held
    assert de.overlapping_dfe_years("2030", held) == [2024] and de.overlapping_dfe_years("2010", held) == [2015]
    for period in headline_table(ledger.figures)["period"].unique():
        assert de.overlapping_dfe_years(period, held)[0] == dfe_year(period, held)


def test_the_implied_design_effects_of_until_harm_ends(ledger):
    head = de.with_sensitivity(
        headline_table(ledger.figures, "until-harm-ends"), ledger.figures, ledger.council_years
    ).set_index(["version", "group"])
    # Independently: m from the published counts, cv^2 from DfE's council column with pandas, sigma's
    # interval from the fit, the ICC at the group's rate by adaptive quadrature.
    wide = ledger.council_years[ledger.council_years["year"] == 2024].pivot_table(
        index="council_code", columns="measure", values="value"
    )

    def cv2(col):
        s = wide[col].dropna()
        s = s[s > 0]
        return s.var(ddof=0) / s.mean() ** 2

    spread = de.council_spread(ledger.council_years, 2024)
    for group, x, n, councils, size in (
        ("trafficked", 864, 2335, 135, "cla_during_year"),
        ("unaccompanied", 1501, 11999, 141, "uasc_at_31_march"),
    ):
        ends = [
            1 + ((1 + cv2(size)) * n / councils - 1) * quad_icc(spread[end], x / n)
            for end in ("logit_sd_low", "logit_sd_high")
        ]
        row = head.loc[("guardian", group)]
        assert (row["deff_low"], row["deff_high"]) == pytest.approx(ends, rel=1e-6)
        assert row["deff_years"] == "2024"
    # The review: d about 1.5 for trafficked children and 2.85 for unaccompanied (at sigma about 0.30).
    assert head.loc[("guardian", "trafficked"), ["deff_low", "deff_high"]].tolist() == pytest.approx(
        [1.41, 1.69], abs=0.01
    )
    assert head.loc[("guardian", "unaccompanied"), ["deff_low", "deff_high"]].tolist() == pytest.approx(
        [2.41, 3.44], abs=0.01
    )
    # The independent version publishes no council count: no implied range, but the grid is there.
    assert np.isnan(head.loc[("independent", "trafficked"), "deff_high"])
    assert head.loc[("independent", "trafficked"), "sens_low_deff_7"] > 0
    assert "deff" not in head.columns  # a range, never one value


def test_the_implied_ranges_of_every_report(ledger):
    head = headline_table(ledger.figures)
    implied = de.implied_design_effects(head, ledger.figures, ledger.council_years)
    got = {
        (r.report_id, r.version, r.group): (round(i.deff_low, 2), round(i.deff_high, 2), i.dfe_years)
        for r, i in zip(head.itertuples(), implied.itertuples())
        if r.measure == "went_missing" and np.isfinite(i.deff_high)
    }
    assert got == {
        ("heading-back-to-harm", "single", "trafficked"): (1.11, 1.24, "2015–2016"),
        ("heading-back-to-harm", "single", "unaccompanied"): (3.53, 5.95, "2015–2016"),
        ("still-in-harms-way", "original", "trafficked"): (1.12, 1.22, "2017–2018"),
        ("still-in-harms-way", "original", "unaccompanied"): (1.69, 3.16, "2017–2018"),
        ("still-in-harms-way", "original", "trafficked_or_unaccompanied"): (1.59, 2.14, "2017–2018"),
        ("still-in-harms-way", "revised", "trafficked"): (1.11, 1.21, "2017–2018"),
        ("still-in-harms-way", "revised", "unaccompanied"): (1.71, 3.21, "2017–2018"),
        ("still-in-harms-way", "revised", "trafficked_or_unaccompanied"): (1.6, 2.16, "2017–2018"),
        ("exploited-looked-after-children", "single", "exploited"): (1.28, 1.5, "2020–2021"),
        ("until-harm-ends", "guardian", "trafficked"): (1.41, 1.69, "2024"),
        ("until-harm-ends", "guardian", "unaccompanied"): (2.41, 3.44, "2024"),
    }


def wilson_by_hand(x, n, alpha):
    z = stats.norm.ppf(1 - alpha / 2)
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


@pytest.mark.parametrize("alpha", [0.05, 0.1])
def test_the_sensitivity_grid_is_wilson_on_n_over_d(ledger, alpha):
    head = headline_table(ledger.figures, "until-harm-ends", alpha=alpha)
    grid = de.with_sensitivity(head, ledger.figures, ledger.council_years, alpha=alpha)
    row = grid[(grid["version"] == "guardian") & (grid["group"] == "trafficked")].iloc[0]
    for d in (1, 1.5, 3, 7):
        low, high = wilson_by_hand(864 / d, 2335 / d, alpha)
        label = de.deff_label(d)
        assert (row[f"sens_low_deff_{label}"], row[f"sens_high_deff_{label}"]) == pytest.approx((low, high), rel=1e-9)
    assert row["sens_low_deff_1"] == pytest.approx(row["ci_low"])  # d = 1 is the sampling-only interval
    low, high = wilson_by_hand(864 / row["deff_high"], 2335 / row["deff_high"], alpha)
    assert (row["sens_low_deff_implied"], row["sens_high_deff_implied"]) == pytest.approx((low, high))
    # Wider with every step of the grid.
    lows = [row[f"sens_low_deff_{de.deff_label(d)}"] for d in (1, 1.5, 3, 7)]
    assert lows == sorted(lows, reverse=True)


def test_a_pair_over_two_council_sets_gets_no_sensitivity_interval(ledger):
    head = headline_table(ledger.figures, "heading-back-to-harm")
    grid = de.with_sensitivity(head, ledger.figures, ledger.council_years)
    flagged = grid[grid["comparability"] == "different_council_set"]
    assert len(flagged) == 1
    assert flagged.filter(like="sens_").isna().all().all() and flagged["deff_high"].isna().all()


def test_with_sensitivity_refuses_a_design_effect_below_one(ledger):
    head = headline_table(ledger.figures, "until-harm-ends")
    with pytest.raises(ParameterError, match="at least 1"):
        de.with_sensitivity(head, ledger.figures, ledger.council_years, deffs=(0.5, 2))
    with pytest.raises(ParameterError, match="at least 1"):
        de.design_effect_interval(10, 100, 0.9)


def test_council_counts_fall_back_in_order():
    figures = pd.DataFrame(
        {
            "report_id": ["r", "r", "r"],
            "version": ["single"] * 3,
            "group": ["councils", "councils", "trafficked"],
            "measure": ["councils_asked", "councils_answering", "councils_answering"],
            "value": [217.0, 150.0, 120.0],
        }
    )
    assert de.councils_behind(figures, "r", "single", "trafficked") == (120.0, "councils answering for this group")
    assert de.councils_behind(figures, "r", "single", "unaccompanied")[0] == 150.0
    assert de.councils_behind(figures.iloc[:1], "r", "single", "unaccompanied")[0] == 217.0
    assert np.isnan(de.councils_behind(figures.iloc[:0], "r", "single", "trafficked")[0])


def test_dfe_dispersion_rises_with_council_size(ledger):
    parts = de.dispersion_by_size(ledger.council_years, parts=2)
    assert list(parts["councils"]) == [75, 74]
    assert parts["dispersion"].iloc[0] < parts["dispersion"].iloc[1]
    # Each half's value is its mean squared Pearson residual about the pooled rate: check the whole.
    whole = de.dispersion_by_size(ledger.council_years, parts=1)["dispersion"].iloc[0]
    assert whole == pytest.approx((parts["dispersion"] * parts["councils"]).sum() / 149)


def test_a_missing_council_measure_is_named():
    frame = pd.DataFrame({"council_code": ["A"], "year": [2024], "measure": ["cla_during_year"], "value": [5]})
    with pytest.raises(ParameterError, match="no measure 'children_missing' in 2024"):
        de.council_icc(frame, 2024)


def test_display_sensitivity_names_every_interval_and_marks_the_implied_one(ledger):
    head = headline_table(ledger.figures, "until-harm-ends", alpha=0.1)
    from helpers.present.comparison_words import display_sensitivity

    shown = display_sensitivity(de.with_sensitivity(head, ledger.figures, ledger.council_years, alpha=0.1), 0.1)
    assert list(shown.columns[4:]) == [
        "rebuilt rate",
        "90% CI (sampling only)",
        "90% sensitivity interval (design effect 1.5)",
        "90% sensitivity interval (design effect 3)",
        "90% sensitivity interval (design effect 7)",
        "implied design effect (derived, not measured)",
        "90% sensitivity interval (top of implied d)",
    ]
    assert not any("_" in c for c in shown.columns)
    guardian = shown.iloc[0]
    low, high = wilson_by_hand(864 / 3, 2335 / 3, 0.1)
    assert guardian["90% sensitivity interval (design effect 3)"] == f"{low:.1%} to {high:.1%}"
    assert guardian["implied design effect (derived, not measured)"] == (
        "1.41–1.69 (DfE 2024; 135 councils answering for this group)"
    )
    assert guardian["90% sensitivity interval (top of implied d)"].endswith("(d = 1.69)")
    implied = shown.iloc[2]["90% sensitivity interval (top of implied d)"]
    assert implied == "no council count published"


def test_p_value_at_design_effects_is_the_score_test_on_effective_counts():
    from statsmodels.stats.proportion import test_proportions_2indep

    from helpers.stats.trends import compare_proportions

    # d = 1 on both sides is the published test: When Harm Remains, UASC 2018 (708 of 4,749) and 2020 (692 of 5,263).
    assert de.p_value_at_design_effects(708, 4749, 1, 692, 5263, 1) == pytest.approx(
        compare_proportions(708, 4749, 692, 5263).iloc[0]["p_value"]
    )
    assert de.p_value_at_design_effects(708, 4749, 1, 692, 5263, 1) == pytest.approx(0.0112, abs=1e-4)
    # With design effects: statsmodels' score test on the counts divided by each d.
    by_hand = test_proportions_2indep(692 / 2.0, 5263 / 2.0, 708 / 1.5, 4749 / 1.5, method="score").pvalue
    assert de.p_value_at_design_effects(708, 4749, 1.5, 692, 5263, 2.0) == pytest.approx(by_hand)
    with pytest.raises(ParameterError, match="at least 1"):
        de.p_value_at_design_effects(1, 10, 0.5, 2, 10, 1)


def test_series_councils_stand_in_for_an_unpublished_count(ledger):
    # Unaccompanied children: Until Harm Ends 141 answering, Heading Back to Harm 200, Still in Harm's Way 217 asked.
    assert de.series_councils(ledger.figures, "unaccompanied") == (217.0, 141.0)
    assert de.series_councils(ledger.figures, "trafficked") == (217.0, 135.0)
    assert np.isnan(de.series_councils(ledger.figures, "nobody")[0])


def test_when_harm_remains_2018_against_2020_at_its_implied_design_effects(ledger):
    from helpers.stats.comparisons import report_comparisons, split_benchmark
    from helpers.stats.report_view import report_view

    tests, _ = split_benchmark(report_comparisons(ledger, report_view(ledger.figures, "when-harm-remains")))
    out = de.with_design_effect_p(tests, ledger.figures, ledger.council_years, "when-harm-remains")
    row = out[out["comparison"] == "year against year"].iloc[0]
    assert row["p_value"] == pytest.approx(0.0112, abs=1e-4)
    # The review: about 0.10 to 0.12 at the implied design effect; here 0.03 (low end) to 0.11 (high end).
    assert (row["p_deff_low"], row["p_deff_high"]) == pytest.approx((0.030, 0.109), abs=0.001)
    assert row["deff_first"] == "1.36–2.83" and row["deff_second"] == "1.37–2.18"
    assert "141 to 217 councils stand in" in row["p_deff_basis"]
    # Recomputed from the ranges: UASC 2018 at d 2.83 and 2020 at d 2.18 give the high end.
    d18, d20 = (float(x) for x in (row["deff_first"].split("–")[1], row["deff_second"].split("–")[1]))
    assert de.p_value_at_design_effects(708, 4749, d18, 692, 5263, d20) == pytest.approx(row["p_deff_high"], abs=0.002)
    # Between reports there is no p-value, so none at the design effects either.
    assert out.loc[out["comparison"] == "against the previous report", "p_deff_high"].isna().all()
