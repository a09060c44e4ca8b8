"""A second route to the grid posterior of helpers.stats.bayes: SciPy quad over tau.

The marginal likelihood comes from a multivariate normal with a wide N(0, c²) prior on the coefficients
(flat as c grows), the slope given tau from statsmodels WLS. The same helper as in
tests/stats/test_trend_sensitivity.py, here so that other test files can import it (tests/oracles is on
pytest's pythonpath, also inside the mutation-testing folders).
"""

import functools

import numpy as np
import statsmodels.api as sm
from scipy import integrate, stats


def second_route_posterior(y, v, X, scale, c=100.0):
    """The slope's posterior CDF under a half-normal(scale) prior on tau, by SciPy quad."""

    def log_marginal(tau):
        cov = np.diag(v + tau**2) + c**2 * X @ X.T
        return stats.multivariate_normal.logpdf(y, mean=np.zeros(len(y)), cov=cov)

    ref = log_marginal(0.2)

    def density(tau):
        return stats.halfnorm.pdf(tau, scale=scale) * np.exp(log_marginal(tau) - ref)

    @functools.cache  # quad and brentq revisit the same tau many times; a fit depends on tau alone
    def slope(tau):
        fit = sm.WLS(y, X, weights=1 / (v + tau**2)).fit()
        return fit.params[1], np.sqrt(fit.normalized_cov_params[1, 1])

    upper = 8 * scale
    total = integrate.quad(density, 0, upper, limit=200)[0]

    def cdf(b):
        def integrand(t):
            mean, sd = slope(t)
            return density(t) * stats.norm.cdf((b - mean) / sd)

        return integrate.quad(integrand, 0, upper, limit=200)[0] / total

    return cdf
