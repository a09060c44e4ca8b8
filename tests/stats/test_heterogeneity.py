"""heterogeneity's Q-profile pinned where it has a closed form, tau² = 0 included.

With an intercept only and equal within-report variances v, the weights 1 / (v + tau²) are equal, so the
fitted mean is the plain mean whatever tau², and Q(tau²) = S / (v + tau²) with S = sum (y - mean)².
Each end of the interval then solves S / (v + tau²) = chi² quantile by hand: tau² = S / quantile - v.
The chi-squared quantiles are SciPy's (scipy.stats.chi2.ppf), an independent route to the same numbers.
"""

import numpy as np
import pytest
from scipy import stats

from helpers.ledger.errors import ParameterError
from helpers.stats import heterogeneity

# y = 0, 0.1, 0.2, 0.3: mean 0.15, S = 0.15² + 0.05² + 0.05² + 0.15² = 0.05; v = 0.01, so Q(0) = 5.
Y = [0.0, 0.1, 0.2, 0.3]
V = [0.01] * 4
X = np.ones((4, 1))
S = 0.05


def test_q_of_equal_variances_by_hand():
    for tau2 in (0.0, 0.04, 1.0):
        assert heterogeneity.generalised_q(Y, V, X, tau2) == pytest.approx(S / (0.01 + tau2), rel=1e-12)


@pytest.mark.parametrize("alpha", [0.05, 0.2])
def test_q_profile_at_tau2_zero_by_hand(alpha):
    # tau² = 0 is the usual estimate for homogeneous reports and must be accepted (the review feared it
    # was refused: it is not; only the test was missing).
    out = heterogeneity.q_profile(Y, V, X, 0.0, alpha)
    upper_q, lower_q = stats.chi2.ppf(1 - alpha / 2, 3), stats.chi2.ppf(alpha / 2, 3)
    # Q(0) = 5 is below chi²(1 - alpha/2, 3) (9.35 at alpha 0.05, 6.25 at 0.2): the lower end is 0.
    assert 5 < upper_q
    assert out["tau2_low"] == 0.0 and out["i2_low"] == 0.0
    # the upper end: 0.05 / chi²(alpha/2, 3) - 0.01 (0.2217 at alpha 0.05, 0.0797 at 0.2)
    assert out["tau2_high"] == pytest.approx(S / lower_q - 0.01, rel=1e-9)
    # typical variance s² = v with equal variances; I² = tau² / (tau² + s²)
    assert out["s2"] == pytest.approx(0.01, rel=1e-12)
    assert out["i2_high"] == pytest.approx(out["tau2_high"] / (out["tau2_high"] + 0.01), rel=1e-12)
    assert out["tau2"] == 0.0 and out["i2"] == 0.0 and out["df"] == 3
    assert set(out) == {"tau2", "tau2_low", "tau2_high", "i2", "i2_low", "i2_high", "df", "s2"}


def test_q_profile_with_both_ends_above_zero_by_hand():
    # y spread ten times wider: S = 5, Q(0) = 500, above both quantiles, so both ends solve the closed form.
    y = [10 * value for value in Y]
    out = heterogeneity.q_profile(y, V, X, 0.5)
    assert out["tau2_low"] == pytest.approx(5 / stats.chi2.ppf(0.975, 3) - 0.01, rel=1e-9)  # 0.5249
    assert out["tau2_high"] == pytest.approx(5 / stats.chi2.ppf(0.025, 3) - 0.01, rel=1e-9)  # 23.16
    assert out["i2"] == pytest.approx(0.5 / 0.51, rel=1e-12)
    assert out["i2_low"] == pytest.approx(out["tau2_low"] / (out["tau2_low"] + 0.01), rel=1e-12)


def test_q_profile_grows_its_bracket_past_ten_thousand():
    # y ten thousand times wider than Y, so S = 5e6: the upper end, 5e6 / 0.2158 ~ 2.3e7,
    # needs the bracket grown well past its start of 1.
    y = [1e4 * value for value in Y]
    out = heterogeneity.q_profile(y, V, X, 1.0)
    assert out["tau2_high"] == pytest.approx(5e6 / stats.chi2.ppf(0.025, 3) - 0.01, rel=1e-9)


def test_q_profile_without_a_finite_root_says_so():
    y = [1e6 * value for value in Y]  # S = 5e10: the upper root would be about 2.3e11, past the 1e8 cap
    with pytest.raises(ParameterError, match="^Q-profile: no finite tau2 brings Q down to its chi-squared quantile$"):
        heterogeneity.q_profile(y, V, X, 1.0)


def test_q_profile_needs_a_degree_of_freedom():
    with pytest.raises(ParameterError, match="2 rows for 2 coefficients"):
        heterogeneity.q_profile([0.1, 0.2], [0.01, 0.01], np.column_stack([np.ones(2), [0, 1]]), 0.0)
    # one degree of freedom is enough
    assert heterogeneity.q_profile([0.1, 0.2], [0.01, 0.01], np.ones((2, 1)), 0.0)["df"] == 1


def test_typical_variance_with_unequal_variances_by_hand():
    # Intercept only: tr(P) = sum w - (sum w²) / sum w, w = 1/v. v = 0.01, 0.04: w = 100, 25,
    # tr = 125 - 10625/125 = 40, so s² = (2 - 1) / 40 = 0.025.
    assert heterogeneity.typical_variance([0.01, 0.04], np.ones((2, 1))) == pytest.approx(0.025, rel=1e-12)
