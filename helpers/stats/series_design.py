"""What more data would settle: a fifth report's chance to decide the gap, and the trend 5 or 6 reports detect.

Both start from the series model's posterior (:mod:`helpers.stats.series_model`) and use NumPy only.

* :func:`fifth_report_chances` simulates one more report from the posterior predictive (k councils
  answering, each with the typical number of children of the latest report) and updates the probability
  that the gap widened by importance weights: each posterior draw is weighed by the new report's
  likelihood, its report effect, silent councils and design effect integrated out as a normal on the
  log-odds scale. It counts how often the updated probability passes 0.95 or falls below 0.05.
* :func:`detectable_trend` is a planning formula: the trend in the gap that a weighted regression of the
  reports' gaps would detect with 80% power at the two-sided 5% level, the between-report variance held at
  its posterior median, a t reference on (reports - 2) df as the review used.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from helpers.ledger.errors import ParameterError


def _report_covariance(post, sigma: np.ndarray, silent: float, excess: np.ndarray) -> np.ndarray:
    """(draws, 2, 2) covariance of a new report's two log-odds: report effects, silent councils, excess."""
    rho, nr = post.priors.rho, post.priors.nonresponse_scale
    cov = np.empty((len(sigma), 2, 2))
    cov[:, 0, 0] = sigma[:, 0] ** 2 + (nr * silent) ** 2 + excess[:, 0]
    cov[:, 1, 1] = sigma[:, 1] ** 2 + (nr * silent) ** 2 + excess[:, 1]
    cov[:, 0, 1] = cov[:, 1, 0] = rho * sigma[:, 0] * sigma[:, 1]
    return cov


def _log_normal2(x: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """log density of 2-d normals; x (sims, 2), mean and cov per draw -> (sims, draws)."""
    det = cov[:, 0, 0] * cov[:, 1, 1] - cov[:, 0, 1] ** 2
    d0 = x[:, None, 0] - mean[None, :, 0]
    d1 = x[:, None, 1] - mean[None, :, 1]
    q = (cov[:, 1, 1] * d0**2 - 2 * cov[:, 0, 1] * d0 * d1 + cov[:, 0, 0] * d1**2) / det
    return -0.5 * q - 0.5 * np.log(det) - np.log(2 * np.pi)


def fifth_report_chances(
    post,
    councils,
    year: float,
    children_per_council,
    deff,
    councils_total: float,
    simulations: int = 400,
    seed: int = 1,
    upper: float = 0.95,
    lower: float = 0.05,
) -> pd.DataFrame:
    """How likely one more report, with k councils answering, moves P(gap widened) past ``upper`` or ``lower``.

    Parameters
    ----------
    post
        A :class:`~helpers.stats.series_model.SeriesPosterior`.
    councils
        The numbers k of councils answering to try.
    year
        The year the new report's figures refer to.
    children_per_council
        Typical children in care per answering council, one per group (the latest report's).
    deff
        Design effect of the new report, one per group.
    councils_total
        Councils asked; the silent share is 1 - k / councils_total.

    Returns
    -------
    DataFrame
        One row per k: councils, above (share of simulated reports after which P(widened) > upper), below
        (< lower), decided (either), and the median updated probability.
    """
    rng = np.random.default_rng(seed)
    a, b, sigma = post.flat("intercept"), post.flat("slope"), post.flat("report_sd")
    gap_rises = (b[:, 0] - b[:, 1]) > 0
    mean = a + b * (year - post.priors.year0)  # (draws, 2)
    p_line = 1 / (1 + np.exp(-mean))
    size = np.asarray(children_per_council, float)
    deff = np.asarray(deff, float)
    rows = []
    for k in councils:
        if not 0 < k <= councils_total:
            raise ParameterError(f"councils answering must lie in 1..{councils_total:g}; got {k!r}")
        n = np.round(k * size)
        silent = 1 - k / councils_total
        excess = post.priors.deff_scale * (deff - 1) / (n * p_line * (1 - p_line))
        cov = _report_covariance(post, sigma, silent, excess)
        pick = rng.integers(0, len(a), simulations)
        chol = np.linalg.cholesky(cov[pick])
        eta = mean[pick] + np.einsum("sij,sj->si", chol, rng.standard_normal((simulations, 2)))
        y = rng.binomial(n.astype(int), 1 / (1 + np.exp(-eta)))
        observed = np.log((y + 0.5) / (n - y + 0.5))
        p_obs = (y + 0.5) / (n + 1)
        sampling = 1 / (n * p_obs * (1 - p_obs))  # (sims, 2)
        # the new report's likelihood under every draw, its own effects integrated out (normal approximation)
        loglik = np.empty((simulations, len(a)))
        for j in range(simulations):
            total = cov.copy()
            total[:, 0, 0] += sampling[j, 0]
            total[:, 1, 1] += sampling[j, 1]
            loglik[j] = _log_normal2(observed[j : j + 1], mean, total)[0]
        w = np.exp(loglik - loglik.max(axis=1, keepdims=True))
        updated = (w * gap_rises).sum(1) / w.sum(1)
        rows.append(
            {
                "councils": int(k),
                "above": float(np.mean(updated > upper)),
                "below": float(np.mean(updated < lower)),
                "decided": float(np.mean((updated > upper) | (updated < lower))),
                "median_probability": float(np.median(updated)),
            }
        )
    if not rows:
        raise ParameterError("a trend needs at least three reports")
    return pd.DataFrame(rows)


def detectable_trend(
    gap_variances,
    years,
    future_variance: float,
    future_years,
    power: float = 0.8,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The trend in the gap (ratio per year) that a series would detect, report by report added.

    Parameters
    ----------
    gap_variances, years
        Variance of each existing report's gap on the log-odds scale (between-report and sampling) and
        its year.
    future_variance
        The same variance for each future report.
    future_years
        The years of the future reports, in order; row m of the result adds the first m of them.

    Returns
    -------
    DataFrame
        reports, last_year, se (of the slope of the gap, log scale), df, detectable (the ratio per year
        detected with ``power`` at two-sided ``alpha``, t on df).

    References
    ----------
    Borenstein M, Hedges LV, Higgins JPT, Rothstein HR (2009). *Introduction to Meta-Analysis*, ch. 29
    (power of a meta-analysis). Wiley.
    """
    v = list(np.asarray(gap_variances, float))
    t = list(np.asarray(years, float))
    rows = []
    for m in range(len(list(future_years)) + 1):
        vv = np.array(v + [future_variance] * m)
        tt = np.array(t + list(future_years)[:m], float)
        df = len(tt) - 2
        if df < 1:
            continue  # two reports or fewer: a line has no spread to estimate (nor a slope, with one)
        w = 1 / vv
        centre = np.sum(w * tt) / w.sum()
        se = float(np.sqrt(1 / np.sum(w * (tt - centre) ** 2)))
        factor = stats.t.ppf(1 - alpha / 2, df) + stats.t.ppf(power, df)
        rows.append(
            {
                "reports": len(tt),
                "last_year": int(tt.max()),
                "se": se,
                "df": df,
                "detectable": float(np.exp(factor * se)),
            }
        )
    if not rows:
        raise ParameterError("a trend needs at least three reports")
    return pd.DataFrame(rows)


def gap_variances(post) -> tuple[np.ndarray, np.ndarray]:
    """Each report's variance of the gap (first group minus second, log-odds) at the posterior median SDs.

    Between-report part: sigma_T^2 + sigma_U^2 - 2 rho sigma_T sigma_U, plus the silent councils' and the
    extra-binomial and binomial variances of the report's headline rows. Returns (years, variances).
    """
    data = post.data
    sigma = np.median(post.flat("report_sd"), axis=0)
    between = sigma[0] ** 2 + sigma[1] ** 2 - 2 * post.priors.rho * sigma[0] * sigma[1]
    y, n = data.weighted_counts()
    p = y / n
    row_var = 1 / (n * p * (1 - p)) + data.excess_variance(post.priors.deff_scale)
    row_var = row_var + (post.priors.nonresponse_scale * data.rows["silent_share"].to_numpy(float)) ** 2
    years, variances = [], []
    headline = data.rows[~data.rows["round_row"]]
    for _report, part in headline.groupby("report_id", sort=False):
        if len(part) != 2:
            continue
        years.append(float(part["year"].iloc[0]))
        variances.append(float(between + row_var[part.index].sum()))
    order = np.argsort(years)
    return np.array(years)[order], np.array(variances)[order]
