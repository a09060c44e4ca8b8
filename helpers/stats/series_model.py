"""The series as one Bayesian model, sampled with NumPyro (NUTS): both groups, every report, every version.

For report r, group g and year t the count missing is binomial given the children in care, with

    logit p = a_g + b_g (t - year0) + u_rg + s_r * D_rg + e_i  (+ w on a second year of one FOI round)

* a_g, b_g: each group's intercept and slope (per year), weakly informative normal priors;
* (u_rT, u_rU): the report effect, normal with SDs sigma_g (half-normal priors) and a FIXED correlation rho,
  which these data cannot identify (a review found its profile flips with the version chosen);
* D_rg: how far the silent councils' log-odds differ from the answering ones', normal(0, nonresponse_scale),
  weighed by the report's silent share s_r: the population rate is what the trend describes;
* e_i: extra-binomial variance, normal with variance deff_scale (d - 1) / (n p (1 - p)), from a design
  effect d per row (:meth:`helpers.stats.series_data.SeriesData.excess_variance`);
* w: When Harm Remains' 2018 row shares its round's report effect and gets its own within-round term.

Every version of a report enters as a fixed alternative: the report's likelihood is the mixture of its
versions' binomial likelihoods with the stated prior weights (the versions are not parameters).
Every effect is non-centred (a standard normal times its scale), which keeps NUTS off the funnel.

The sampler is NumPyro's NUTS on JAX (CPU, 64-bit). The library is imported inside the functions that
need it, so importing this module (and ``helpers.stats``) stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache

import numpy as np
import pandas as pd

from helpers.ledger.errors import MfcError, ParameterError
from helpers.stats.series_data import SeriesData

#: Thresholds a run must meet or :func:`check_diagnostics` raises: split R-hat, bulk ESS, divergences.
RHAT_MAX = 1.01
ESS_MIN = 400


class SamplingError(MfcError):
    """The sampler's diagnostics failed (R-hat too high, too few effective draws, or divergences)."""


@dataclass(frozen=True)
class SeriesPriors:
    """The fixed choices of the series model, each with its reason (see the module docstring).

    rho: correlation of the two groups' report effects (fixed, not estimated).
    report_scale: half-normal scale of each group's report-effect SD (0.5 on the log-odds scale, the
      weakly informative value for between-study heterogeneity of Friede et al. 2017, as in ``bayes.py``).
    round_scale: SD of the within-round term (0.25: two years of one round, same councils).
    deff_scale: multiplies the design effects' extra variance (1 = as implied; 0 = binomial only).
    nonresponse_scale: SD of the silent councils' log-odds difference (0 = no non-response prior).
    intercept_mean, intercept_scale: normal prior of each group's log-odds in ``year0`` (rates of 2% to
      75% within 2 SDs).
    slope_scale: SD of each slope per year (an odds ratio of 0.61 to 1.65 a year within 2 SDs).
    year0: the year the intercepts refer to (the series' middle, which also steadies the sampler).
    """

    rho: float = 0.5
    report_scale: float = 0.5
    round_scale: float = 0.25
    deff_scale: float = 1.0
    nonresponse_scale: float = 0.5
    intercept_mean: float = -1.5
    intercept_scale: float = 1.5
    slope_scale: float = 0.25
    year0: float = 2020.0

    def __post_init__(self):
        if not -1 < self.rho < 1:
            raise ParameterError(f"rho must lie strictly between -1 and 1; got {self.rho!r}")
        for name in ("report_scale", "round_scale", "intercept_scale", "slope_scale"):
            if not getattr(self, name) > 0:
                raise ParameterError(f"{name} must be positive; got {getattr(self, name)!r}")
        for name in ("deff_scale", "nonresponse_scale"):
            if not getattr(self, name) >= 0:
                raise ParameterError(f"{name} must be 0 or more; got {getattr(self, name)!r}")


@dataclass(frozen=True)
class SamplerSettings:
    """NUTS settings: chains, warm-up and kept draws per chain, seed, target acceptance."""

    chains: int = 4
    warmup: int = 400
    draws: int = 800
    seed: int = 20260601
    target_accept: float = 0.95


@dataclass(frozen=True, eq=False)
class SeriesPosterior:
    """Posterior draws (chains x draws per name, NumPy arrays), the diagnostics and what produced them."""

    draws: dict
    diagnostics: pd.DataFrame
    divergences: int
    data: SeriesData
    priors: SeriesPriors
    settings: SamplerSettings
    left_out: str | None = None
    extras: dict = field(default_factory=dict)

    def flat(self, name: str) -> np.ndarray:
        """The draws of ``name`` with the chains laid end to end."""
        x = self.draws[name]
        return x.reshape((-1,) + x.shape[2:])


def _model(
    year,
    group,
    report,
    same_report,
    same_cell,
    round_row,
    excess_var,
    silent,
    missing,
    in_care,
    log_weights,
    mask,
    hyper,
):
    """The NumPyro model. Arrays are (rows,) but missing / in_care (alternatives, rows) and same_report /
    same_cell (rows, rows) indicators; ``hyper`` holds rho, report_scale, round_scale, nonresponse_scale,
    intercept_mean, intercept_scale, slope_scale.

    The row log-odds are sampled centred, as one multivariate normal whose covariance adds up the report
    effects, the silent councils, the within-round term and the extra-binomial variance: the counts are
    large, so the likelihood pins each row down and the centred form samples far better than a
    non-centred one (which is for weak data).
    """
    import jax.numpy as jnp
    import numpyro
    import numpyro.distributions as dist
    from jax.scipy.special import gammaln, logsumexp

    n_reports = log_weights.shape[0]
    rho, report_scale, round_scale, nr_scale, a_mean, a_scale, b_scale = (hyper[i] for i in range(7))
    a = numpyro.sample("intercept", dist.Normal(a_mean, a_scale).expand([2]))
    b = numpyro.sample("slope", dist.Normal(0.0, b_scale).expand([2]))
    sigma = numpyro.sample("report_sd", dist.HalfNormal(report_scale).expand([2]))
    sd_row = sigma[group]
    corr = jnp.where(group[:, None] == group[None, :], 1.0, rho)
    cov = same_report * corr * sd_row[:, None] * sd_row[None, :]
    cov = cov + same_cell * nr_scale**2 * silent[:, None] * silent[None, :]
    cov = cov + jnp.diag(round_row * round_scale**2 + excess_var + 1e-8)
    population = a[group] + b[group] * year
    eta = numpyro.sample("eta", dist.MultivariateNormal(population, covariance_matrix=cov))
    # binomial log-likelihood of every alternative, constants included (the alternatives' counts differ)
    loglik = (
        gammaln(in_care + 1)
        - gammaln(missing + 1)
        - gammaln(in_care - missing + 1)
        + missing * eta
        - in_care * jnp.logaddexp(0.0, eta)
    )
    onehot = (report[None, :] == jnp.arange(n_reports)[:, None]).astype(loglik.dtype)
    per_report = log_weights + onehot @ loglik.T  # (reports, alternatives)
    numpyro.deterministic("version_loglik", per_report)
    numpyro.factor("likelihood", jnp.sum(mask * logsumexp(per_report, axis=1)))


def _hyper(priors: SeriesPriors) -> np.ndarray:
    return np.array(
        [
            priors.rho,
            priors.report_scale,
            priors.round_scale,
            priors.nonresponse_scale,
            priors.intercept_mean,
            priors.intercept_scale,
            priors.slope_scale,
        ]
    )


@cache
def _sampler(chains: int, warmup: int, draws: int, target_accept: float):
    """One MCMC object per setting: with ``jit_model_args`` its compiled kernel is reused across data."""
    import jax

    jax.config.update("jax_enable_x64", True)
    from numpyro.infer import MCMC, NUTS

    kernel = NUTS(_model, target_accept_prob=target_accept)
    return MCMC(
        kernel,
        num_warmup=warmup,
        num_samples=draws,
        num_chains=chains,
        chain_method="vectorized",
        progress_bar=False,
        jit_model_args=True,
    )


def model_inputs(data: SeriesData, priors: SeriesPriors, left_out: str | None = None) -> dict:
    """The arrays the NumPyro model takes (a report left out has its likelihood masked, not removed)."""
    if left_out is not None and left_out not in data.reports:
        raise ParameterError(f"left_out must be one of {list(data.reports)}; got {left_out!r}")
    mask = np.array([0.0 if r == left_out else 1.0 for r in data.reports])
    group = data.group_index
    same_cell = (data.report_index[:, None] == data.report_index[None, :]) & (group[:, None] == group[None, :])
    return dict(
        year=data.years - priors.year0,
        group=data.group_index,
        report=data.report_index,
        same_report=(data.report_index[:, None] == data.report_index[None, :]).astype(float),
        same_cell=same_cell.astype(float),
        round_row=data.rows["round_row"].to_numpy(float),
        excess_var=data.excess_variance(priors.deff_scale),
        silent=data.rows["silent_share"].to_numpy(float),
        missing=data.missing,
        in_care=data.in_care,
        log_weights=data.log_weights,
        mask=mask,
        hyper=_hyper(priors),
    )


def diagnostics_table(draws: dict, names=("intercept", "slope", "report_sd")) -> pd.DataFrame:
    """Split R-hat and effective sample size (NumPyro's estimators) of each element of ``names``."""
    from numpyro.diagnostics import effective_sample_size, split_gelman_rubin

    rows = []
    for name in names:
        x = np.asarray(draws[name])
        flat = x.reshape(x.shape[0], x.shape[1], -1)
        for j in range(flat.shape[2]):
            chain_draws = flat[:, :, j]
            rows.append(
                {
                    "parameter": name if flat.shape[2] == 1 else f"{name}[{j}]",
                    "r_hat": float(split_gelman_rubin(chain_draws[..., None])[0]),
                    "ess": float(effective_sample_size(chain_draws[..., None])[0]),
                }
            )
    return pd.DataFrame(rows)


def check_diagnostics(post: SeriesPosterior, rhat_max: float = RHAT_MAX, ess_min: float = ESS_MIN) -> None:
    """Raise :class:`SamplingError` naming every failed check: R-hat above ``rhat_max``, ESS below
    ``ess_min``, any divergent transition."""
    table = post.diagnostics
    problems = [
        f"{row.parameter}: R-hat {row.r_hat:.3f} > {rhat_max}"
        for row in table.itertuples()
        if not row.r_hat <= rhat_max
    ]
    problems += [
        f"{row.parameter}: ESS {row.ess:.0f} < {ess_min}" for row in table.itertuples() if not row.ess >= ess_min
    ]
    if post.divergences:
        problems.append(f"{post.divergences} divergent transitions")
    if problems:
        raise SamplingError(
            "the series model's sampler did not converge (" + "; ".join(problems) + "); "
            "more warm-up or a higher target acceptance may help, but do not read these draws"
        )


def fit_series_model(
    data: SeriesData,
    priors: SeriesPriors = SeriesPriors(),
    settings: SamplerSettings = SamplerSettings(),
    left_out: str | None = None,
    check: bool = True,
    rhat_max: float = RHAT_MAX,
    ess_min: float = ESS_MIN,
) -> SeriesPosterior:
    """Sample the series model with NUTS; with ``check`` (default) bad diagnostics raise SamplingError.

    ``left_out`` names a report whose counts are left out of the likelihood (leave-one-report-out).
    The same seed and settings give the same draws.
    """
    import jax

    mcmc = _sampler(settings.chains, settings.warmup, settings.draws, settings.target_accept)
    inputs = model_inputs(data, priors, left_out)
    mcmc.run(jax.random.PRNGKey(settings.seed), extra_fields=("diverging",), **inputs)
    samples = {k: np.asarray(v) for k, v in mcmc.get_samples(group_by_chain=True).items()}
    divergences = int(np.asarray(mcmc.get_extra_fields()["diverging"]).sum())
    post = SeriesPosterior(
        draws=samples,
        diagnostics=diagnostics_table(samples),
        divergences=divergences,
        data=data,
        priors=priors,
        settings=settings,
        left_out=left_out,
    )
    if check:
        check_diagnostics(post, rhat_max, ess_min)
    return post


def gap_trend_draws(post: SeriesPosterior) -> np.ndarray:
    """Draws of the trend in the gap: log of the ratio of the two groups' odds ratios per year."""
    slope = post.flat("slope")
    return slope[:, 0] - slope[:, 1]


def _summary(name: str, log_draws: np.ndarray, level: float) -> dict:
    q = np.quantile(log_draws, [0.5, (1 - level) / 2, (1 + level) / 2])
    return {
        "quantity": name,
        "median": float(np.exp(q[0])),
        "cri_low": float(np.exp(q[1])),
        "cri_high": float(np.exp(q[2])),
        "p_rise": float(np.mean(log_draws > 0)),
    }


def headline_quantities(post: SeriesPosterior, years=None, level: float = 0.95) -> pd.DataFrame:
    """The headline quantities as posterior medians with equal-tailed credible intervals (``level``).

    Rows: each group's odds ratio per year (``slope:<group>``), the trend in the gap (``gap_trend``: the
    ratio of the two odds ratios per year), and the gap in each year (``gap:<year>``: the first group's
    odds over the second's in the population line, report effects aside). ``p_rise`` is the posterior
    probability that the quantity exceeds 1 (for the gap's trend: that the gap widened).
    """
    g0, g1 = post.data.groups
    slope, intercept = post.flat("slope"), post.flat("intercept")
    rows = [
        _summary(f"slope:{g0}", slope[:, 0], level),
        _summary(f"slope:{g1}", slope[:, 1], level),
        _summary("gap_trend", slope[:, 0] - slope[:, 1], level),
    ]
    years = sorted(set(post.data.rows["year"])) if years is None else years
    for year in years:
        t = year - post.priors.year0
        gap = (intercept[:, 0] + slope[:, 0] * t) - (intercept[:, 1] + slope[:, 1] * t)
        rows.append(_summary(f"gap:{int(year)}", gap, level))
    return pd.DataFrame(rows)


def version_weights(post: SeriesPosterior) -> pd.DataFrame:
    """Prior and posterior weight of each version of each report with more than one (the mixture's
    responsibilities averaged over the draws)."""
    loglik = post.flat("version_loglik")  # (draws, reports, alternatives)
    resp = np.exp(loglik - loglik.max(axis=2, keepdims=True))
    resp /= resp.sum(axis=2, keepdims=True)
    rows = []
    for r, report in enumerate(post.data.reports):
        names = post.data.alternatives[r]
        if len(set(names)) < 2:
            continue
        for k, version in enumerate(names):
            rows.append(
                {
                    "report_id": report,
                    "version": version,
                    "prior_weight": float(np.exp(post.data.log_weights[r, k])),
                    "posterior_weight": float(resp[:, r, k].mean()),
                }
            )
    return pd.DataFrame(rows)


def posterior_predictive(post: SeriesPosterior, seed: int = 1, level: float = 0.95) -> pd.DataFrame:
    """Each row's published count(s) against the posterior predictive of a replicated count.

    For every version of each row: the count, the predictive median and ``level`` interval of a binomial
    draw with that version's children in care, and the predictive tail P(replicate <= published).
    """
    rng = np.random.default_rng(seed)
    eta = post.flat("eta")
    p = 1 / (1 + np.exp(-eta))
    out = []
    for k in range(post.data.missing.shape[0]):
        for i, row in enumerate(post.data.rows.itertuples()):
            r = post.data.report_index[i]
            version = post.data.alternatives[r][k]
            if k > 0 and version == post.data.alternatives[r][k - 1]:
                continue
            n, y = int(post.data.in_care[k, i]), int(post.data.missing[k, i])
            rep = rng.binomial(n, p[:, i])
            lo, mid, hi = np.quantile(rep, [(1 - level) / 2, 0.5, (1 + level) / 2])
            out.append(
                {
                    "report_id": row.report_id,
                    "group": row.group,
                    "year": row.year,
                    "version": version,
                    "missing": y,
                    "in_care": n,
                    "pred_median": float(mid),
                    "pred_low": float(lo),
                    "pred_high": float(hi),
                    "tail": float(np.mean(rep <= y)),
                }
            )
    return pd.DataFrame(out)


def with_priors(priors: SeriesPriors, **changes) -> SeriesPriors:
    """A copy of ``priors`` with some fields changed (checked again)."""
    return replace(priors, **changes)


def _row_covariances(post: SeriesPosterior, priors: SeriesPriors, sigma: np.ndarray) -> np.ndarray:
    """Covariance of the row log-odds around the groups' lines for each draw of the SDs: (draws, rows, rows)."""
    data = post.data
    inputs = model_inputs(data, priors)
    group = inputs["group"]
    corr = np.where(group[:, None] == group[None, :], 1.0, priors.rho)
    sd_row = sigma[:, group]  # (draws, rows)
    cov = inputs["same_report"] * corr * sd_row[:, :, None] * sd_row[:, None, :]
    silent = inputs["silent"]
    fixed = inputs["same_cell"] * priors.nonresponse_scale**2 * silent[:, None] * silent[None, :]
    fixed += np.diag(inputs["round_row"] * priors.round_scale**2 + inputs["excess_var"] + 1e-8)
    return cov + fixed


def log_prior(post: SeriesPosterior, priors: SeriesPriors) -> np.ndarray:
    """The log prior density of every draw (intercepts, slopes, SDs, row log-odds) under ``priors``."""
    from scipy import stats

    a, b, sigma, eta = post.flat("intercept"), post.flat("slope"), post.flat("report_sd"), post.flat("eta")
    out = stats.norm.logpdf(a, priors.intercept_mean, priors.intercept_scale).sum(1)
    out += stats.norm.logpdf(b, 0.0, priors.slope_scale).sum(1)
    out += stats.halfnorm.logpdf(sigma, scale=priors.report_scale).sum(1)
    group = post.data.group_index
    mean = a[:, group] + b[:, group] * (post.data.years - priors.year0)
    chol = np.linalg.cholesky(_row_covariances(post, priors, sigma))
    z = np.linalg.solve(chol, (eta - mean)[:, :, None])[:, :, 0]
    logdet = 2 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(1)
    return out - 0.5 * (z**2).sum(1) - 0.5 * logdet - 0.5 * eta.shape[1] * np.log(2 * np.pi)


def reweighted(post: SeriesPosterior, priors: SeriesPriors) -> tuple[np.ndarray, float]:
    """Importance weights that turn the posterior under ``post.priors`` into one under ``priors``.

    The likelihood does not depend on the prior scales or on rho, so the weight of a draw is the ratio of
    the two prior densities. Returns the normalised weights and their effective sample size (Kish).

    References
    ----------
    Kallioinen N, Paananen T, Bürkner P-C, Vehtari A (2023). Detecting and diagnosing prior and likelihood
    sensitivity with power-scaling. *Statistics and Computing* 34:57.
    """
    logw = log_prior(post, priors) - log_prior(post, post.priors)
    w = np.exp(logw - logw.max())
    w /= w.sum()
    return w, float(1 / np.sum(w**2))


def _weighted_quantile(x: np.ndarray, w: np.ndarray, qs) -> np.ndarray:
    order = np.argsort(x)
    cum = np.cumsum(w[order]) - 0.5 * w[order]
    return np.interp(qs, cum, x[order])


def weighted_headline(post: SeriesPosterior, weights: np.ndarray, level: float = 0.95) -> pd.DataFrame:
    """The slopes and the gap's trend (as :func:`headline_quantities`) from weighted draws."""
    g0, g1 = post.data.groups
    slope = post.flat("slope")
    rows = []
    for name, x in (
        (f"slope:{g0}", slope[:, 0]),
        (f"slope:{g1}", slope[:, 1]),
        ("gap_trend", slope[:, 0] - slope[:, 1]),
    ):
        q = _weighted_quantile(x, weights, [0.5, (1 - level) / 2, (1 + level) / 2])
        rows.append(
            {
                "quantity": name,
                "median": float(np.exp(q[0])),
                "cri_low": float(np.exp(q[1])),
                "cri_high": float(np.exp(q[2])),
                "p_rise": float(np.sum(weights * (x > 0))),
            }
        )
    return pd.DataFrame(rows)


def prior_sensitivity(
    post: SeriesPosterior,
    alternatives: dict,
    settings: SamplerSettings | None = None,
    min_ess: float = 100,
    level: float = 0.95,
) -> pd.DataFrame:
    """The gap's trend and the slopes under other priors: reweighted draws, or a refit where that is thin.

    ``alternatives`` maps a label to a dict of prior changes (e.g. ``{"rho": 0.9}``). Each is first
    reached by importance weights (:func:`reweighted`); when their effective sample size is below
    ``min_ess`` the model is sampled again under those priors (``settings``, default the post's).
    Returns one row per label and quantity with the method used and the weights' ESS.
    """
    out = []
    for label, changes in alternatives.items():
        priors = with_priors(post.priors, **changes)
        weights, ess = reweighted(post, priors)
        if ess >= min_ess:
            table, method = weighted_headline(post, weights, level), "reweighted"
        else:
            refit = fit_series_model(post.data, priors, settings or post.settings)
            table, method = headline_quantities(refit, years=[], level=level), "sampled again"
        out.append(table.assign(setting=label, method=method, weights_ess=ess))
    return pd.concat(out, ignore_index=True)


def leave_one_report_out(
    post: SeriesPosterior, settings: SamplerSettings | None = None, level: float = 0.95
) -> pd.DataFrame:
    """The slopes and the gap's trend with each report's counts left out of the likelihood in turn."""
    out = []
    for report in post.data.reports:
        refit = fit_series_model(post.data, post.priors, settings or post.settings, left_out=report)
        out.append(headline_quantities(refit, years=[], level=level).assign(left_out=report))
    return pd.concat(out, ignore_index=True)
