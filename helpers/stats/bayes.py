"""A few-studies Bayesian sensitivity analysis of the trend: a grid posterior over tau.

With four reports the frequentist trend rests on a tau² estimated from two degrees of freedom and on the
Knapp-Hartung scale, whose ad hoc floor at 1 (Knapp & Hartung 2003, Stat Med 22:2693; the floor as
discussed by Röver, Knapp & Friede 2015, BMC Med Res Methodol 15:99) is one of several defensible choices.
A Bayesian analysis makes the choice explicit instead: a half-normal prior on tau with a stated scale (a
weakly informative prior for between-study heterogeneity on the log-odds scale; Friede, Röver, Wandel &
Neuenschwander 2017, Biom J 59:658), a flat prior on the intercept and slope, and the posterior of the
slope averaged over tau.

Given tau the model is normal and linear, so the coefficients integrate out exactly:

    p(tau | y) ∝ p(tau) |V|^-1/2 |X' V^-1 X|^-1/2 exp(-Q(tau) / 2),   V = diag(v_i + tau²)

and the slope given tau is normal with the WLS mean and variance [(X' V^-1 X)^-1]_11. The posterior of the
slope is that normal mixed over a fine grid of tau, in NumPy and SciPy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from helpers.ledger.errors import ParameterError
from helpers.stats.rates import check_alpha


@dataclass
class GridPosterior:
    """The grid posterior: tau grid and its weights, the slope's conditional means and SDs, and summaries.

    ``ratio``, ``ci_low``, ``ci_high`` are the posterior median odds ratio per year and its equal-tailed
    credible interval; ``p_increase`` is P(odds ratio > 1); ``tau_median`` the posterior median of tau.
    """

    prior_scale: float
    tau: np.ndarray
    weights: np.ndarray
    means: np.ndarray
    sds: np.ndarray
    ratio: float
    ci_low: float
    ci_high: float
    p_increase: float
    tau_median: float


def log_marginal(tau: float, y, v, X) -> tuple[float, float, float]:
    """log p(y | tau) up to a constant (flat prior on the coefficients), the slope's mean and SD given tau."""
    w = 1 / (v + tau**2)
    xtwx = X.T @ (X * w[:, None])
    cov = np.linalg.inv(xtwx)
    beta = cov @ (X.T @ (w * y))
    q = float(np.sum(w * (y - X @ beta) ** 2))
    logdet = np.linalg.slogdet(xtwx)[1]
    return 0.5 * float(np.sum(np.log(w))) - 0.5 * logdet - 0.5 * q, float(beta[1]), float(np.sqrt(cov[1, 1]))


def slope_posterior(
    y, v, X, prior_scale: float = 0.5, alpha: float = 0.05, tau_max: float | None = None, points: int = 4001
) -> GridPosterior:
    """Grid posterior of the slope (column 1 of X) with a half-normal(``prior_scale``) prior on tau.

    The grid runs from 0 to ``tau_max`` (default 6 prior scales, beyond which the prior is negligible) in
    ``points`` equal steps; the weights are prior x marginal likelihood, normalised by the trapezoid rule.

    Returns
    -------
    GridPosterior
        The tau grid and its weights, the slope's conditional means and SDs, the posterior median odds
        ratio per year with its credible interval, the probability that the odds rise, and tau's median.

    References
    ----------
    Röver C, Bender R, Dias S, et al. (2021). On weakly informative prior distributions for the
    heterogeneity parameter in Bayesian random-effects meta-analysis. *Research Synthesis Methods*
    12:448-474.
    """
    alpha = check_alpha(alpha)
    y, v, X = np.asarray(y, float), np.asarray(v, float), np.asarray(X, float)
    if not np.isfinite(prior_scale) or prior_scale <= 0:
        raise ParameterError(f"prior_scale must be a positive number (the half-normal's scale); got {prior_scale!r}")
    if len(y) - X.shape[1] < 1:
        raise ParameterError(f"{len(y)} rows for {X.shape[1]} coefficients: too few reports for a trend")
    tau = np.linspace(0.0, tau_max or 6 * prior_scale, int(points))
    parts = np.array([log_marginal(t, y, v, X) for t in tau])
    log_post = stats.halfnorm.logpdf(tau, scale=prior_scale) + parts[:, 0]
    dens = np.exp(log_post - log_post.max())
    weights = dens * np.gradient(tau)  # trapezoid-like cell widths on an equal grid
    weights /= weights.sum()
    means, sds = parts[:, 1], parts[:, 2]

    def cdf(b):
        return float(np.sum(weights * stats.norm.cdf((b - means) / sds)))

    spread = 10 * sds.max()
    lo, hi = means.min() - spread, means.max() + spread

    def quantile(q):
        return optimize.brentq(lambda b: cdf(b) - q, lo, hi, xtol=1e-12)

    tau_cdf = np.cumsum(weights)
    return GridPosterior(
        prior_scale=float(prior_scale),
        tau=tau,
        weights=weights,
        means=means,
        sds=sds,
        ratio=float(np.exp(quantile(0.5))),
        ci_low=float(np.exp(quantile(alpha / 2))),
        ci_high=float(np.exp(quantile(1 - alpha / 2))),
        p_increase=1 - cdf(0.0),
        tau_median=float(tau[np.searchsorted(tau_cdf, 0.5)]),
    )
