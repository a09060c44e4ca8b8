"""What the reports' trend allows one to say: points per year and its sensitivities (the words: present.trend_words).

* :func:`points_per_year` - the odds ratio per year restated as percentage points per year;
* :func:`heterogeneity_table` - tau² and I² with their Q-profile intervals;
* :func:`design_effect_trend` - the trend refitted with each report's sampling variance inflated by a
  design effect (clustering in councils), as a sensitivity;
* :func:`bayes_table` - the grid-posterior sensitivity analysis for one or more prior scales;
* :func:`identification_growth` - how fast NRM child referrals grew against trafficked children in care.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from helpers.ledger.errors import ParameterError
from helpers.stats.bayes import slope_posterior
from helpers.stats.heterogeneity import q_profile
from helpers.stats.random_effects import MetaRegression, fit_meta_regression, logit_effects

TREND_INTERVAL = "95% CI (random effects, t on k−2 df)"


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
