"""How uncertain the between-report variance is: Q-profile intervals for tau² and I².

With four reports, tau² (and so I²) is estimated from two residual degrees of freedom; a point value hides
how little the data say. The Q-profile method (Viechtbauer 2007, Stat Med 26:37) inverts the generalised Q
statistic, Q(tau²) = sum of w_i (y_i - x_i b(tau²))² with w_i = 1 / (v_i + tau²), which follows a
chi-squared distribution on k - p degrees of freedom at the true tau². Q falls as tau² grows, so the
interval's ends are the roots of Q(tau²) = chi²(1 - alpha/2) and Q(tau²) = chi²(alpha/2); an end whose
root would be negative is 0.

I² = tau² / (tau² + s²), with s² the "typical" sampling variance of a meta-regression,
(k - p) / tr(P), P = W - W X (X' W X)^-1 X' W, W = diag(1 / v_i) (Higgins & Thompson 2002; the
definition metafor uses). Its interval is the tau² interval mapped through that formula.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, stats

from helpers.ledger.errors import ParameterError
from helpers.stats.rates import check_alpha


def generalised_q(y, v, X, tau2: float) -> float:
    """Weighted residual sum of squares of the WLS fit with weights 1 / (v + tau2), by the normal equations."""
    y, v, X = np.asarray(y, float), np.asarray(v, float), np.asarray(X, float)
    w = 1 / (v + tau2)
    beta = np.linalg.solve(X.T @ (X * w[:, None]), X.T @ (w * y))
    return float(np.sum(w * (y - X @ beta) ** 2))


def typical_variance(v, X) -> float:
    """The typical within-report variance s² = (k - p) / tr(P) of a meta-regression (see module docstring)."""
    v, X = np.asarray(v, float), np.asarray(X, float)
    W = np.diag(1 / v)
    P = W - W @ X @ np.linalg.solve(X.T @ W @ X, X.T @ W)
    return float((len(v) - X.shape[1]) / np.trace(P))


def _root(y, v, X, target: float) -> float:
    """The tau2 >= 0 at which Q(tau2) = target (0 when Q(0) is already below it)."""
    if generalised_q(y, v, X, 0.0) <= target:
        return 0.0
    high = 1.0
    while generalised_q(y, v, X, high) > target:
        high *= 10
        if high > 1e8:
            raise ParameterError("Q-profile: no finite tau2 brings Q down to its chi-squared quantile")
    return float(optimize.brentq(lambda t: generalised_q(y, v, X, t) - target, 0.0, high, xtol=1e-12))


def q_profile(y, v, X, tau2: float, alpha: float = 0.05) -> dict:
    """Q-profile interval for tau² and the matching I² interval, around the point value ``tau2``.

    Returns a dict: tau2, tau2_low, tau2_high, i2, i2_low, i2_high, df, s2 (the typical sampling
    variance). ``alpha`` 0.05 gives 95% intervals.

    References
    ----------
    Viechtbauer W (2007). Confidence intervals for the amount of heterogeneity in meta-analysis.
    *Statistics in Medicine* 26:37-52.
    """
    alpha = check_alpha(alpha)
    y, v, X = np.asarray(y, float), np.asarray(v, float), np.asarray(X, float)
    df = len(y) - X.shape[1]
    if df < 1:
        raise ParameterError(f"{len(y)} rows for {X.shape[1]} coefficients: no degrees of freedom for a Q-profile")
    if tau2 < 0:
        raise ParameterError(f"tau2 must be >= 0; got {tau2!r}")
    low = _root(y, v, X, stats.chi2.ppf(1 - alpha / 2, df))
    high = _root(y, v, X, stats.chi2.ppf(alpha / 2, df))
    s2 = typical_variance(v, X)

    def i2(t):
        return t / (t + s2)

    return {
        "tau2": float(tau2),
        "tau2_low": low,
        "tau2_high": high,
        "i2": i2(tau2),
        "i2_low": i2(low),
        "i2_high": i2(high),
        "df": int(df),
        "s2": s2,
    }
