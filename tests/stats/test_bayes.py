"""bayes' grid posterior at more than one prior scale, against hand-built cases and a second route.

The second route (SciPy quad over tau with the coefficients integrated by a multivariate normal) is
tests/oracles/bayes_oracle.py; here it is used at prior scales 0.25 and 1, where the
default grid (0 to 6 prior scales) changes with the scale.
"""

import numpy as np
import pandas as pd
import pytest
from bayes_oracle import second_route_posterior
from scipy import optimize, stats

from helpers.ledger.errors import ParameterError
from helpers.stats import bayes
from helpers.stats.random_effects import logit_effects
from helpers.stats.trend_summary import design_matrix

pytestmark = pytest.mark.filterwarnings("error")

# Made-up rounds (as in tests/stats/test_trend_sensitivity.py) whose rates scatter more than sampling allows.
ROWS = pd.DataFrame(
    {"year": [2015, 2017, 2020, 2024], "missing": [167, 200, 240, 864], "not_missing": [420, 600, 500, 1471]}
)


def data_of(frame):
    y, v = logit_effects(frame)
    return y, v, design_matrix(frame)


@pytest.mark.parametrize("scale", [0.25, 1.0])
def test_grid_runs_to_six_prior_scales_and_matches_scipy_quad(scale):
    y, v, X = data_of(ROWS)
    post = bayes.slope_posterior(y, v, X, prior_scale=scale, points=2001)
    # the grid: 0 to 6 x scale (1.5 and 6) in 2001 equal steps
    assert post.tau[0] == 0.0 and post.tau[-1] == pytest.approx(6 * scale, rel=1e-12) and len(post.tau) == 2001
    assert post.prior_scale == scale
    assert post.weights.sum() == pytest.approx(1.0, rel=1e-12)
    cdf = second_route_posterior(y, v, X, scale)
    median = optimize.brentq(lambda b: cdf(b) - 0.5, -1, 1, xtol=1e-8)
    high = optimize.brentq(lambda b: cdf(b) - 0.975, -2, 2, xtol=1e-8)
    assert post.ratio == pytest.approx(np.exp(median), abs=2e-3)
    assert post.ci_high == pytest.approx(np.exp(high), abs=3e-3)
    assert post.p_increase == pytest.approx(1 - cdf(0.0), abs=2e-3)


def test_a_wider_prior_gives_a_wider_interval():
    y, v, X = data_of(ROWS)
    narrow = bayes.slope_posterior(y, v, X, prior_scale=0.25, points=1001)
    wide = bayes.slope_posterior(y, v, X, prior_scale=1.0, points=1001)
    assert wide.ci_high / wide.ci_low > narrow.ci_high / narrow.ci_low
    assert wide.tau_median > narrow.tau_median


def known_case():
    """Equal variances v = 0.01 and an exact line: y = 0.1 x at x = 0, 1, 2 (residuals 0 at every tau)."""
    X = np.column_stack([np.ones(3), [0.0, 1.0, 2.0]])
    return 0.1 * X[:, 1], np.full(3, 0.01), X


def test_log_marginal_and_slope_given_tau_by_hand():
    y, v, X = known_case()
    # tau = 0.3: w = 1 / (0.01 + 0.09) = 10 for every row. X'WX = 10 [[3, 3], [3, 5]], det = 100 * 6 = 600,
    # inverse = [[5, -3], [-3, 3]] / 60, so the slope's SD is sqrt(3/60) = 0.2236 and its mean the exact 0.1.
    # log marginal = 0.5 * 3 log 10 - 0.5 log 600 - 0.5 * Q, with Q = 0 on an exact line.
    log_m, mean, sd = bayes.log_marginal(0.3, y, v, X)
    assert mean == pytest.approx(0.1, rel=1e-12)
    assert sd == pytest.approx(np.sqrt(3 / 60), rel=1e-12)
    assert log_m == pytest.approx(1.5 * np.log(10) - 0.5 * np.log(600), rel=1e-12)
    # A residual adds -Q/2: with the middle point raised by 0.3 (y = 0, 0.4, 0.2) the equal-weight fit is
    # 0.1 + 0.1 x, residuals -0.1, 0.2, -0.1, Q = 10 * 0.06 = 0.6, and the determinants are unchanged.
    bumped = y + np.array([0.0, 0.3, 0.0])
    assert bayes.log_marginal(0.3, bumped, v, X)[0] == pytest.approx(log_m - 0.3, rel=1e-12)


def test_summaries_of_an_exact_line_by_hand():
    y, v, X = known_case()
    post = bayes.slope_posterior(y, v, X, prior_scale=0.5, alpha=0.1, points=801)
    # Every tau gives the slope 0.1, so the posterior median odds ratio is exp(0.1) whatever the weights.
    assert post.ratio == pytest.approx(np.exp(0.1), rel=1e-9)
    assert post.means.tolist() == pytest.approx([0.1] * 801, rel=1e-9)
    # The interval is a normal mixture around 0.1; both ends sit on either side of exp(0.1) and the
    # 90% interval is narrower than the 95% one.
    wider = bayes.slope_posterior(y, v, X, prior_scale=0.5, alpha=0.05, points=801)
    assert post.ci_low < np.exp(0.1) < post.ci_high
    assert wider.ci_low < post.ci_low and post.ci_high < wider.ci_high
    # P(slope > 0) = sum of weights x Phi(0.1 / sd(tau)) over the grid
    expected = float(np.sum(post.weights * stats.norm.cdf(0.1 / post.sds)))
    assert post.p_increase == pytest.approx(expected, rel=1e-12)
    # tau's posterior median: the first grid point where the weights' running sum reaches a half
    assert post.tau_median == post.tau[np.searchsorted(np.cumsum(post.weights), 0.5)]


def test_an_explicit_tau_max_sets_the_grid():
    y, v, X = data_of(ROWS)
    post = bayes.slope_posterior(y, v, X, prior_scale=0.5, tau_max=2.0, points=101)
    assert post.tau[-1] == 2.0 and post.tau[1] == pytest.approx(0.02, rel=1e-12)


@pytest.mark.parametrize("scale", [0.0, -1.0, np.inf, np.nan])
def test_a_bad_prior_scale_is_refused(scale):
    y, v, X = data_of(ROWS)
    with pytest.raises(ParameterError, match="prior_scale"):
        bayes.slope_posterior(y, v, X, prior_scale=scale)


def test_too_few_reports_are_refused():
    X = np.column_stack([np.ones(2), [0.0, 1.0]])
    with pytest.raises(ParameterError, match="2 rows for 2 coefficients"):
        bayes.slope_posterior([0.1, 0.2], [0.01, 0.01], X)


def test_very_precise_identical_reports_put_the_posterior_at_tau_zero():
    # Twenty reports, all log-odds exactly 0 with variance 1e-100: the marginal likelihood at tau = 0 is
    # about e^2068, so the weights must be scaled by their maximum before exponentiating (else they
    # overflow). The slope is 0 at every tau: median odds ratio 1, P(increase) = 1/2, tau's median 0.
    X = np.column_stack([np.ones(20), np.arange(20.0)])
    post = bayes.slope_posterior(np.zeros(20), np.full(20, 1e-100), X, prior_scale=0.5, points=201)
    assert post.ratio == pytest.approx(1.0, abs=1e-9)
    assert post.ci_low == pytest.approx(1.0, abs=1e-9) and post.ci_high == pytest.approx(1.0, abs=1e-9)
    assert post.p_increase == pytest.approx(0.5, abs=1e-12)
    assert post.tau_median == 0.0


def test_the_defaults_and_a_very_uncertain_slope():
    # Three exact points (log odds 0) with variance 100: given tau the slope's SD is about
    # sqrt(0.5 (100 + tau²)) >= 7.07, so its 95% interval reaches beyond log odds ratios of -13; the
    # quantile search must bracket 10 SDs, not 10 / SD.
    X = np.column_stack([np.ones(3), [0.0, 1.0, 2.0]])
    post = bayes.slope_posterior(np.zeros(3), np.full(3, 100.0), X)
    assert post.prior_scale == 0.5 and len(post.tau) == 4001 and post.tau[-1] == 3.0  # the defaults
    assert post.ratio == pytest.approx(1.0, abs=1e-9)
    assert np.log(post.ci_low) < -13 and np.log(post.ci_high) > 13
