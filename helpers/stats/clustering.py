"""Children are clustered in councils: the intra-council correlation and the design effect it implies.

The reports publish no council-level counts, so how much their councils' rates differ cannot be measured
from them. DfE's council-level data on all looked-after children can measure it in principle: a
beta-binomial model of each council's count of children who went missing gives the intra-council
correlation (ICC) rho, the correlation between two children of the same council in whether they went
missing. Its design effect, the factor by which clustering multiplies the variance of a pooled rate, is

    d = 1 + ((1 + cv^2) * m - 1) * rho

for clusters of mean size m whose sizes have squared coefficient of variation cv^2 (Kish 1965; Eldridge,
Ashby & Kerry 2006, Int J Epidemiol 35:1292). It grows with council size: the ~780 looked-after children of
an average English council give about 8 (which is why DfE's Pearson dispersion is about 7), while a
report's ~17 trafficked children per answering council give about 1.2. Borrowing the dispersion of the big
group for the small one would overstate the clustering several times over.

Because rho comes from a different population of children, the implied d is one assumption among
several; :func:`with_sensitivity` adds intervals for a small grid of design effects (1, 1.5, 3, 7) as well as
the implied one. Each is a Wilson interval on the effective sample size n / d: a **sensitivity interval
(design effect d)**, not a confidence interval measured from the reports.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from helpers.ledger.errors import ParameterError
from helpers.stats.rates import DIFFERENT_COUNCIL_SET, check_alpha, wilson_interval

SENSITIVITY_DEFFS = (1.0, 1.5, 3.0, 7.0)
# The DfE council measure whose spread of sizes stands in for each group's (the reports publish none):
# unaccompanied children are concentrated like DfE's unaccompanied children; other groups like all
# looked-after children.
SIZE_PROXY = {"unaccompanied": "uasc_at_31_march"}
DEFAULT_SIZE_PROXY = "cla_during_year"


def fit_beta_binomial(x, n) -> dict:
    """Maximum-likelihood beta-binomial fit of counts x out of n (one pair per cluster), via SciPy.

    The model: each cluster's rate is drawn from a beta distribution with mean ``mean`` and intra-cluster
    correlation ``icc`` = 1 / (a + b + 1); the count is binomial given the rate. Both parameters are fitted
    on the logit scale (so they stay inside 0..1) with SciPy's ``betabinom`` log pmf. Returns a dict:
    mean, icc, loglik, clusters.

    References
    ----------
    Skellam JG (1948). A probability distribution derived from the binomial distribution by regarding
    the probability of success as variable between the sets of trials. *JRSS B* 10:257-261.
    """
    x, n = np.asarray(x, float), np.asarray(n, float)
    if x.shape != n.shape or x.ndim != 1 or len(x) < 2:
        raise ParameterError("beta-binomial fit: x and n must be two equal-length lists of at least two clusters")
    if not (np.isfinite(x).all() and np.isfinite(n).all()) or (x < 0).any() or (x > n).any() or (n <= 0).any():
        raise ParameterError("beta-binomial fit: each x must lie between 0 and its n, and each n must be positive")

    def negloglik(theta):
        mean, icc = special.expit(theta)
        a, b = mean * (1 - icc) / icc, (1 - mean) * (1 - icc) / icc
        return -float(np.sum(stats.betabinom.logpmf(x, n, a, b)))

    start = [special.logit(np.clip(x.sum() / n.sum(), 1e-6, 1 - 1e-6)), special.logit(0.01)]
    best = optimize.minimize(negloglik, start, method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-10})
    mean, icc = special.expit(best.x)
    return {"mean": float(mean), "icc": float(icc), "loglik": -float(best.fun), "clusters": int(len(x))}


def _council_wide(council_years: pd.DataFrame, year: int, measures: list[str]) -> pd.DataFrame:
    if not isinstance(council_years, pd.DataFrame) or not {"year", "measure", "value", "council_code"} <= set(
        council_years.columns
    ):
        raise ParameterError(
            "council_years must be the ledger's council_years table (council_code, year, measure, value)"
        )
    part = council_years[council_years["year"].astype(int) == int(year)]
    wide = part.pivot_table(index="council_code", columns="measure", values="value", aggfunc="first")
    for col in measures:
        if col not in wide.columns:
            raise ParameterError(
                f"data/context/council_years.csv has no measure {col!r} in {year}; "
                f"measures: {', '.join(map(str, wide.columns)) or 'none'}"
            )
    return wide[measures].apply(pd.to_numeric, errors="coerce").dropna()


def council_icc(
    council_years: pd.DataFrame,
    year: int | None = None,
    numerator: str = "children_missing",
    denominator: str = "cla_during_year",
) -> dict:
    """The intra-council correlation of DfE's council-level missing rates in one year (default: the latest).

    Councils with either count suppressed are left out. Returns :func:`fit_beta_binomial`'s dict plus
    year and ``mean_size`` (children looked after per council, the m of the design effect).
    """
    if year is None:
        year = int(pd.to_numeric(council_years["year"]).max())
    wide = _council_wide(council_years, year, [numerator, denominator])
    wide = wide[wide[denominator] > 0]
    if len(wide) < 2:
        raise ParameterError(
            f"council_years: fewer than two councils with both {numerator} and {denominator} in {year}"
        )
    fit = fit_beta_binomial(wide[numerator], wide[denominator])
    return {**fit, "year": int(year), "mean_size": float(wide[denominator].mean())}


def size_cv2(sizes) -> float:
    """Squared coefficient of variation of cluster sizes: population variance over the squared mean."""
    s = np.asarray(sizes, float)
    s = s[np.isfinite(s) & (s > 0)]
    if len(s) < 2:
        raise ParameterError("size_cv2 needs at least two positive cluster sizes")
    return float(s.var() / s.mean() ** 2)


def council_size_cv2(council_years: pd.DataFrame, year: int, measure: str) -> float:
    """How unequal DfE's councils are in one measure (e.g. unaccompanied children) in one year: its cv^2."""
    return size_cv2(_council_wide(council_years, year, [measure])[measure])


def design_effect(icc, mean_size, cv2=0.0):
    """Kish's design effect for clusters of mean size m, sizes with squared CV cv2: 1 + ((1 + cv2) m - 1) rho.

    A design effect below 1 (clusters of fewer than one child) is not credible and is floored at 1.

    Returns
    -------
    float or ndarray
        The design effect, at least 1 (an array when any argument is one).

    References
    ----------
    Kish L (1965). *Survey Sampling*. Wiley.
    Eldridge SM, Ashby D, Kerry S (2006). Sample size for cluster randomized trials: effect of coefficient
    of variation of cluster size and analysis method. *International Journal of Epidemiology* 35:1292-1300.
    """
    icc, m, cv2 = np.asarray(icc, float), np.asarray(mean_size, float), np.asarray(cv2, float)
    if (icc < 0).any() or (icc > 1).any() or (m <= 0).any() or (cv2 < 0).any():
        raise ParameterError("design_effect: icc must lie in 0..1, mean_size be positive and cv2 be >= 0")
    d = np.maximum(1.0, 1 + ((1 + cv2) * m - 1) * icc)
    return float(d) if d.ndim == 0 else d


def design_effect_interval(count, nobs, deff, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Wilson interval on the effective sample size: both counts divided by the design effect ``deff``.

    The rate stays the same and the interval widens by about sqrt(deff). A sensitivity interval
    (design effect d), not a measured confidence interval. ``deff`` below 1 is refused; alpha is checked
    by :func:`helpers.stats.rates.wilson_interval`.

    Returns
    -------
    tuple of (ndarray, ndarray)
        The lower and upper limits, as fractions in 0..1.

    References
    ----------
    Kish L (1965). *Survey Sampling*. Wiley (the effective sample size n / d).
    """
    d = np.asarray(deff, float)
    if not np.isfinite(d).all() or (d < 1).any():
        raise ParameterError(f"a design effect must be a finite number of at least 1; got {deff!r}")
    return wilson_interval(np.asarray(count, float) / d, np.asarray(nobs, float) / d, alpha)


def deff_label(d: float) -> str:
    """Column suffix of a design effect: 1 -> '1', 1.5 -> '1_5' (CSV headers stay plain identifiers)."""
    return f"{float(d):g}".replace(".", "_")


def _council_counts(figures: pd.DataFrame) -> pd.DataFrame:
    """Published council counts, one value per report, version, group and measure."""
    rows = figures[figures["measure"].isin(["councils_answering", "councils_asked"]) & figures["value"].notna()]
    return rows.drop_duplicates(["report_id", "version", "group", "measure"])[
        ["report_id", "version", "group", "measure", "value"]
    ]


def councils_behind(figures: pd.DataFrame, report_id: str, version: str, group: str) -> tuple[float, str]:
    """How many councils a report's figures for one group rest on, and where that number comes from.

    In order: the councils answering for that group; the councils answering any question of the report;
    the councils asked (an approximation: more councils than answered, so the mean size and the design
    effect come out too small). (nan, "no council count published") when the ledger holds none.
    """
    counts = _council_counts(figures)
    mine = counts[(counts["report_id"] == report_id) & counts["version"].isin([version, "single"])]
    for measure, groups, basis in (
        ("councils_answering", [group], "councils answering for this group"),
        ("councils_answering", ["councils"], "councils answering the report"),
        ("councils_asked", ["councils"], "councils asked (approximation: not all answered)"),
    ):
        hit = mine[(mine["measure"] == measure) & mine["group"].isin(groups)]
        if len(hit):
            return float(hit["value"].iloc[0]), basis
    return float("nan"), "no council count published"


def implied_design_effects(headlines: pd.DataFrame, figures: pd.DataFrame, council_years: pd.DataFrame) -> pd.DataFrame:
    """The DfE-implied design effect of each headline row: rho from DfE, m and cv^2 for the row's group.

    m = the row's denominator / the councils it rests on (:func:`councils_behind`); cv^2 from DfE's
    councils in the measure of :data:`SIZE_PROXY` (unaccompanied children) or all looked-after children.
    Returns columns councils, mean_size, size_cv2, icc, deff, deff_basis, index-aligned with ``headlines``.
    """
    icc = council_icc(council_years)
    cv2 = {}
    rows = []
    for row in headlines.itertuples():
        councils, basis = councils_behind(figures, row.report_id, row.version, row.group)
        proxy = SIZE_PROXY.get(row.group, DEFAULT_SIZE_PROXY)
        if proxy not in cv2:
            cv2[proxy] = council_size_cv2(council_years, icc["year"], proxy)
        m = row.denominator / councils if councils > 0 else float("nan")
        d = design_effect(icc["icc"], m, cv2[proxy]) if np.isfinite(m) else float("nan")
        rows.append(
            {
                "councils": councils,
                "mean_size": m,
                "size_cv2": cv2[proxy],
                "icc": icc["icc"],
                "deff": d,
                "deff_basis": basis,
            }
        )
    return pd.DataFrame(rows, index=headlines.index)


def with_sensitivity(
    headlines: pd.DataFrame,
    figures: pd.DataFrame,
    council_years: pd.DataFrame,
    deffs=SENSITIVITY_DEFFS,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """A headline table with the design-effect sensitivity grid added, in wide form.

    Adds ``deff`` (the DfE-implied design effect of the row, empty when no council count is published),
    ``deff_basis`` (where its council count comes from), ``deff_councils`` (that count), then ``sens_low_deff_<d>`` / ``sens_high_deff_<d>``
    for each d of ``deffs`` (1.5 is written 1_5) and ``sens_low_deff_implied`` / ``sens_high_deff_implied``.
    With d = 1 the interval is the Wilson one. Pairs counted over two council sets get none.
    """
    alpha = check_alpha(alpha)
    deffs = [float(d) for d in deffs]
    if not deffs or any(not np.isfinite(d) or d < 1 for d in deffs):
        raise ParameterError(f"deffs must be design effects of at least 1, e.g. {SENSITIVITY_DEFFS}; got {deffs!r}")
    out = headlines.copy()
    implied = implied_design_effects(out, figures, council_years)
    blank = (
        out["comparability"].eq(DIFFERENT_COUNCIL_SET).to_numpy()
        if "comparability" in out.columns
        else np.zeros(len(out), dtype=bool)
    )
    out["deff"] = implied["deff"].where(~blank)
    out["deff_basis"] = implied["deff_basis"].where(~blank, "two council sets: no rate")
    out["deff_councils"] = implied["councils"].where(~blank)
    for d in deffs:
        low, high = design_effect_interval(out["numerator"], out["denominator"], d, alpha)
        out[f"sens_low_deff_{deff_label(d)}"] = np.where(blank, np.nan, low)
        out[f"sens_high_deff_{deff_label(d)}"] = np.where(blank, np.nan, high)
    have = out["deff"].notna() & ~blank
    out["sens_low_deff_implied"] = out["sens_high_deff_implied"] = np.nan
    if have.any():
        low, high = design_effect_interval(
            out.loc[have, "numerator"], out.loc[have, "denominator"], out.loc[have, "deff"], alpha
        )
        out.loc[have, "sens_low_deff_implied"], out.loc[have, "sens_high_deff_implied"] = low, high
    return out


def design_effect_curve(icc: float, sizes, cv2: float = 0.0) -> pd.DataFrame:
    """The design effect at each mean council size (for a chart of d against m): columns mean_size, deff."""
    sizes = np.asarray(sizes, float)
    return pd.DataFrame({"mean_size": sizes, "deff": design_effect(icc, sizes, cv2)})


def dispersion_by_size(council_years: pd.DataFrame, year: int | None = None, parts: int = 2) -> pd.DataFrame:
    """DfE's Pearson dispersion in councils grouped by size: it rises with size, so it cannot be borrowed.

    Councils are split into ``parts`` groups of equal count by children looked after during the year;
    each group's value is the mean squared Pearson residual (x - n p)^2 / (n p (1 - p)) about the pooled
    rate p of all councils. Columns: part, councils, smallest, largest, mean_size, dispersion.
    """
    if year is None:
        year = int(pd.to_numeric(council_years["year"]).max())
    wide = _council_wide(council_years, year, ["children_missing", "cla_during_year"])
    wide = wide[wide["cla_during_year"] > 0].sort_values("cla_during_year", kind="stable")
    x, n = wide["children_missing"].to_numpy(float), wide["cla_during_year"].to_numpy(float)
    p = x.sum() / n.sum()
    r2 = (x - n * p) ** 2 / (n * p * (1 - p))
    rows = []
    for i, idx in enumerate(np.array_split(np.arange(len(n)), parts)):
        rows.append(
            {
                "part": i + 1,
                "councils": len(idx),
                "smallest": int(n[idx].min()),
                "largest": int(n[idx].max()),
                "mean_size": float(n[idx].mean()),
                "dispersion": float(r2[idx].mean()),
            }
        )
    return pd.DataFrame(rows)
