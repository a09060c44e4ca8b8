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
- ``mice``: multiple imputation of the silent councils' counts, size-aware: a negative binomial model of
  children in care and a beta-binomial model of children who went missing (NumPy, every replicate at once).

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


def _glm_terms(family: str, eta, trials, theta):
    """Mean, d(mean)/d(eta) and variance of one council's count under ``family`` at linear predictor eta.

    ``binomial``: m of ``trials`` children, logit link, variance n p (1 - p) (1 + (n - 1) theta): a
    beta-binomial with intra-council correlation theta. ``poisson``: a count, log link, variance
    mu (1 + theta mu): a negative binomial with dispersion theta. theta = 0 gives the plain GLM.
    """
    eta = np.clip(eta, -30.0, 30.0)
    if family == "binomial":
        p = expit(eta)
        mean, slope = trials * p, trials * p * (1 - p)
        return mean, slope, slope * (1 + np.maximum(trials - 1, 0) * theta)
    mean = np.exp(eta)
    return mean, mean, mean * (1 + theta * mean)


def _dispersion_factor(family: str, mean, trials):
    """What multiplies theta in the variance over the plain GLM's variance: n - 1, or the Poisson mean."""
    return np.maximum(trials - 1, 0) if family == "binomial" else mean


def fit_glm_batched(X, y, keep, *, family: str, trials=None, theta=None, iterations: int = 12) -> np.ndarray:
    """Quasi-likelihood GLM of counts ``y`` on X for every replicate at once (Fisher scoring).

    X: (N, p) covariates shared by the replicates; y, keep: (R, N), ``keep`` the councils that answered;
    ``theta`` (R,) the extra-variation parameter of :func:`_glm_terms`, held fixed (0 by default). With
    theta fixed this is the binomial (or Poisson) GLM with variance weights 1 / (1 + (n - 1) theta)
    (or 1 / (1 + theta mu)), the estimating equation of Williams (1982, Applied Statistics 31:144-148);
    the tests match statsmodels' GLM with those weights. Returns coefficients, one row per replicate.
    """
    y = np.where(keep, y, 0.0)
    trials = np.ones_like(y) if trials is None else np.where(keep, trials, 0.0)
    theta = np.zeros(y.shape[0]) if theta is None else np.asarray(theta, float)
    beta = np.zeros((y.shape[0], X.shape[1]))
    if family == "binomial":
        pooled = y.sum(axis=1) / np.maximum(trials.sum(axis=1), 1)
        beta[:, 0] = logit(np.clip(pooled, 1e-6, 1 - 1e-6))
    else:
        beta[:, 0] = np.log(np.maximum((y * keep).sum(axis=1) / np.maximum(keep.sum(axis=1), 1), 1e-6))
    for _ in range(iterations):
        mean, slope, var = _glm_terms(family, beta @ X.T, trials, theta[:, None])
        w = np.where(keep & (var > 0), slope**2 / np.where(var > 0, var, 1.0), 0.0)
        score = np.where(keep & (var > 0), slope * (y - mean) / np.where(var > 0, var, 1.0), 0.0)
        info = np.swapaxes(X * w[..., None], 1, 2) @ X + 1e-9 * np.eye(X.shape[1])
        beta = beta + np.linalg.solve(info, (score @ X)[..., None])[..., 0]
    return beta


def solve_dispersion(pearson_at_zero, factor, keep, target, start=None, steps: int = 30) -> np.ndarray:
    """theta >= 0 at which sum over answering councils of pearson_at_zero / (1 + factor theta) = target.

    ``pearson_at_zero``: each council's squared Pearson residual under the plain GLM (theta = 0). The sum
    is convex and falls as theta grows, so Newton's method started below the root climbs to it without
    overshooting; theta = 0 when even the plain GLM's residuals do not exceed the target. ``start`` (one
    value per replicate) saves steps when it lies below the root; one beyond it is replaced by 0.
    Williams' (1982) moment estimator sets the target to the residual degrees of freedom; a chi-squared
    draw there gives a draw of theta.
    """
    a = np.where(keep, pearson_at_zero, 0.0)
    c = np.where(keep, factor, 0.0)
    target = np.asarray(target, float)
    theta = np.zeros(a.shape[0]) if start is None else np.asarray(start, float)
    theta = np.where((a / (1 + c * theta[:, None])).sum(axis=1) >= target, theta, 0.0)
    for _ in range(steps):
        share = a / (1 + c * theta[:, None])
        gap = share.sum(axis=1) - target
        slope = -(share * c / (1 + c * theta[:, None])).sum(axis=1)
        step = np.where((gap > 0) & (slope < 0), -gap / np.where(slope < 0, slope, -1.0), 0.0)
        theta = theta + step
        if np.all(step <= 1e-10 * (1 + theta)):
            break
    return theta


class _CountModel:
    """A fitted count model of the answering councils and proper draws for the silent ones.

    Fitted by Williams' procedure (GLM, moment estimate of theta, GLM again with theta, theta again). A
    draw first takes theta from its approximate posterior (the Pearson statistic set to a chi-squared draw
    on the residual degrees of freedom, as the ``norm`` method draws sigma^2 from RSS / chi-squared), then
    the coefficients from N(beta_hat, (X' W(theta) X)^-1), then each silent council's count from the
    beta-binomial (or negative binomial) at those values.
    """

    def __init__(self, family, X, y, keep, trials=None):
        self.family, self.X, self.y, self.keep = family, X, y, keep
        self.trials = np.ones_like(y) if trials is None else trials
        informative = keep & (self.trials > 0) if family == "binomial" else keep
        self.df = np.maximum(informative.sum(axis=1) - X.shape[1], 1)
        theta = np.zeros(y.shape[0])
        for _ in range(2):
            self.beta = fit_glm_batched(X, y, keep, family=family, trials=self.trials, theta=theta)
            # the plain GLM's terms at the fitted coefficients: every draw of theta reuses them
            mean, self.slope, self.base = _glm_terms(family, self.beta @ X.T, self.trials, 0.0)
            pearson = np.where(self.base > 0, (y - mean) ** 2 / np.where(self.base > 0, self.base, 1.0), 0.0)
            self.factor = _dispersion_factor(family, mean, self.trials)
            # the answering councils first, so the draws of theta work on as few columns as possible
            order = np.argsort(~keep, axis=1, kind="stable")[:, : max(int(keep.sum(axis=1).max()), 1)]
            self._pearson, self._factor, self._answering = (
                np.take_along_axis(np.where(keep, v, 0.0), order, axis=1) for v in (pearson, self.factor, keep)
            )
            theta = self.theta_for(self.df, start=None)
        self.theta = theta

    def theta_for(self, target, start=None):
        """theta at which the answering councils' Pearson statistic equals ``target`` (one per replicate)."""
        return solve_dispersion(self._pearson, self._factor, self._answering, target, start=start)

    def draw(self, rng, silent_trials=None):
        """One proper draw of every council's count (answering councils keep theirs)."""
        theta = self.theta_for(rng.chisquare(self.df), start=self.theta)
        var = self.base * (1 + self.factor * theta[:, None])
        w = np.where(self.keep & (var > 0), self.slope**2 / np.where(var > 0, var, 1.0), 0.0)
        cov = np.linalg.inv(np.swapaxes(self.X * w[..., None], 1, 2) @ self.X + 1e-9 * np.eye(self.X.shape[1]))
        # symmetric by construction; rounding can break that when few councils answered (a nearly singular fit)
        chol = np.linalg.cholesky((cov + np.swapaxes(cov, 1, 2)) / 2)
        beta = self.beta + (chol @ rng.standard_normal(self.beta.shape)[..., None])[..., 0]
        # only the silent councils are drawn: their rows and columns as flat arrays
        silent = ~self.keep
        rows = np.nonzero(silent)[0]
        eta = np.clip(beta @ self.X.T, -30.0, 30.0)[silent]
        th = theta[rows]
        spread = np.maximum(th, 1e-12)
        if self.family == "binomial":
            p = expit(eta)
            shape = 1 / spread - 1
            p = np.where(th > 0, rng.beta(np.maximum(p * shape, 1e-12), np.maximum((1 - p) * shape, 1e-12)), p)
            counts = rng.binomial(np.asarray(silent_trials)[silent].astype(np.int64), p)
        else:
            frailty = np.where(th > 0, rng.gamma(1 / spread, spread), 1.0)
            counts = rng.poisson(np.exp(eta) * frailty)
        drawn = self.y.copy()
        drawn[silent] = counts
        return drawn


def mice(n, m, r, size, dfe_rate, *, seed: int, imputations: int = IMPUTATIONS, alpha: float = 0.05):
    """(estimate, low, high) arrays: size-aware binomial multiple imputation, every replicate at once.

    The silent councils' children in care and children who went missing are imputed in turn (a monotone
    pattern: both are missing together, so one pass of the chained equations is exact):

    1. children in care: a negative binomial model (log link) on log size and DfE's logit missing rate;
    2. children who went missing, given those children: a beta-binomial model (logit link) on the same
       covariates, so each council counts in proportion to its children and the councils' rates vary
       around the model by a fitted between-council correlation.

    Both are fitted to the answering councils by Williams' procedure and drawn properly (the extra
    variation, then the coefficients, from their approximate posterior; then a council's rate; then its
    counts, Binomial(n, p)). An earlier version regressed unweighted empirical logits
    log((m + 0.5) / (n - m + 0.5)) on the covariates: councils of one or two children pulled every rate
    towards one half and inflated the spread, which put the rate about 0.3 points too high with intervals
    about 1.5 times too wide (issue 24).

    The estimand is the rate among every council's children in this frame, a finite-population total:
    once the silent councils' counts are drawn, a completed data set gives the estimand itself, with no
    sampling error left. The within-imputation variance is therefore 0 and Rubin's total variance is
    (1 + 1/M) B, with M - 1 degrees of freedom; the binomial noise of the silent councils' children is
    in B because their counts are drawn, not set to n p. Seeded.
    """
    from scipy.stats import t as t_dist

    check_alpha(alpha)
    check_imputations(imputations)
    n, m, r = _2d(n, m, r)
    # one row of counts serves every replicate of r, as in the other estimators
    n, m, r = np.broadcast_arrays(n.astype(float), m.astype(float), r.astype(bool))
    rng = np.random.default_rng(seed)
    X = response_design(size, dfe_rate)
    in_care = _CountModel("poisson", X, n, r)
    missing = _CountModel("binomial", X, m, r, trials=n)
    ests = []
    for _ in range(imputations):
        n_all = in_care.draw(rng)
        m_all = missing.draw(rng, silent_trials=n_all)
        ests.append(m_all.sum(axis=1) / np.maximum(n_all.sum(axis=1), 1))
    q = np.stack(ests, axis=-1)
    q, total, df = rubin(q, np.zeros(q.shape))
    half = t_dist.ppf(1 - alpha / 2, df) * np.sqrt(total)
    full = r.all(axis=1)
    q = np.where(full, m.sum(axis=1) / n.sum(axis=1), q)
    half = np.where(full, 0.0, half)
    return q, np.clip(q - half, 0, 1), np.clip(q + half, 0, 1)
