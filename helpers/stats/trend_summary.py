"""What the reports' trend allows one to say: points per year and its sensitivities (the words: present.trend_words).

* :func:`points_per_year` - the odds ratio per year restated as percentage points per year;
* :func:`heterogeneity_table` - tau² and I² with their Q-profile intervals;
* :func:`design_effect_trend` - the trend refitted with each report's sampling variance inflated by a
  design effect (clustering in councils), as a sensitivity;
* :func:`bayes_table` - the grid-posterior sensitivity analysis for one or more prior scales;
* :func:`identification_growth` - how fast NRM child referrals grew against trafficked children in care;
* :func:`trend_evidence` - what one group's trend can and cannot tell: the interval in points a year, the
  smallest trend the design could detect, and the probability of a rise under each prior.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from helpers.ledger.errors import ParameterError
from helpers.stats.bayes import slope_posterior
from helpers.stats.heterogeneity import q_profile
from helpers.stats.random_effects import MetaRegression, fit_meta_regression, logit_effects

#: The half-normal prior scales on tau over which the probability of a rise is reported (31_trend_sensitivity
#: shows the same grid).
RISE_PRIOR_SCALES = (0.25, 0.5, 1.0)


def design_matrix(data: pd.DataFrame, year: str = "year") -> np.ndarray:
    """Intercept and years since the first year: the columns of the meta-regression."""
    years = pd.to_numeric(data[year]).to_numpy(dtype=float)
    return np.column_stack([np.ones(len(years)), years - years.min()])


def points_per_year(fit: MetaRegression, data: pd.DataFrame, year: str = "year") -> dict:
    """The slope in percentage points per year at the fitted rate of the period's middle year.

    On the logit scale d p / d year = slope x p (1 - p), so at the fitted rate p_mid of the year halfway
    between the first and last report the change is 100 slope p_mid (1 - p_mid) points a year; the ends of
    the slope's interval map the same way. A local rate of change, not a straight line in p.
    """
    years = pd.to_numeric(data[year]).to_numpy(dtype=float)
    middle = (years.min() + years.max()) / 2 - fit.first_year
    p_mid = float(special.expit(fit.params[0] + fit.params[1] * middle))
    scale = 100 * p_mid * (1 - p_mid)
    return {
        "middle_year": (years.min() + years.max()) / 2,
        "rate_middle": p_mid,
        "points": scale * fit.slope,
        "points_low": scale * np.log(fit.ci_low),
        "points_high": scale * np.log(fit.ci_high),
    }


def heterogeneity_table(series: pd.DataFrame, method: str = "pm", alpha: float = 0.05) -> pd.DataFrame:
    """Per group: tau² and I² with their Q-profile intervals (columns group, k, df, tau2, tau2_low, ...)."""
    rows = []
    for group, part in series.groupby("group", sort=False):
        part = part.reset_index(drop=True)
        if part["year"].nunique() < 3:
            continue
        fit = fit_meta_regression(part, method=method, alpha=alpha)
        y, v = logit_effects(part)
        rows.append({"group": group, "k": fit.k, **q_profile(y, v, design_matrix(part), fit.tau2, alpha)})
    return pd.DataFrame(rows)


def design_effect_trend(
    series: pd.DataFrame, deffs: dict[str, float] | float, method: str = "pm", alpha: float = 0.05
) -> pd.DataFrame:
    """The random-effects trend with each report's sampling variance multiplied by a design effect.

    ``deffs`` is one design effect for every group, or a dict group -> design effect (e.g. those DfE's
    intra-council correlation implies for the latest report). Each report's log-odds variance v_i becomes
    d v_i, the variance of a clustered sample; tau² is re-estimated. Returns group, deff, ratio, ci_low,
    ci_high, df, tau2, one row per group, beside the unadjusted fit (deff 1).
    """
    rows = []
    for group, part in series.groupby("group", sort=False):
        part = part.reset_index(drop=True)
        if part["year"].nunique() < 3:
            continue
        d = deffs.get(group, np.nan) if isinstance(deffs, dict) else float(deffs)
        for value in dict.fromkeys([1.0, d]):
            if not np.isfinite(value):
                continue
            if value < 1:
                raise ParameterError(f"a design effect must be at least 1; got {value!r} for {group}")
            fit = fit_meta_regression(part, method=method, alpha=alpha, within_deff=value)
            rows.append(
                {
                    "group": group,
                    "deff": value,
                    "ratio": fit.ratio,
                    "ci_low": fit.ci_low,
                    "ci_high": fit.ci_high,
                    "df": fit.df,
                    "tau2": fit.tau2,
                }
            )
    return pd.DataFrame(rows)


def bayes_table(series: pd.DataFrame, prior_scales=(0.5,), alpha: float = 0.05) -> pd.DataFrame:
    """Per group and prior scale: the grid posterior's median odds ratio per year, credible interval, P(OR > 1)."""
    rows = []
    for group, part in series.groupby("group", sort=False):
        part = part.reset_index(drop=True)
        if part["year"].nunique() < 3:
            continue
        y, v = logit_effects(part)
        for scale in prior_scales:
            post = slope_posterior(y, v, design_matrix(part), float(scale), alpha)
            rows.append(
                {
                    "group": group,
                    "prior_scale": post.prior_scale,
                    "ratio": post.ratio,
                    "ci_low": post.ci_low,
                    "ci_high": post.ci_high,
                    "p_increase": post.p_increase,
                    "tau_median": post.tau_median,
                }
            )
    return pd.DataFrame(rows)


def identification_growth(nrm: pd.DataFrame) -> dict:
    """Growth of NRM child referrals and of trafficked children in care, from the first year with both.

    ``nrm`` is :func:`helpers.stats.series.nrm_alongside`'s table. Each series runs from that first year to
    its own last year with a value. Returns first_year, nrm_last_year, nrm_ratio, care_last_year, care_ratio.
    """
    both = nrm.dropna(subset=["nrm_child_referrals", "trafficked_in_care"])
    if both.empty:
        raise ParameterError("no year has both NRM child referrals and a count of trafficked children in care")
    first = both.iloc[0]
    referrals = nrm.dropna(subset=["nrm_child_referrals"]).iloc[-1]
    care = nrm.dropna(subset=["trafficked_in_care"]).iloc[-1]
    return {
        "first_year": int(first["year"]),
        "nrm_last_year": int(referrals["year"]),
        "nrm_ratio": float(referrals["nrm_child_referrals"]) / float(first["nrm_child_referrals"]),
        "care_last_year": int(care["year"]),
        "care_ratio": float(care["trafficked_in_care"]) / float(first["trafficked_in_care"]),
    }


@dataclass(frozen=True)
class TrendEvidence:
    """What one group's random-effects trend can and cannot tell (percentage points a year at the fitted
    rate of the period's middle year; see :func:`points_per_year`).

    ``detectable_points`` is the smallest trend, in points a year, whose interval would exclude no change
    with this design (the t quantile times the slope's standard error): a true trend of that size is
    detected about half the time.
    ``p_rise`` maps each half-normal prior scale on tau to the grid posterior's probability that the odds
    rise; ``p_rise_low``/``p_rise_high`` are its range.
    """

    group: str
    k: int
    df: int
    conclusive: bool
    first_year: int
    last_year: int
    rate_middle: float
    points: float
    points_low: float
    points_high: float
    detectable_points: float
    p_rise: dict
    p_rise_low: float
    p_rise_high: float


def trend_evidence(
    group: str,
    fit: MetaRegression,
    data: pd.DataFrame,
    alpha: float = 0.05,
    prior_scales=RISE_PRIOR_SCALES,
) -> TrendEvidence:
    """The trend of one group (``fit`` of :func:`fit_meta_regression` on ``data``) as evidence: whether its
    interval excludes no change, its size and range in points a year, the smallest detectable trend, and
    the probability of a rise under each prior scale.

    Returns
    -------
    TrendEvidence

    References
    ----------
    Knapp G, Hartung J (2003). Improved tests for a random effects meta-regression with a single
    covariate. *Statistics in Medicine* 22:2693-2710 (the t reference on k - 2 df that sets the detectable
    size).
    """
    pts = points_per_year(fit, data)
    to_points = 100 * pts["rate_middle"] * (1 - pts["rate_middle"])
    t_half = stats.t.ppf(1 - alpha / 2, fit.df)
    y, v = logit_effects(data.reset_index(drop=True))
    X = design_matrix(data)
    p_rise = {float(scale): slope_posterior(y, v, X, float(scale), alpha).p_increase for scale in prior_scales}
    return TrendEvidence(
        group=group,
        k=fit.k,
        df=fit.df,
        conclusive=not (fit.ci_low <= 1 <= fit.ci_high),
        first_year=fit.first_year,
        last_year=int(pd.to_numeric(data["year"]).max()),
        rate_middle=float(pts["rate_middle"]),
        points=float(pts["points"]),
        points_low=float(pts["points_low"]),
        points_high=float(pts["points_high"]),
        detectable_points=float(to_points * t_half * fit.std_err),
        p_rise=p_rise,
        p_rise_low=min(p_rise.values()),
        p_rise_high=max(p_rise.values()),
    )
