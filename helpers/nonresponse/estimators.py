"""Estimators of the rate in all councils from the councils that answered, each with an interval.

Inputs are council-level arrays: children in care ``n``, children who went missing ``m`` and a boolean
``r`` (answered), with rows as replicates (one row for a single data set) and columns as councils. The
target is the rate in every council of the frame, sum(m) / sum(n), of which only the answering councils'
part is seen. The closed-form estimators work on every replicate at once (no Python loop per replicate):

- ``respondents_only``: sum of m over sum of n among answering councils, Wilson interval;
- ``weighting_class``: each answering council stands for the councils of its size band (weight = councils
  in the band / answering councils in the band); Hajek ratio with a linearised variance;
- ``ratio``: the respondents' rate scaled by how DfE's missing rate for all looked-after children in every
  council compares with the same rate in the answering councils (an auxiliary known for every council);
- ``ipw``: inverse-probability weights from a logistic model of answering on log size and DfE's rate;
- ``mice``: multiple imputation of the silent councils' counts and rates by chained equations (NumPy).

Intervals for the weighted estimators treat answering as Poisson sampling with the fitted probabilities
and ignore the uncertainty of the weights; when every council answers they collapse onto the truth.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logit
from scipy.stats import norm

from helpers.stats.rates import check_alpha, wilson_interval

ESTIMATORS = ["respondents_only", "weighting_class", "ratio", "ipw", "mice"]
ESTIMATOR_LABELS = {
    "respondents_only": "respondents only",
    "weighting_class": "weighting class (size band)",
    "ratio": "ratio to DfE missing rate",
    "ipw": "inverse-probability weighting",
    "mice": "multiple imputation (MICE)",
}


def _2d(*arrays):
    return [np.atleast_2d(np.asarray(a)) for a in arrays]


def respondents_only(n, m, r, alpha: float = 0.05):
    """(estimate, low, high) arrays: the answering councils' pooled rate with a Wilson interval."""
    n, m, r = _2d(n, m, r)
    num, den = (m * r).sum(axis=1), (n * r).sum(axis=1)
    low, high = wilson_interval(num, den, alpha)
    return num / den, np.asarray(low), np.asarray(high)


def weighted_ratio(n, m, r, w, alpha: float = 0.05):
    """(estimate, low, high): Hajek ratio sum(w r m)/sum(w r n), normal interval from the linearised
    Poisson-sampling variance sum(r w (w - 1) e^2) / sum(w r n)^2 with e = m - estimate * n."""
    check_alpha(alpha)
    n, m, r, w = _2d(n, m, r, w)
    w = np.where(r, w, 0.0)
    den = (w * n).sum(axis=1)
    est = (w * m).sum(axis=1) / den
    e = m - est[:, None] * n
    var = (w * np.clip(w - 1.0, 0.0, None) * e**2).sum(axis=1) / den**2
    half = norm.ppf(1 - alpha / 2) * np.sqrt(var)
    return est, np.clip(est - half, 0, 1), np.clip(est + half, 0, 1)


def class_weights(r, classes) -> np.ndarray:
    """Weights N_c / k_c for answering councils (0 for silent ones); bands with no answering council are
    spread over all answering councils so the weights still add up to the number of councils."""
    (r,) = _2d(r)
    classes = np.asarray(classes)
    w = np.zeros(r.shape)
    for c in np.unique(classes):
        inside = classes == c
        k_c = (r & inside).sum(axis=1, keepdims=True)
        w = np.where(r & inside, inside.sum() / np.maximum(k_c, 1), w)
    return w * (r.shape[1] / w.sum(axis=1, keepdims=True))


def weighting_class(n, m, r, classes, alpha: float = 0.05):
    """(estimate, low, high): weighting-class estimate with classes such as size bands or regions."""
    (r_,) = _2d(r)
    return weighted_ratio(n, m, r_, class_weights(r_, classes), alpha)


def ratio(n, m, r, dfe_rate, size, alpha: float = 0.05):
    """(estimate, low, high): respondents' rate times D_all / D_answering, where D is DfE's missing rate
    for all looked-after children weighted by council ``size`` (over every council, or the answering
    ones). The interval is the ratio estimator's linearised interval (with the finite-population
    correction k/N) scaled by the same factor."""
    check_alpha(alpha)
    n, m, r = _2d(n, m, r)
    d, s = np.asarray(dfe_rate, float), np.asarray(size, float)
    factor = (d * s).sum() / s.sum() / ((r * d * s).sum(axis=1) / (r * s).sum(axis=1))
    k, big_n = r.sum(axis=1), r.shape[1]
    den = (n * r).sum(axis=1)
    est = (m * r).sum(axis=1) / den
    e = np.where(r, m - est[:, None] * n, 0.0)
    var = (1 - k / big_n) * k / np.maximum(k - 1, 1) * (e**2).sum(axis=1) / den**2
    half = norm.ppf(1 - alpha / 2) * np.sqrt(var)
    return np.clip(est * factor, 0, 1), np.clip((est - half) * factor, 0, 1), np.clip((est + half) * factor, 0, 1)


def response_design(size, dfe_rate) -> np.ndarray:
    """Design matrix of the response model: constant, log size, logit of DfE's missing rate."""
    size, dfe_rate = np.asarray(size, float), np.asarray(dfe_rate, float)
    return np.column_stack([np.ones_like(size), np.log(size), logit(dfe_rate)])


def fit_response_batched(r, X, iterations: int = 30) -> np.ndarray:
    """Logistic regression of answering on X, fitted by Newton's method for every replicate at once.

    Returns coefficients, one row per replicate (matches statsmodels GLM Binomial to 1e-6 in the tests).
    """
    (r,) = _2d(r)
    y = r.astype(float)
    beta = np.zeros((y.shape[0], X.shape[1]))
    beta[:, 0] = logit(np.clip(y.mean(axis=1), 1e-3, 1 - 1e-3))
    for _ in range(iterations):
        mu = expit(beta @ X.T)
        hess = np.einsum("rn,ni,nj->rij", mu * (1 - mu), X, X) + 1e-9 * np.eye(X.shape[1])
        beta = beta + np.linalg.solve(hess, ((y - mu) @ X)[..., None])[..., 0]
    return beta


def ipw(n, m, r, size, dfe_rate, alpha: float = 0.05):
    """(estimate, low, high): inverse-probability weighting, response model fitted on every council."""
    n, m, r = _2d(n, m, r)
    X = response_design(size, dfe_rate)
    full = r.all(axis=1)
    beta = fit_response_batched(np.where(full[:, None], False, r), X)
    w = np.where(full[:, None], 1.0, 1.0 / expit(beta @ X.T))
    return weighted_ratio(n, m, r, w, alpha)


# Imputations per MICE run. White, Royston and Wood (2011, Statistics in Medicine 30:377-399) suggest at
# least as many imputations as the percentage of incomplete cases; about 36% of councils are silent, so 40.
IMPUTATIONS = 40


def check_imputations(imputations) -> int:
    """The number of completed data sets: a whole number of at least 2 (Rubin's rules need a spread)."""
    if isinstance(imputations, bool) or not isinstance(imputations, (int, np.integer)) or imputations < 2:
        from helpers.ledger.errors import ParameterError

        raise ParameterError(f"imputations={imputations!r} is not valid; it must be a whole number of at least 2")
    return int(imputations)


def rubin(estimates, within) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rubin's rules over the last axis: (mean, total variance W + (1 + 1/M) B, degrees of freedom).

    The degrees of freedom are Rubin's (1987) (M - 1) (1 + W / ((1 + 1/M) B))^2.
    """
    q, w = np.asarray(estimates, float), np.asarray(within, float)
    big_m = q.shape[-1]
    between = q.var(axis=-1, ddof=1)
    within_mean = w.mean(axis=-1)
    extra = (1 + 1 / big_m) * between
    total = within_mean + extra
    with np.errstate(divide="ignore"):
        df = (big_m - 1) * (1 + within_mean / np.where(extra > 0, extra, np.nan)) ** 2
    return q.mean(axis=-1), total, np.where(np.isnan(df), np.inf, df)


def _draw_regression(X, y, r, rng):
    """One proper draw (Bayesian linear regression, flat prior) of y for rows not in ``r``, per replicate.

    X: (R, N, p), y: (R, N), r: (R, N) boolean of observed rows. Draws sigma^2 from RSS / chi2(k - p) and
    the coefficients from N(beta_hat, sigma^2 (X'X)^-1), then y = X beta + sigma e for the missing rows:
    the ``norm`` method of van Buuren's MICE.
    """
    # Batched matrix products (BLAS) rather than einsum: this is the simulation's inner loop.
    xw = X * r[..., None]
    xt = np.swapaxes(xw, 1, 2)
    xtx = xt @ X + 1e-9 * np.eye(X.shape[2])
    beta = np.linalg.solve(xtx, (xt @ np.where(r, y, 0.0)[..., None]))[..., 0]
    fitted = (X @ beta[..., None])[..., 0]
    resid = np.where(r, y - fitted, 0.0)
    dof = np.maximum(r.sum(axis=1) - X.shape[2], 1)
    sigma2 = (resid**2).sum(axis=1) / rng.chisquare(dof)
    chol = np.linalg.cholesky(np.linalg.inv(xtx))
    beta_draw = beta + np.sqrt(sigma2)[:, None] * (chol @ rng.standard_normal(beta.shape)[..., None])[..., 0]
    drawn = (X @ beta_draw[..., None])[..., 0] + np.sqrt(sigma2)[:, None] * rng.standard_normal(y.shape)
    return np.where(r, y, drawn)


def mice(n, m, r, size, dfe_rate, *, seed: int, imputations: int = IMPUTATIONS, alpha: float = 0.05):
    """(estimate, low, high) arrays: multiple imputation by chained equations, every replicate at once.

    The silent councils' log children in care is drawn from a regression on log size and DfE's logit
    missing rate, then their logit rate from one on those and log children in care (each a proper
    Bayesian draw). Both are missing together, so the pattern is monotone and one pass of the chain is
    exact (no burn-in). Each completed data set gives a rate whose within-imputation variance is the
    binomial variance of the silent councils' children alone (the answering councils' are counted, not
    sampled); Rubin's rules combine them and the interval uses Rubin's degrees of freedom. Seeded.
    """
    from scipy.stats import t as t_dist

    check_alpha(alpha)
    check_imputations(imputations)
    n, m, r = _2d(n, m, r)
    # one row of counts serves every replicate of r, as in the other estimators
    n, m, r = np.broadcast_arrays(n.astype(float), m.astype(float), r.astype(bool))
    rng = np.random.default_rng(seed)
    base = np.column_stack([np.ones(n.shape[1]), np.log(np.asarray(size, float)), logit(np.asarray(dfe_rate, float))])
    x1 = np.broadcast_to(base, (n.shape[0], *base.shape))
    log_n = np.log(n + 0.5)
    logit_r = np.log((m + 0.5) / (n - m + 0.5))
    ests, wvars = [], []
    for _ in range(imputations):
        ln = _draw_regression(x1, log_n, r, rng)
        x2 = np.concatenate([x1, ln[..., None]], axis=2)
        lr = _draw_regression(x2, logit_r, r, rng)
        n_all = np.where(r, n, np.clip(np.exp(ln) - 0.5, 0, None))
        m_all = np.where(r, m, n_all * expit(lr))
        est = m_all.sum(axis=1) / n_all.sum(axis=1)
        ests.append(est)
        # The estimand is the rate among every council's children: the answering councils' counts are known
        # exactly, so only the silent councils' children, drawn binomially at their imputed rates, add
        # within-imputation variance.
        p_silent = expit(lr)
        silent_var = np.where(r, 0.0, n_all * p_silent * (1 - p_silent)).sum(axis=1)
        wvars.append(silent_var / n_all.sum(axis=1) ** 2)
    q, total, df = rubin(np.stack(ests, axis=-1), np.stack(wvars, axis=-1))
    half = t_dist.ppf(1 - alpha / 2, df) * np.sqrt(total)
    full = r.all(axis=1)
    q = np.where(full, m.sum(axis=1) / n.sum(axis=1), q)
    half = np.where(full, 0.0, half)
    return q, np.clip(q - half, 0, 1), np.clip(q + half, 0, 1)
