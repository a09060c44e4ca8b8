"""Tidy wrappers over statsmodels for trends in children going missing from care.

Each function is small and does one thing:

* :func:`fit_binomial_glm` - binomial GLM of (went missing, did not) counts by year and group;
* :func:`tidy` - a fitted model's coefficients as a table, with odds or rate ratios;
* :func:`ratio_by_year` - odds ratio (or rate ratio) of each year against a reference year;
* :func:`compare_proportions` - difference between two proportions, its interval and a test;
* :func:`fit_poisson` and :func:`fit_negative_binomial` - models of incident counts with exposure;
* :func:`negbin_alpha` - the negative binomial dispersion parameter with its interval;
* :func:`growth_table` - year-on-year change of an annual count series.

With four to ten annual points, p-values and intervals describe the data; they are not evidence of a
trend in any strong sense, and the notebooks say so. Bad inputs raise
:class:`helpers.ledger.errors.ParameterError` naming the column, the rows or the valid values. Models are
fitted so that they do not warn on the project's data; inputs that would make a model degenerate
(a year with no successes, say) are refused with a message instead.

statsmodels 0.15 traps handled here (each checked by tests/stats/test_trends.py against hand arithmetic):
GLM ``scale="X2"`` ignores the number of trials of a 2-column binomial endog (the scale is computed
here instead); ``cov_type="HC1"`` gives HC0 for GLM and discrete models (the n/(n-k) factor is
applied here); the GLM family ``NegativeBinomial()`` fixes alpha at 1 (the discrete model is used);
saturated fits raise spurious "perfect prediction" and divide-by-zero warnings (silenced for that
case only).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.discrete.discrete_model import NegativeBinomial
from statsmodels.stats.proportion import confint_proportions_2indep, test_proportions_2indep
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

from helpers.ledger.choices import check_choice as _check_choice
from helpers.ledger.errors import ParameterError
from helpers.stats.rates import check_alpha as _check_alpha

COV_TYPES = ("nonrobust", "HC0", "HC1")
YEAR_AS = ("category", "linear")
SCALES = (None, "X2", "dev")
# Interval methods for a difference of proportions (statsmodels confint_proportions_2indep, compare="diff").
DIFF_CI_METHODS = ("newcomb", "wald", "agresti-caffo", "score")
# Test methods for a difference of proportions (statsmodels test_proportions_2indep, compare="diff").
DIFF_TEST_METHODS = ("score", "wald", "agresti-caffo")
RATIO_KINDS = ("odds", "rate")
# Optimisers for the negative binomial likelihood. lbfgs, bfgs and nm work on log(alpha), so alpha stays
# positive; newton works on alpha itself and can step below 0 when alpha is near 0.
NB_METHODS = ("lbfgs", "bfgs", "newton", "nm")
TIDY_COLUMNS = ["term", "estimate", "std_err", "ci_low", "ci_high", "p_value", "ratio", "ratio_ci_low", "ratio_ci_high"]


# --------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------
def _column(data: pd.DataFrame, name: str, role: str) -> pd.Series:
    if not isinstance(data, pd.DataFrame):
        raise ParameterError(f"data must be a pandas DataFrame; got {type(data).__name__}")
    if name not in data.columns:
        raise ParameterError(f"{role}: no column {name!r} in the data (columns: {', '.join(map(str, data.columns))})")
    return data[name]


def _counts(data: pd.DataFrame, name: str, role: str, *, positive: bool = False) -> np.ndarray:
    """A numeric, finite, non-negative (or positive) column as floats; otherwise ParameterError."""
    col = _column(data, name, role)
    values = pd.to_numeric(col, errors="coerce")
    bad = values.isna() | ~np.isfinite(values.astype(float))
    if bad.any():
        rows = list(data.index[bad.to_numpy()])[:5]
        raise ParameterError(
            f"{role}: column {name!r} has missing or non-numeric values in rows {rows}; "
            "drop suppressed or unknown rows before fitting"
        )
    values = values.astype(float)
    low = values <= 0 if positive else values < 0
    if low.any():
        rows = list(data.index[low.to_numpy()])[:5]
        raise ParameterError(
            f"{role}: column {name!r} must be {'positive' if positive else 'non-negative'}; rows {rows} are not"
        )
    return values.to_numpy()


def _levels(series: pd.Series) -> list:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return [c for c in series.cat.categories if c in set(series)]
    return sorted(series.unique())


def _design(
    data: pd.DataFrame, year: str | None, group: str | None, year_as: str, reference_year, reference_group
) -> pd.DataFrame:
    """Design matrix: Intercept, then year terms, then group terms.

    Year as a category gives one column per non-reference year named ``year[2018]``; as linear it gives
    one column named after the year column holding years since the reference year (so the intercept is
    the reference year's level). Groups give one column per non-reference level, ``group[level]``.
    """
    _check_choice("year_as", year_as, YEAR_AS)
    n = len(data)
    if n == 0:
        raise ParameterError("data has no rows")
    X = pd.DataFrame({"Intercept": np.ones(n)}, index=data.index)
    if year is not None:
        years = _column(data, year, "year")
        if years.isna().any():
            raise ParameterError(
                f"year: column {year!r} has missing values in rows {list(data.index[years.isna()])[:5]}"
            )
        levels = _levels(years)
        ref = levels[0] if reference_year is None else reference_year
        if ref not in levels:
            raise ParameterError(f"reference_year must be one of the years in the data {levels}; got {ref!r}")
        if year_as == "category":
            if len(levels) < 2:
                raise ParameterError(f"year: column {year!r} has a single year {levels}; at least two are needed")
            for lev in levels:
                if lev != ref:
                    X[f"{year}[{lev}]"] = (years == lev).astype(float).to_numpy()
        else:
            X[year] = (pd.to_numeric(years) - float(ref)).astype(float).to_numpy()
    if group is not None:
        groups = _column(data, group, "group")
        levels = _levels(groups)
        ref = levels[0] if reference_group is None else reference_group
        if ref not in levels:
            raise ParameterError(f"reference_group must be one of the groups in the data {levels}; got {ref!r}")
        if len(levels) < 2:
            raise ParameterError(f"group: column {group!r} has a single level {levels}; at least two are needed")
        for lev in levels:
            if lev != ref:
                X[f"{group}[{lev}]"] = (groups == lev).astype(float).to_numpy()
    return X


def _robust(model_fit, cov_type: str, nobs: int):
    """Fit with HC0 sandwich errors, then apply the HC1 small-sample factor n / (n - k) if asked.

    statsmodels 0.15 accepts cov_type="HC1" for GLM and discrete models but computes HC0 for every
    "HCx" there (no correction), so the HC1 factor is applied here, as Stata's ``robust`` does.
    ``model_fit`` is a function of the cov_type to fit with.
    """
    if cov_type == "nonrobust":
        return model_fit("nonrobust")
    result = model_fit("HC0")
    if cov_type == "HC1":
        res = getattr(result, "_results", result)
        k = len(np.asarray(res.params))
        res.cov_params_default = res.cov_params_default * nobs / (nobs - k)
        for key in ("bse", "tvalues", "pvalues"):
            res._cache.pop(key, None)  # statsmodels caches these; recompute from the corrected covariance
        res.cov_type = "HC1"
        res.cov_kwds["description"] = "Standard errors are heteroscedasticity robust (HC1 = HC0 x n/(n-k))"
    return result


def _fit_glm(
    model, X: pd.DataFrame, cov_type: str, scale: str | None, *, use_t: bool = False, scale_floor: float | None = None
):
    """Fit a GLM by IRLS, quietly when the model is saturated.

    A saturated model (as many parameters as rows: two years and a year term, say) fits every row
    exactly. statsmodels then divides its unused residual-scale estimates by zero residual degrees of
    freedom (numpy divide warnings) and reports "perfect prediction" (PerfectSeparationWarning), although
    the callers have already refused levels with no successes or no failures, the only case in which the
    estimates would not exist. For that case only, those two warnings are silenced locally. Estimating a
    scale, or robust (sandwich) errors, needs residual degrees of freedom and is refused.
    """
    saturated = X.shape[1] >= X.shape[0]
    if not saturated:
        result = _robust(lambda ct: model.fit(cov_type=ct, use_t=use_t), cov_type, X.shape[0])
        if scale is None:
            return result
        # Quasi-likelihood scale. statsmodels' own scale="X2" is wrong for a 2-column binomial endog
        # (it ignores the number of trials and gives a scale near 0), so the scale is computed here from
        # the Pearson chi-squared or the deviance of the fit, which are right, and the model refitted
        # with that fixed scale: standard errors are the model-based ones times sqrt(scale).
        stat = result.pearson_chi2 if scale == "X2" else result.deviance
        phi = float(stat / result.df_resid)
        if scale_floor is not None:
            phi = max(phi, float(scale_floor))  # underdispersion is not credible here: never narrower than binomial
        return _robust(lambda ct: model.fit(cov_type=ct, scale=phi, use_t=use_t), cov_type, X.shape[0])
    if scale is not None or cov_type != "nonrobust":
        raise ParameterError(
            f"the model is saturated ({X.shape[1]} parameters for {X.shape[0]} rows): "
            f"scale={scale!r} and cov_type={cov_type!r} need residual degrees of freedom; "
            "use scale=None and cov_type='nonrobust', or more rows (e.g. council-years)"
        )
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=PerfectSeparationWarning)
        return model.fit(cov_type=cov_type, scale=scale)


def _check_estimable(data, successes, failures, by: list[str | None], events: str = "successes") -> None:
    """Refuse levels with no successes or no failures: their log odds (or log rate) are infinite."""
    for col in by:
        if col is None:
            continue
        frame = pd.DataFrame({"s": successes, "f": failures, "k": data[col].to_numpy()})
        sums = frame.groupby("k", observed=True)[["s", "f"]].sum()
        for level, row in sums.iterrows():
            if row["s"] == 0 or row["f"] == 0:
                what = f"no {events}" if row["s"] == 0 else "no failures"
                raise ParameterError(
                    f"{col} = {level!r} has {what}; its ratio cannot be estimated "
                    "(perfect separation). Pool or drop that level"
                )


# --------------------------------------------------------------------------------------------
# Binomial GLM
# --------------------------------------------------------------------------------------------
def fit_binomial_glm(
    data: pd.DataFrame,
    successes: str,
    failures: str | None = None,
    *,
    trials: str | None = None,
    year: str | None = "year",
    group: str | None = None,
    year_as: str = "category",
    reference_year=None,
    reference_group=None,
    cov_type: str = "nonrobust",
    scale: str | None = None,
    use_t: bool = False,
    scale_floor: float | None = None,
):
    """Binomial GLM (logit link) of grouped counts: ``successes`` out of ``successes + failures``.

    Parameters
    ----------
    data : DataFrame with one row per cell (a year, or a year and group), e.g. children who went
        missing and children looked after who did not.
    successes : column of successes (children who went missing).
    failures, trials : give exactly one: the column of failures (did not go missing), or of trials
        (children looked after), from which failures = trials - successes.
    year : column of years, or None for no year term. ``year_as`` is "category" (one coefficient per
        year against ``reference_year``, default the earliest) or "linear" (one log-odds slope per year;
        the intercept is the reference year's log odds).
    group : optional column of groups (e.g. UASC / other), coded against ``reference_group``
        (default: the first level).
    cov_type : "nonrobust" (model-based), "HC0" or "HC1" (sandwich; HC1 is HC0 times n/(n-k), applied
        here because statsmodels computes HC0 for any "HCx" on GLMs). Robust
        errors treat each row as an independent unit, so use them on many rows (council-years), not on
        a handful of national totals; for a saturated model (e.g. two years, one row each) they would
        be zero and are refused.
    scale : None (binomial variance), or "X2" / "dev" to estimate an overdispersion scale from the
        Pearson chi-squared or the deviance (quasi-binomial).
    use_t : intervals and p-values from a t distribution on the residual degrees of freedom instead of
        the normal; use it whenever the scale is estimated from a handful of rows.
    scale_floor : with ``scale``, the smallest scale allowed (1 keeps a quasi-binomial interval from
        being narrower than the binomial one when the few residuals happen to be small).

    Returns the fitted statsmodels ``GLMResults``; its endog is the 2-column (successes, failures)
    array and its parameter names are the design columns (``Intercept``, ``year[2018]``, ...).
    """
    _check_choice("cov_type", cov_type, COV_TYPES)
    _check_choice("scale", scale, SCALES)
    s = _counts(data, successes, "successes")
    if (failures is None) == (trials is None):
        raise ParameterError("give exactly one of failures= (column of failures) or trials= (column of trials)")
    if failures is not None:
        f = _counts(data, failures, "failures")
    else:
        n = _counts(data, trials, "trials")
        if (n < s).any():
            rows = list(data.index[n < s])[:5]
            raise ParameterError(f"trials: column {trials!r} is smaller than successes {successes!r} in rows {rows}")
        f = n - s
    if ((s + f) == 0).any():
        rows = list(data.index[(s + f) == 0])[:5]
        raise ParameterError(f"rows {rows} have no trials (successes + failures = 0); drop them")
    X = _design(data, year, group, year_as, reference_year, reference_group)
    _check_estimable(data, s, f, [year if year_as == "category" else None, group])
    if s.sum() == 0 or f.sum() == 0:
        raise ParameterError("all rows have no successes, or all have no failures: nothing to model")
    model = sm.GLM(np.column_stack([s, f]), X, family=sm.families.Binomial())
    return _fit_glm(model, X, cov_type, scale, use_t=use_t, scale_floor=scale_floor)


def tidy(result, alpha: float = 0.05) -> pd.DataFrame:
    """A fitted model's coefficients as a table.

    Columns: term, estimate (log odds or log rate scale), std_err, ci_low, ci_high (Wald interval at
    level 1 - alpha), p_value, and ratio, ratio_ci_low, ratio_ci_high = exp of the estimate and its
    interval: an odds ratio for a binomial model, a rate ratio for Poisson or negative binomial models.
    The negative binomial dispersion term ``alpha`` is not exponentiated (ratio left empty); see
    :func:`negbin_alpha`.
    """
    alpha = _check_alpha(alpha)
    params = pd.Series(result.params)
    ci = pd.DataFrame(result.conf_int(alpha=alpha))
    out = pd.DataFrame(
        {
            "term": [str(t) for t in params.index],
            "estimate": params.to_numpy(dtype=float),
            "std_err": np.asarray(result.bse, dtype=float),
            "ci_low": ci.iloc[:, 0].to_numpy(dtype=float),
            "ci_high": ci.iloc[:, 1].to_numpy(dtype=float),
            "p_value": np.asarray(result.pvalues, dtype=float),
        }
    )
    is_ratio = out["term"] != "alpha"
    for col, src in [("ratio", "estimate"), ("ratio_ci_low", "ci_low"), ("ratio_ci_high", "ci_high")]:
        out[col] = np.where(is_ratio, np.exp(out[src].where(is_ratio, 0.0)), np.nan)
    return out[TIDY_COLUMNS]


def ratio_by_year(
    data: pd.DataFrame,
    count: str,
    *,
    failures: str | None = None,
    trials: str | None = None,
    exposure: str | None = None,
    kind: str = "odds",
    year: str = "year",
    reference_year=None,
    group: str | None = None,
    cov_type: str = "nonrobust",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Odds ratio (kind="odds") or rate ratio (kind="rate") of each year against a reference year.

    kind="odds" fits :func:`fit_binomial_glm` (``count`` successes with ``failures`` or ``trials``);
    kind="rate" fits :func:`fit_poisson` (``count`` events over ``exposure``). With ``group`` the ratios
    are adjusted for it (a common year effect across groups). The intervals allow for sampling within each
    row only; for rows that come from different reports (different councils), use
    :func:`helpers.stats.random_effects.ratio_against_first`, which adds the between-report variance. Returns one row per year: year, ratio,
    ci_low, ci_high, p_value, is_reference (the reference year has ratio 1 and no interval).
    """
    _check_choice("kind", kind, RATIO_KINDS)
    alpha = _check_alpha(alpha)
    if kind == "odds":
        if exposure is not None:
            raise ParameterError("exposure= is for kind='rate'; for odds give failures= or trials=")
        result = fit_binomial_glm(
            data,
            count,
            failures,
            trials=trials,
            year=year,
            group=group,
            reference_year=reference_year,
            cov_type=cov_type,
        )
    else:
        if failures is not None or trials is not None:
            raise ParameterError("failures= and trials= are for kind='odds'; for rates give exposure=")
        result = fit_poisson(
            data, count, exposure, year=year, group=group, reference_year=reference_year, cov_type=cov_type
        )
    table = tidy(result, alpha).set_index("term")
    levels = _levels(data[year])
    ref = levels[0] if reference_year is None else reference_year
    rows = []
    for lev in levels:
        if lev == ref:
            rows.append(
                {
                    "year": lev,
                    "ratio": 1.0,
                    "ci_low": np.nan,
                    "ci_high": np.nan,
                    "p_value": np.nan,
                    "is_reference": True,
                }
            )
        else:
            t = table.loc[f"{year}[{lev}]"]
            rows.append(
                {
                    "year": lev,
                    "ratio": t["ratio"],
                    "ci_low": t["ratio_ci_low"],
                    "ci_high": t["ratio_ci_high"],
                    "p_value": t["p_value"],
                    "is_reference": False,
                }
            )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Two proportions
# --------------------------------------------------------------------------------------------
def _check_count(name: str, x, n) -> None:
    for label, v in ((f"{name} count", x), (f"{name} total", n)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not np.isfinite(v):
            raise ParameterError(f"{label} must be a finite number; got {v!r}")
    if n <= 0:
        raise ParameterError(f"{name} total must be positive; got {n!r}")
    if x < 0 or x > n:
        raise ParameterError(f"{name} count must lie between 0 and its total {n!r}; got {x!r}")


def compare_proportions(
    x1, n1, x2, n2, *, method: str = "newcomb", test_method: str = "score", alpha: float = 0.05
) -> pd.DataFrame:
    """Difference p2 - p1 between two independent proportions x1/n1 (e.g. an earlier year) and x2/n2.

    The interval comes from statsmodels ``confint_proportions_2indep(compare="diff")``; ``method`` is
    one of "newcomb" (default), "wald", "agresti-caffo" or "score". Newcombe's hybrid score interval
    is the default because it is built from the Wilson intervals of each proportion (the interval the
    project uses for single rates), keeps close to its nominal coverage with small counts or rates near
    0 or 1 (Fagerland, Lydersen and Laake 2015 recommend it), and never leaves [-1, 1]; the Wald interval
    does none of these. The p-value comes from ``test_proportions_2indep`` with ``test_method`` "score"
    (default; the Miettinen-Nurminen score test with its small-sample correction), "wald" or
    "agresti-caffo" (statsmodels has no Newcombe test).

    Returns
    -------
    pandas.DataFrame
        One row: p1, p2, difference, ci_low, ci_high, statistic, p_value, method, test_method. When both
        proportions are 0 (or both 1) there is nothing to test: statistic and p_value are missing (NaN).

    References
    ----------
    Newcombe RG (1998). Interval estimation for the difference between independent proportions:
    comparison of eleven methods. *Statistics in Medicine* 17:873-890.
    Fagerland MW, Lydersen S, Laake P (2015). Recommended confidence intervals for two independent
    binomial proportions. *Statistical Methods in Medical Research* 24:224-254.
    """
    _check_count("first", x1, n1)
    _check_count("second", x2, n2)
    _check_choice("method", method, DIFF_CI_METHODS)
    _check_choice("test_method", test_method, DIFF_TEST_METHODS)
    alpha = _check_alpha(alpha)
    # statsmodels compares sample 1 minus sample 2: pass the second proportion first to get p2 - p1.
    # With a count of 0 (or equal to its total) some methods divide by zero on the way to a finite
    # answer; those numpy warnings are silenced here only, and any non-finite result is reported as missing.
    with np.errstate(divide="ignore", invalid="ignore"):
        low, high = confint_proportions_2indep(x2, n2, x1, n1, method=method, compare="diff", alpha=alpha)
        if x1 + x2 in (0, n1 + n2):
            statistic = p_value = np.nan  # both proportions 0, or both 1: nothing to test
        else:
            test = test_proportions_2indep(x2, n2, x1, n1, method=test_method, compare="diff")
            statistic, p_value = float(test.statistic), float(test.pvalue)
    finite = lambda v: float(v) if np.isfinite(v) else np.nan  # noqa: E731
    p1, p2 = x1 / n1, x2 / n2
    return pd.DataFrame(
        [
            {
                "p1": p1,
                "p2": p2,
                "difference": p2 - p1,
                "ci_low": finite(low),
                "ci_high": finite(high),
                "statistic": finite(statistic),
                "p_value": finite(p_value),
                "method": method,
                "test_method": test_method,
            }
        ]
    )


# --------------------------------------------------------------------------------------------
# Count models
# --------------------------------------------------------------------------------------------
def fit_poisson(
    data: pd.DataFrame,
    count: str,
    exposure: str | None = None,
    *,
    year: str | None = "year",
    group: str | None = None,
    year_as: str = "category",
    reference_year=None,
    reference_group=None,
    cov_type: str = "nonrobust",
    scale: str | None = None,
):
    """Poisson GLM (log link) of ``count`` with log(``exposure``) as offset.

    Use it for incident counts per child looked after (exposure = children looked after) or per child
    who went missing. Year and group terms as in :func:`fit_binomial_glm`; exp of a coefficient is a
    rate ratio. ``exposure=None`` models counts without an offset. ``scale="X2"`` gives quasi-Poisson
    standard errors when the counts are overdispersed (or use :func:`fit_negative_binomial`).
    Returns the fitted statsmodels ``GLMResults``.
    """
    _check_choice("cov_type", cov_type, COV_TYPES)
    _check_choice("scale", scale, SCALES)
    y = _counts(data, count, "count")
    expo = _counts(data, exposure, "exposure", positive=True) if exposure is not None else None
    X = _design(data, year, group, year_as, reference_year, reference_group)
    _check_estimable(data, y, np.ones_like(y), [year if year_as == "category" else None, group], events="events")
    if y.sum() == 0:
        raise ParameterError(f"count: column {count!r} is 0 in every row: nothing to model")
    model = sm.GLM(y, X, family=sm.families.Poisson(), exposure=expo)
    return _fit_glm(model, X, cov_type, scale)


def fit_negative_binomial(
    data: pd.DataFrame,
    count: str,
    exposure: str | None = None,
    *,
    year: str | None = "year",
    group: str | None = None,
    year_as: str = "category",
    reference_year=None,
    reference_group=None,
    cov_type: str = "nonrobust",
    maxiter: int = 200,
    method: str = "lbfgs",
):
    """Negative binomial (NB2) model of ``count`` with log(``exposure``) as offset, alpha estimated.

    Uses the discrete-model ``statsmodels.discrete.discrete_model.NegativeBinomial`` (variance
    mu + alpha * mu^2), which estimates the dispersion alpha by maximum likelihood. (The GLM family
    ``NegativeBinomial()`` instead holds alpha fixed at 1, which is rarely right.) Start values come from
    a Poisson fit. ``method`` is the optimiser, one of "lbfgs" (default), "bfgs", "newton", "nm": the
    default works on log(alpha), so it keeps alpha positive and copes with alpha near 0, where Newton's
    method can fail. A fit that does not converge raises ParameterError instead of warning. Robust
    errors: cov_type "HC0" or "HC1". Returns the statsmodels results; its last parameter is ``alpha``
    (see :func:`negbin_alpha`).
    """
    _check_choice("cov_type", cov_type, COV_TYPES)
    _check_choice("method", method, NB_METHODS)
    y = _counts(data, count, "count")
    expo = _counts(data, exposure, "exposure", positive=True) if exposure is not None else None
    X = _design(data, year, group, year_as, reference_year, reference_group)
    _check_estimable(data, y, np.ones_like(y), [year if year_as == "category" else None, group], events="events")
    if X.shape[0] <= X.shape[1] + 1:
        raise ParameterError(
            f"a negative binomial model with {X.shape[1]} coefficients and alpha needs more than "
            f"{X.shape[1] + 1} rows; got {X.shape[0]}"
        )
    poisson = _fit_glm(sm.GLM(y, X, family=sm.families.Poisson(), exposure=expo), X, "nonrobust", None)
    start = np.append(np.asarray(poisson.params), 0.1)
    model = NegativeBinomial(y, X, loglike_method="nb2", exposure=expo)
    message = (
        f"the negative binomial fit ({method}) did not converge in {maxiter} iterations; raise maxiter, "
        "try another method, or check the data (if alpha is near 0, use fit_poisson)"
    )
    with warnings.catch_warnings():
        # Turn statsmodels' convergence warning into the error below instead of a warning and a bad fit.
        warnings.filterwarnings("error", category=ConvergenceWarning)
        try:
            result = _robust(
                lambda ct: model.fit(start_params=start, method=method, maxiter=maxiter, disp=False, cov_type=ct),
                cov_type,
                X.shape[0],
            )
        except ConvergenceWarning as exc:
            raise ParameterError(message) from exc
    if not result.mle_retvals.get("converged", False) or not np.all(np.isfinite(np.asarray(result.params))):
        raise ParameterError(message)
    return result


def negbin_alpha(result, alpha: float = 0.05) -> pd.DataFrame:
    """The dispersion parameter of a :func:`fit_negative_binomial` result, with its interval.

    The interval is a Wald interval on the log scale (delta method: se(log a) = se(a) / a), so it
    stays positive. Returns a one-row DataFrame: alpha, std_err, ci_low, ci_high.
    """
    level = _check_alpha(alpha)
    params = pd.Series(result.params)
    if "alpha" not in params.index:
        raise ParameterError("result has no 'alpha' parameter: pass the result of fit_negative_binomial")
    a = float(params["alpha"])
    se = float(pd.Series(np.asarray(result.bse), index=params.index)["alpha"])
    z = stats.norm.ppf(1 - level / 2)
    half = z * se / a
    return pd.DataFrame([{"alpha": a, "std_err": se, "ci_low": a * np.exp(-half), "ci_high": a * np.exp(half)}])


# --------------------------------------------------------------------------------------------
# Growth table
# --------------------------------------------------------------------------------------------
def growth_table(data: pd.DataFrame, year: str = "year", count: str = "count") -> pd.DataFrame:
    """Year-on-year change of an annual count series.

    Rows are sorted by year; change and pct_change compare each row with the previous row (the
    previous year present, which need not be the calendar year before). Missing counts stay missing,
    and so do the changes next to them; pct_change is missing when the previous count is 0.
    Returns columns: year, count, change, pct_change (per cent).
    """
    years = _column(data, year, "year")
    if years.duplicated().any():
        raise ParameterError(f"year: column {year!r} repeats years {sorted(years[years.duplicated()].unique())}")
    values = pd.to_numeric(_column(data, count, "count"), errors="coerce").astype(float)
    bad = values.isna() & _column(data, count, "count").notna()
    if bad.any():
        raise ParameterError(f"count: column {count!r} has non-numeric values in rows {list(data.index[bad])[:5]}")
    out = pd.DataFrame({"year": years.to_numpy(), "count": values.to_numpy()}).sort_values("year", ignore_index=True)
    prev = out["count"].shift(1)
    out["change"] = out["count"] - prev
    out["pct_change"] = (100 * out["change"] / prev.where(prev != 0)).astype(float)
    return out
