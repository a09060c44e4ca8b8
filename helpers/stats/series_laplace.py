"""An independent cross-check of the series model: a grid over the report-effect SDs with a Laplace step.

It computes the posterior of the same model as :mod:`helpers.stats.series_model` with the correlation and
every prior scale fixed, in NumPy and SciPy only and without sharing its code. Given the two report-effect
SDs (sigma_T, sigma_U) and one choice of version per report, the model is a latent Gaussian one: the
coefficients beta (intercept and slope of each group) and the row log-odds eta are jointly normal a
priori, and only the binomial likelihood is not. A Laplace approximation (Newton's method to the mode,
the curvature there) gives p(y | sigma, versions) and a normal posterior for the trend in the gap; with
counts in the hundreds the binomial log-likelihood is close to quadratic in the log-odds, so the step is
accurate. The SDs are integrated on a grid against their half-normal priors, and the combinations of
versions are mixed with their prior weights times their marginal likelihoods, which is what the
sampler's mixture likelihood does.

The style is that of :mod:`helpers.stats.bayes`: a grid of weights, normal pieces, and quantiles of the
mixture found by root finding.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats


@dataclass(frozen=True)
class LaplaceGap:
    """The cross-check's posterior of the gap's trend (log odds ratio per year): a normal mixture.

    ``weights``, ``means``, ``sds`` are the mixture's components (grid points x version combinations);
    ``median``, ``cri_low``, ``cri_high`` are on the ratio scale; ``p_widening`` is P(trend > 0).
    """

    weights: np.ndarray
    means: np.ndarray
    sds: np.ndarray
    median: float
    cri_low: float
    cri_high: float
    p_widening: float
    sd: float


def _row_prior_covariance(groups, reports, silent, round_row, excess_var, s_t, s_u, rho, round_sd, nr_sd):
    """Covariance of the row log-odds around the groups' lines, written out entry by entry."""
    n = len(groups)
    sds = (s_t, s_u)
    cov = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if reports[i] != reports[j]:
                continue
            gi, gj = groups[i], groups[j]
            cov[i, j] += sds[gi] * sds[gj] * (1.0 if gi == gj else rho)
            if gi == gj:  # the silent councils of one report and group are the same councils
                cov[i, j] += nr_sd**2 * silent[i] * silent[j]
        cov[i, i] += excess_var[i] + round_sd**2 * round_row[i] + 1e-8
    return cov


def _laplace(y, n, design, prior_mean, prior_prec_beta, row_cov, contrast, iterations=50):
    """Laplace approximation of one latent Gaussian model: log marginal likelihood, mean and SD of a contrast.

    Latent x = (beta, eta); beta ~ N(prior_mean, prior_prec_beta^-1), eta | beta ~ N(design beta, row_cov),
    y_i ~ Binomial(n_i, logistic(eta_i)).
    """
    k, m = design.shape[1], design.shape[0]
    row_prec = np.linalg.inv(row_cov)
    prec = np.zeros((k + m, k + m))
    prec[:k, :k] = prior_prec_beta + design.T @ row_prec @ design
    prec[:k, k:] = -design.T @ row_prec
    prec[k:, :k] = -row_prec @ design
    prec[k:, k:] = row_prec
    mu = np.concatenate([prior_mean, design @ prior_mean])
    x = mu.copy()
    x[k:] = special.logit((y + 0.5) / (n + 1))
    for _ in range(iterations):
        p = special.expit(x[k:])
        grad = -prec @ (x - mu)
        grad[k:] += y - n * p
        hess = prec.copy()
        hess[k:, k:] += np.diag(n * p * (1 - p))
        step = np.linalg.solve(hess, grad)
        x = x + step
        if np.max(np.abs(step)) < 1e-10:
            break
    eta = x[k:]
    loglik = np.sum(
        special.gammaln(n + 1)
        - special.gammaln(y + 1)
        - special.gammaln(n - y + 1)
        + y * eta
        - n * np.logaddexp(0, eta)
    )
    p = special.expit(eta)
    hess = prec.copy()
    hess[k:, k:] += np.diag(n * p * (1 - p))
    dev = x - mu
    log_z = loglik - 0.5 * dev @ prec @ dev + 0.5 * np.linalg.slogdet(prec)[1] - 0.5 * np.linalg.slogdet(hess)[1]
    cov = np.linalg.inv(hess)
    c = np.concatenate([contrast, np.zeros(m)])
    return float(log_z), float(c @ x), float(np.sqrt(c @ cov @ c))


def laplace_gap_trend(
    rows,
    missing,
    in_care,
    version_weights,
    *,
    rho: float,
    report_scale: float,
    round_scale: float,
    deff_scale: float,
    nonresponse_scale: float,
    intercept_mean: float,
    intercept_scale: float,
    slope_scale: float,
    year0: float,
    groups=("trafficked", "unaccompanied"),
    grid_points: int = 24,
    level: float = 0.95,
) -> LaplaceGap:
    """Posterior of the trend in the gap by grid (report-effect SDs) x Laplace (everything else).

    Parameters
    ----------
    rows
        A frame with report_id, group, year, round_row, deff, silent_share (one row per count).
    missing, in_care
        (alternatives, rows) arrays of counts, as the versions of each report give them.
    version_weights
        (reports in order of first appearance in ``rows``, alternatives) prior weights.
    rho, report_scale, ...
        The fixed correlation and prior scales (the names of :class:`~helpers.stats.series_model.SeriesPriors`).
    grid_points
        Points per SD on the grid, from 0 to 5 prior scales (midpoints of equal cells).
    """
    reports = list(dict.fromkeys(rows["report_id"]))
    report_of = np.array([reports.index(r) for r in rows["report_id"]])
    group_of = np.array([list(groups).index(g) for g in rows["group"]])
    years = rows["year"].to_numpy(float) - year0
    design = np.zeros((len(rows), 4))  # columns: intercept T, intercept U, slope T, slope U
    design[np.arange(len(rows)), group_of] = 1.0
    design[np.arange(len(rows)), 2 + group_of] = years
    prior_mean = np.array([intercept_mean, intercept_mean, 0.0, 0.0])
    prior_prec = np.diag(1 / np.array([intercept_scale, intercept_scale, slope_scale, slope_scale]) ** 2)
    contrast = np.array([0.0, 0.0, 1.0, -1.0])
    silent = rows["silent_share"].to_numpy(float)
    round_row = rows["round_row"].to_numpy(float)
    deff = rows["deff"].to_numpy(float)
    version_weights = np.asarray(version_weights, float)
    # the extra-binomial variance uses counts averaged over the versions with their prior weights
    w_rows = version_weights[report_of].T
    y_bar, n_bar = (w_rows * missing).sum(0), (w_rows * in_care).sum(0)
    p_bar = y_bar / n_bar
    excess = deff_scale * (deff - 1) / (n_bar * p_bar * (1 - p_bar))

    edges = np.linspace(0, 5 * report_scale, grid_points + 1)
    grid = (edges[:-1] + edges[1:]) / 2
    log_prior_sd = stats.halfnorm.logpdf(grid, scale=report_scale) + np.log(np.diff(edges))
    combos = [c for c in itertools.product(range(missing.shape[0]), repeat=len(reports))]
    logw, means, sds = [], [], []
    for combo in combos:
        prior_combo = np.prod([version_weights[r, k] for r, k in enumerate(combo)])
        if prior_combo <= 0:
            continue
        pick = np.array([combo[r] for r in report_of])
        y = missing[pick, np.arange(len(rows))]
        n = in_care[pick, np.arange(len(rows))]
        for i, s_t in enumerate(grid):
            for j, s_u in enumerate(grid):
                cov = _row_prior_covariance(
                    group_of, report_of, silent, round_row, excess, s_t, s_u, rho, round_scale, nonresponse_scale
                )
                log_z, mean, sd = _laplace(y, n, design, prior_mean, prior_prec, cov, contrast)
                logw.append(np.log(prior_combo) + log_prior_sd[i] + log_prior_sd[j] + log_z)
                means.append(mean)
                sds.append(sd)
    logw, means, sds = np.array(logw), np.array(means), np.array(sds)
    weights = np.exp(logw - logw.max())
    weights /= weights.sum()

    def cdf(b):
        return float(np.sum(weights * stats.norm.cdf((b - means) / sds)))

    lo, hi = means.min() - 12 * sds.max(), means.max() + 12 * sds.max()

    def quantile(q):
        return optimize.brentq(lambda b: cdf(b) - q, lo, hi, xtol=1e-12)

    mean = float(np.sum(weights * means))
    sd = float(np.sqrt(np.sum(weights * (sds**2 + means**2)) - mean**2))
    return LaplaceGap(
        weights=weights,
        means=means,
        sds=sds,
        median=float(np.exp(quantile(0.5))),
        cri_low=float(np.exp(quantile((1 - level) / 2))),
        cri_high=float(np.exp(quantile((1 + level) / 2))),
        p_widening=1 - cdf(0.0),
        sd=sd,
    )
