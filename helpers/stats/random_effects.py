"""Random-effects meta-regression of logit rates on year: trends across reports that sampled different councils.

Each report rests on the councils that answered its own Freedom of Information round. Going from one
report to the next changes the children *and* the councils, and the second change adds variance on the
logit scale that no amount of children within a report averages away. The model here treats each
report's logit rate as

    logit(p_i) = b0 + b1 * (year_i - first year) + u_i + e_i,   u_i ~ N(0, tau2),  e_i ~ N(0, v_i)

with v_i = 1/missing + 1/not_missing (the binomial variance of a log odds) and u_i a report-level random
intercept. tau2 (the between-report variance) is estimated by Paule-Mandel (generalised Q equal to its
degrees of freedom) or REML; the coefficients come from statsmodels WLS with weights 1/(v_i + tau2), and
their standard errors from the Knapp-Hartung scale (the WLS residual scale), with a t reference on k - 2
degrees of freedom. With four or five reports these intervals are wide by design.

Functions:

* :func:`logit_effects` - the log odds of each row and its sampling variance;
* :func:`tau2_paule_mandel`, :func:`tau2_reml` - the between-report variance;
* :func:`fit_meta_regression` - the slope (odds ratio per year) with tau2, I2 and the t interval;
* :func:`ratio_against_first` - each report's year against the first, as odds ratio, risk ratio and
  risk difference, with the same between-report variance;
* :func:`leave_one_out` - the slope refitted without each report in turn.

The sentences that say these numbers in words are in :mod:`helpers.present.trend_words`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import optimize, stats

from helpers.ledger.choices import check_choice
from helpers.ledger.errors import ParameterError
from helpers.stats.rates import check_alpha

TAU2_METHODS = ("pm", "reml")


def logit_effects(
    data: pd.DataFrame, successes: str = "missing", failures: str = "not_missing"
) -> tuple[np.ndarray, np.ndarray]:
    """Log odds log(s/f) of each row and its binomial sampling variance 1/s + 1/f.

    Rows with no successes or no failures have an infinite log odds and are refused.
    """
    for col in (successes, failures):
        if col not in data.columns:
            raise ParameterError(f"no column {col!r} in the data (columns: {', '.join(map(str, data.columns))})")
    s = pd.to_numeric(data[successes], errors="coerce").to_numpy(dtype=float)
    f = pd.to_numeric(data[failures], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(s) | ~np.isfinite(f) | (s <= 0) | (f <= 0)
    if bad.any():
        rows = list(data.index[bad])[:5]
        raise ParameterError(f"rows {rows} need positive {successes!r} and {failures!r} counts for a log odds")
    return np.log(s / f), 1 / s + 1 / f


def _wls(y, v, X, tau2):
    return sm.WLS(y, X, weights=1 / (v + tau2)).fit()


def _q(y, v, X, tau2) -> float:
    """Generalised Q: weighted residual sum of squares at tau2."""
    res = _wls(y, v, X, tau2)
    return float(np.sum(res.wresid**2))


def tau2_paule_mandel(y, v, X) -> float:
    """Paule-Mandel tau2 for a meta-regression: the tau2 >= 0 at which Q(tau2) = k - p.

    Q(tau2) falls as tau2 grows, so the root is unique; when Q(0) <= k - p there is no excess variation
    and tau2 = 0.

    Returns
    -------
    float
        tau2, at least 0.

    References
    ----------
    Paule RC, Mandel J (1982). Consensus values and weighting factors. *Journal of Research of the
    National Bureau of Standards* 87:377-385.
    """
    y, v, X = np.asarray(y, float), np.asarray(v, float), np.asarray(X, float)
    dof = len(y) - X.shape[1]
    if dof < 1:
        raise ParameterError(f"{len(y)} rows for {X.shape[1]} coefficients: no residual degrees of freedom for tau2")
    if _q(y, v, X, 0.0) <= dof:
        return 0.0
    high = 1.0
    while _q(y, v, X, high) > dof:
        high *= 10
    return float(optimize.brentq(lambda t: _q(y, v, X, t) - dof, 0.0, high, xtol=1e-12))


def tau2_reml(y, v, X) -> float:
    """REML tau2: maximises the restricted log likelihood of the random-effects model over tau2 >= 0.

    Returns
    -------
    float
        tau2, at least 0.

    References
    ----------
    Viechtbauer W (2005). Bias and efficiency of meta-analytic variance estimators in the random-effects
    model. *Journal of Educational and Behavioral Statistics* 30:261-293.
    """
    y, v, X = np.asarray(y, float), np.asarray(v, float), np.asarray(X, float)
    if len(y) - X.shape[1] < 1:
        raise ParameterError(f"{len(y)} rows for {X.shape[1]} coefficients: no residual degrees of freedom for tau2")

    def neg_restricted(log_t):
        t = np.exp(log_t)
        w = 1 / (v + t)
        xtwx = X.T @ (X * w[:, None])
        beta = np.linalg.solve(xtwx, X.T @ (w * y))
        r = y - X @ beta
        return 0.5 * (np.sum(np.log(v + t)) + np.linalg.slogdet(xtwx)[1] + np.sum(w * r**2))

    best = optimize.minimize_scalar(
        neg_restricted, bounds=(np.log(1e-10), np.log(100.0)), method="bounded", options={"xatol": 1e-10}
    )
    t = float(np.exp(best.x))
    # The boundary: compare with tau2 = 0 itself (the log scale cannot reach it).
    at_zero = 0.5 * (np.sum(np.log(v)) + np.linalg.slogdet(X.T @ (X / v[:, None]))[1] + _q(y, v, X, 0.0))
    return 0.0 if at_zero <= best.fun or t < 1e-9 else t


@dataclass
class MetaRegression:
    """A fitted meta-regression of log odds on years since the first year.

    ``slope`` is the change in log odds per year; ``ratio``, ``ci_low``, ``ci_high`` its odds ratio per
    year and interval (t on ``df`` degrees of freedom, Knapp-Hartung scale ``scale``, at least 1); ``tau2`` the
    between-report variance; ``i2`` the share of the residual variation beyond sampling,
    (Q - df) / Q with Q at tau2 = 0, floored at 0.
    """

    k: int
    first_year: int
    slope: float
    std_err: float
    df: int
    ratio: float
    ci_low: float
    ci_high: float
    p_value: float
    tau2: float
    i2: float
    scale: float
    method: str
    params: np.ndarray
    cov: np.ndarray


def fit_meta_regression(
    data: pd.DataFrame,
    successes: str = "missing",
    failures: str = "not_missing",
    year: str = "year",
    *,
    method: str = "pm",
    alpha: float = 0.05,
    within_deff: float = 1.0,
) -> MetaRegression:
    """Random-effects meta-regression of the log odds on year, one row per report (see module docstring).

    ``method`` is "pm" (Paule-Mandel, default) or "reml" for tau2. The slope's standard error is the WLS
    one with weights 1/(v_i + tau2) and its residual scale (Knapp-Hartung), floored at 1 (the ad hoc floor
    of Knapp & Hartung 2003; see Röver, Knapp & Friede 2015); the interval and p-value use a t
    distribution on k - 2 degrees of freedom. ``within_deff`` multiplies each report's sampling variance
    v_i by a design effect (children clustered in councils), as a sensitivity. Needs at least three rows.

    Returns
    -------
    MetaRegression
        The slope, its standard error, odds ratio per year with interval and p-value, tau2, I², the
        Knapp-Hartung scale, the degrees of freedom and the fitted coefficients with their covariance.

    References
    ----------
    Knapp G, Hartung J (2003). Improved tests for a random effects meta-regression with a single
    covariate. *Statistics in Medicine* 22:2693-2710.
    Röver C, Knapp G, Friede T (2015). Hartung-Knapp-Sidik-Jonkman approach and its modification for
    random-effects meta-analysis with few studies. *BMC Medical Research Methodology* 15:99.
    """
    check_choice("method", method, TAU2_METHODS)
    alpha = check_alpha(alpha)
    if isinstance(within_deff, bool) or not np.isfinite(within_deff) or within_deff < 1:
        raise ParameterError(f"within_deff must be a design effect of at least 1; got {within_deff!r}")
    if year not in data.columns:
        raise ParameterError(f"no column {year!r} in the data")
    if len(data) < 3:
        raise ParameterError(f"a trend with a between-report variance needs at least 3 rows; got {len(data)}")
    y, v = logit_effects(data, successes, failures)
    v = v * float(within_deff)
    years = pd.to_numeric(data[year]).to_numpy(dtype=float)
    first = years.min()
    X = np.column_stack([np.ones(len(y)), years - first])
    tau2 = tau2_paule_mandel(y, v, X) if method == "pm" else tau2_reml(y, v, X)
    res = _wls(y, v, X, tau2)
    df = int(res.df_resid)
    # Knapp-Hartung scale, floored at 1: with tau2 = 0 and a handful of rows the residual scale can fall
    # far below 1 and give an interval narrower than the sampling variance alone allows (the "modified"
    # Knapp-Hartung rule). With a Paule-Mandel tau2 > 0 the scale is exactly 1 and the floor changes nothing.
    scale = max(float(res.scale), 1.0)
    cov = np.asarray(res.normalized_cov_params) * scale
    slope, se = float(res.params[1]), float(np.sqrt(cov[1, 1]))
    q = stats.t.ppf(1 - alpha / 2, df)
    q0 = _q(y, v, X, 0.0)
    i2 = max(0.0, (q0 - df) / q0) if q0 > 0 else 0.0
    return MetaRegression(
        k=len(y),
        first_year=int(first),
        slope=slope,
        std_err=se,
        df=df,
        ratio=float(np.exp(slope)),
        ci_low=float(np.exp(slope - q * se)),
        ci_high=float(np.exp(slope + q * se)),
        p_value=float(2 * stats.t.sf(abs(slope / se), df)),
        tau2=float(tau2),
        i2=float(i2),
        scale=scale,
        method=method,
        params=np.asarray(res.params),
        cov=cov,
    )


def ratio_against_first(
    data: pd.DataFrame,
    tau2: float,
    df: int,
    successes: str = "missing",
    failures: str = "not_missing",
    year: str = "year",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Each row's year against the first year, with the between-report variance ``tau2`` added to each side.

    Each report has its own random intercept, so the log odds ratio of two reports has variance
    v_1 + v_j + 2 tau2; the risk ratio and risk difference use the same variances by the delta method
    (var log p = (1 - p)^2 (v + tau2), var p = p^2 (1 - p)^2 (v + tau2)). Intervals use a t distribution on
    ``df`` degrees of freedom (pass the trend model's). Returns: year, rate, odds_ratio, or_low, or_high,
    risk_ratio, rr_low, rr_high, risk_difference, rd_low, rd_high (difference as a fraction; x100 for points).
    """
    alpha = check_alpha(alpha)
    if tau2 < 0:
        raise ParameterError(f"tau2 must be >= 0; got {tau2!r}")
    y, v = logit_effects(data, successes, failures)
    order = np.argsort(pd.to_numeric(data[year]).to_numpy(), kind="stable")
    y, v = y[order], v[order]
    years = data[year].to_numpy()[order]
    p = 1 / (1 + np.exp(-y))
    q = stats.t.ppf(1 - alpha / 2, df)
    rows = []
    for j in range(len(y)):
        log_or = y[j] - y[0]
        se_or = np.sqrt(v[j] + v[0] + 2 * tau2)
        log_rr = np.log(p[j] / p[0])
        se_rr = np.sqrt((1 - p[j]) ** 2 * (v[j] + tau2) + (1 - p[0]) ** 2 * (v[0] + tau2))
        rd = p[j] - p[0]
        se_rd = np.sqrt((p[j] * (1 - p[j])) ** 2 * (v[j] + tau2) + (p[0] * (1 - p[0])) ** 2 * (v[0] + tau2))
        ref = j == 0
        rows.append(
            {
                "year": years[j],
                "rate": p[j],
                "is_reference": ref,
                "odds_ratio": np.exp(log_or),
                "or_low": np.nan if ref else np.exp(log_or - q * se_or),
                "or_high": np.nan if ref else np.exp(log_or + q * se_or),
                "risk_ratio": p[j] / p[0],
                "rr_low": np.nan if ref else np.exp(log_rr - q * se_rr),
                "rr_high": np.nan if ref else np.exp(log_rr + q * se_rr),
                "risk_difference": rd,
                "rd_low": np.nan if ref else rd - q * se_rd,
                "rd_high": np.nan if ref else rd + q * se_rd,
            }
        )
    return pd.DataFrame(rows)


def leave_one_out(
    data: pd.DataFrame,
    successes: str = "missing",
    failures: str = "not_missing",
    year: str = "year",
    *,
    method: str = "pm",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The meta-regression slope refitted without each row (report) in turn.

    Returns one row per year left out: left_out, k, ratio, ci_low, ci_high, df, tau2, p_value. Needs at
    least four rows (three remain after leaving one out).

    Returns
    -------
    pandas.DataFrame
        Columns left_out, k, ratio, ci_low, ci_high, df, tau2, p_value; one row per year left out.
    """
    if len(data) < 4:
        raise ParameterError(f"leave-one-out needs at least 4 rows; got {len(data)}")
    rows = []
    for idx in data.sort_values(year).index:
        fit = fit_meta_regression(data.drop(index=idx), successes, failures, year, method=method, alpha=alpha)
        rows.append(
            {
                "left_out": data.loc[idx, year],
                "k": fit.k,
                "ratio": fit.ratio,
                "ci_low": fit.ci_low,
                "ci_high": fit.ci_high,
                "df": fit.df,
                "tau2": fit.tau2,
                "p_value": fit.p_value,
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# The reports' series: one row per FOI round, and every model under every published version
# --------------------------------------------------------------------------------------------
# The columns of :func:`trend_table`; one column per report with versions (``<report>_version``, see
# :func:`helpers.ledger.versions.version_column`) stands between "model" and "left_out".
TREND_COLUMNS = [
    "group",
    "model",
    "left_out",
    "estimate",
    "ci_low",
    "ci_high",
    "df",
    "tau2",
    "dispersion",
    "p_value",
    "interval",
]
TREND_MODELS = ("random_effects", "quasi_binomial", "binomial")
ONE_ROUND_CHOICES = ("headline", "separate")


def one_row_per_round(series: pd.DataFrame, reports: pd.DataFrame, how: str = "headline") -> pd.DataFrame:
    """Keep one row per report and group: the report's headline period.

    *When Harm Remains* published unaccompanied children's rates for 2018 and for 2020 from one FOI round
    answered by the same councils. Two rows from one round share that round's council set, so they are not
    two independent draws of the report-level effect; counting both would give that round double weight
    and understate the between-report variance. ``how="headline"`` (default) keeps the headline period
    (2020) only; ``how="separate"`` keeps every row as if it were its own round (a sensitivity check).
    """
    check_choice("how", how, ONE_ROUND_CHOICES)
    if how == "separate":
        return series.reset_index(drop=True)
    headline = dict(zip(reports["report_id"], reports["headline_period"].astype(str)))
    from helpers.stats.rates import period_year

    keep = [period_year(headline.get(r, str(y))) == y for r, y in zip(series["report_id"], series["year"])]
    return series[keep].reset_index(drop=True)


def _glm_row(part, scale, alpha):
    from helpers.stats.trends import fit_binomial_glm, tidy

    fit = fit_binomial_glm(
        part,
        "missing",
        "not_missing",
        year="year",
        year_as="linear",
        scale=scale,
        use_t=scale is not None,
        scale_floor=1.0 if scale is not None else None,
    )
    slope = tidy(fit, alpha).set_index("term").loc["year"]
    return {
        "estimate": slope["ratio"],
        "ci_low": slope["ratio_ci_low"],
        "ci_high": slope["ratio_ci_high"],
        "df": int(fit.df_resid) if scale is not None else np.nan,
        "tau2": np.nan,
        "dispersion": float(fit.scale),
        "p_value": slope["p_value"],
    }


def trend_models(series: pd.DataFrame, alpha: float = 0.05, method: str = "pm") -> pd.DataFrame:
    """The odds ratio per year for each group of a series under the three models.

    random_effects: :func:`fit_meta_regression` (t on k - 2 df, tau2 shown). quasi_binomial: binomial GLM
    with the Pearson scale floored at 1 and a t reference on the residual df. binomial: plain binomial GLM,
    normal reference (every child an independent draw from one population; shown for contrast only).
    Returns columns group, model, estimate, ci_low, ci_high, df, tau2, dispersion, p_value, k.

    Returns
    -------
    pandas.DataFrame
        Columns group, model, estimate, ci_low, ci_high, df, tau2, dispersion, p_value, k.

    References
    ----------
    Knapp G, Hartung J (2003), as for :func:`fit_meta_regression`.
    McCullagh P, Nelder JA (1989). *Generalized Linear Models*, 2nd ed. Chapman & Hall (quasi-likelihood).
    """
    rows = []
    for group, part in series.groupby("group", sort=False):
        part = part.reset_index(drop=True)
        if part["year"].nunique() < 3:
            continue
        fit = fit_meta_regression(part, method=method, alpha=alpha)
        rows.append(
            {
                "group": group,
                "model": "random_effects",
                "estimate": fit.ratio,
                "ci_low": fit.ci_low,
                "ci_high": fit.ci_high,
                "df": fit.df,
                "tau2": fit.tau2,
                "dispersion": np.nan,
                "p_value": fit.p_value,
                "k": fit.k,
            }
        )
        rows.append({"group": group, "model": "quasi_binomial", **_glm_row(part, "X2", alpha), "k": len(part)})
        rows.append({"group": group, "model": "binomial", **_glm_row(part, None, alpha), "k": len(part)})
    return pd.DataFrame(rows)


def trend_table(
    figures: pd.DataFrame,
    reports: pd.DataFrame,
    groups: list[str],
    alpha: float = 0.05,
    one_round: str = "headline",
    method: str = "pm",
    choices: dict[str, list[str]] | None = None,
) -> pd.DataFrame:
    """Every group x model x combination of versions, then the random-effects leave-one-out rows.

    ``choices`` maps each report with versions to its versions (:func:`helpers.ledger.versions.version_choices`
    of the ledger; None: those of the last ledger loaded); every combination is fitted. Estimates are odds
    ratios per year. ``left_out`` is empty for the full fits and names the year left out otherwise;
    ``interval`` names what ci_low / ci_high are (:func:`interval_names`). Columns: :data:`TREND_COLUMNS`
    with one ``<report>_version`` column per report with versions after ``model``.
    """
    from itertools import product

    from helpers.ledger.versions import version_choices, version_column
    from helpers.stats.series import report_series

    choices = version_choices() if choices is None else choices
    columns = [version_column(r) for r in choices]
    rows, loo_rows = [], []
    for combination in product(*choices.values()):
        versions = dict(zip(choices, combination))
        series = one_row_per_round(report_series(figures, versions, groups, alpha), reports, one_round)
        labels = {**dict(zip(columns, combination)), "left_out": ""}
        for row in trend_models(series, alpha, method).to_dict("records"):
            row.pop("k")
            rows.append({**row, **labels})
        for group, part in series.groupby("group", sort=False):
            part = part.reset_index(drop=True)
            if len(part) < 4:
                continue
            for loo in leave_one_out(part, method=method, alpha=alpha).to_dict("records"):
                loo_rows.append(
                    {
                        "group": group,
                        "model": "random_effects",
                        **labels,
                        "left_out": str(loo["left_out"]),
                        "estimate": loo["ratio"],
                        "ci_low": loo["ci_low"],
                        "ci_high": loo["ci_high"],
                        "df": loo["df"],
                        "tau2": loo["tau2"],
                        "dispersion": np.nan,
                        "p_value": loo["p_value"],
                    }
                )
    out = pd.DataFrame(rows + loo_rows, columns=TREND_COLUMNS[:2] + columns + TREND_COLUMNS[2:])
    out["df"] = out["df"].astype("Int64")
    out["interval"] = out["model"].map(interval_names(alpha))
    return out


def interval_names(alpha: float = 0.05) -> dict[str, str]:
    """What the ci_low / ci_high of each trend model is, in the collection's interval vocabulary."""
    level = f"{1 - check_alpha(alpha):.0%}"
    return {
        "random_effects": f"{level} CI (random effects, t on k−2 df)",
        "quasi_binomial": f"{level} CI (quasi-binomial, t on residual df)",
        "binomial": f"{level} CI (binomial, sampling only)",
    }


def risk_difference_between_reports(
    x1, n1, x2, n2, tau2: float, df: int, alpha: float = 0.05
) -> tuple[float, float, float]:
    """p2 - p1 for rates from two different reports, with the between-report variance added to each side.

    The same delta-method variance as :func:`ratio_against_first`: var p = p^2 (1 - p)^2 (1/x + 1/(n - x) + tau2)
    for each rate, and a t reference on ``df`` degrees of freedom. Returns (difference, low, high) as fractions.
    """
    alpha = check_alpha(alpha)
    for x, n in ((x1, n1), (x2, n2)):
        if not 0 < x < n:
            raise ParameterError(f"each count must lie strictly between 0 and its total; got {x!r} of {n!r}")
    if tau2 < 0 or df < 1:
        raise ParameterError(f"tau2 must be >= 0 and df >= 1; got {tau2!r} and {df!r}")
    p1, p2 = x1 / n1, x2 / n2
    var = sum((p * (1 - p)) ** 2 * (1 / x + 1 / (n - x) + tau2) for p, x, n in ((p1, x1, n1), (p2, x2, n2)))
    half = stats.t.ppf(1 - alpha / 2, df) * np.sqrt(var)
    return p2 - p1, p2 - p1 - half, p2 - p1 + half


def between_report_variance(
    figures: pd.DataFrame,
    reports: pd.DataFrame,
    groups: list[str],
    versions: dict[str, str] | None = None,
    method: str = "pm",
) -> dict[str, tuple[float, int]]:
    """tau2 and its degrees of freedom (k - 2) of each group's random-effects trend, one row per FOI round.

    ``versions`` defaults to the default versions of ``data/versions.csv`` (those of the last ledger loaded,
    :func:`helpers.ledger.versions.default_versions`), the trends notebook's defaults.
    """
    from helpers.ledger.versions import default_versions
    from helpers.stats.series import report_series

    series = one_row_per_round(report_series(figures, versions or default_versions(), groups), reports)
    out = {}
    for group, part in series.groupby("group", sort=False):
        if len(part) >= 3:
            fit = fit_meta_regression(part.reset_index(drop=True), method=method)
            out[group] = (fit.tau2, fit.df)
    return out
