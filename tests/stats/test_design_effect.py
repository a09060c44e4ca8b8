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


def test_dfe_icc_and_the_implied_design_effects_of_until_harm_ends(ledger):
    icc = de.council_icc(ledger.council_years)
    assert icc["year"] == 2024 and icc["clusters"] > 140
    assert 0.007 < icc["icc"] < 0.011  # the review: about 0.009
    # The Pearson dispersion of all looked-after children (~7) is roughly the design effect at DfE's own
    # council size (~780): 1 + 779 x 0.009 is about 8.
    assert 6 < de.design_effect(icc["icc"], icc["mean_size"]) < 10
    head = de.with_sensitivity(
        headline_table(ledger.figures, "until-harm-ends"), ledger.figures, ledger.council_years
    ).set_index(["version", "group"])
    # Independently: m from the published counts, cv^2 from DfE's council column with pandas.
    wide = ledger.council_years[ledger.council_years["year"] == 2024].pivot_table(
        index="council_code", columns="measure", values="value"
    )

    def cv2(col):
        s = wide[col].dropna()
        s = s[s > 0]
        return s.var(ddof=0) / s.mean() ** 2

    traf = 1 + ((1 + cv2("cla_during_year")) * 2335 / 135 - 1) * icc["icc"]
    uasc = 1 + ((1 + cv2("uasc_at_31_march")) * 11999 / 141 - 1) * icc["icc"]
    assert head.loc[("guardian", "trafficked"), "deff"] == pytest.approx(traf)
    assert head.loc[("guardian", "unaccompanied"), "deff"] == pytest.approx(uasc)
    assert 1.2 < traf < 1.3 and 2.4 < uasc < 2.8  # the review: 1.2 to 1.3, and about 2.6
    # The independent version publishes no council count: no implied value, but the grid is there.
    assert np.isnan(head.loc[("independent", "trafficked"), "deff"])
    assert head.loc[("independent", "trafficked"), "sens_low_deff_7"] > 0


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
    low, high = wilson_by_hand(864 / row["deff"], 2335 / row["deff"], alpha)
    assert (row["sens_low_deff_implied"], row["sens_high_deff_implied"]) == pytest.approx((low, high))
    # Wider with every step of the grid.
    lows = [row[f"sens_low_deff_{de.deff_label(d)}"] for d in (1, 1.5, 3, 7)]
    assert lows == sorted(lows, reverse=True)


def test_a_pair_over_two_council_sets_gets_no_sensitivity_interval(ledger):
    head = headline_table(ledger.figures, "heading-back-to-harm")
    grid = de.with_sensitivity(head, ledger.figures, ledger.council_years)
    flagged = grid[grid["comparability"] == "different_council_set"]
    assert len(flagged) == 1
    assert flagged.filter(like="sens_").isna().all().all() and flagged["deff"].isna().all()


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
        "90% sensitivity interval (design effect implied by DfE)",
        "councils behind the implied design effect",
    ]
    assert not any("_" in c for c in shown.columns)
    guardian = shown.iloc[0]
    low, high = wilson_by_hand(864 / 3, 2335 / 3, 0.1)
    assert guardian["90% sensitivity interval (design effect 3)"] == f"{low:.1%} to {high:.1%}"
    assert guardian["90% sensitivity interval (design effect implied by DfE)"].endswith("(d = 1.23)")
    assert guardian["councils behind the implied design effect"] == "135: councils answering for this group"
    assert shown.iloc[2]["90% sensitivity interval (design effect implied by DfE)"] == "no council count published"
