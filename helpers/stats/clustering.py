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

rho is not one number: DfE's fell from about 0.018 in 2015 to under 0.01 from 2019, and an ICC also
depends on the rate (the same spread of councils gives a larger ICC nearer one half). So what is carried
from DfE to a report's group is the spread of council rates on the logit scale, sigma of a binomial model
with a normal council effect (:func:`fit_logit_normal`), fitted for each DfE year the report's period
overlaps (:func:`overlapping_dfe_years`) and turned into an ICC at the group's own rate
(:func:`icc_at_rate`). The implied d is a range (:func:`implied_design_effects`): its ends come from
sigma's profile-likelihood interval in each of those years.

Because sigma comes from a different population of children, the implied d is derived on an assumption,
never measured, and is one assumption among several; :func:`with_sensitivity` adds intervals for a small
grid of design effects (1, 1.5, 3, 7) as well as one at the upper end of the implied range. Each is a
Wilson interval on the effective sample size n / d: a **sensitivity interval (design effect d)**, not a
confidence interval measured from the reports.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from helpers.ledger.errors import ParameterError
from helpers.stats.rates import DIFFERENT_COUNCIL_SET, check_alpha, headline_table, period_year, wilson_interval

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


def _standard_normal_nodes(sigma: float, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nodes on -9..9 and weights (summing to 1) for an expectation over a standard normal z.

    A fine even grid (the trapezoid rule), not Gauss-Hermite: a council of n children pins its logit rate
    to within about 2 / sqrt(n), so in z its likelihood is a spike of width about 2 / (sigma sqrt(n)), which
    60 or even 240 Gauss-Hermite nodes miss (their log likelihood of DfE 2024 is off by 0.1 to 0.7). The
    spacing is a third of the narrowest spike, and never coarser than 400 intervals.
    """
    width = 2.0 / (max(sigma, 1e-6) * np.sqrt(float(np.max(n)) / 4))
    k = int(np.clip(np.ceil(18.0 / (width / 3)), 400, 20000)) + 1
    z = np.linspace(-9.0, 9.0, k)
    w = np.exp(-0.5 * z**2)
    return z, w / w.sum()


def _logit_normal_terms(mu: float, sigma: float, x: np.ndarray, n: np.ndarray) -> tuple[float, float, float]:
    """Log likelihood of counts x of n when each cluster's logit rate is N(mu, sigma^2), and its first
    and second derivatives in mu (quadrature over the cluster effect on a fine grid)."""
    z, w = _standard_normal_nodes(sigma, n)
    eta = mu + sigma * z[None, :]
    # The binomial coefficient does not depend on mu or sigma, but is kept so the value is the likelihood.
    choose = special.gammaln(n + 1) - special.gammaln(x + 1) - special.gammaln(n - x + 1)
    logp = x[:, None] * special.log_expit(eta) + (n - x)[:, None] * special.log_expit(-eta) + np.log(w)[None, :]
    each = special.logsumexp(logp, axis=1)
    post = np.exp(logp - each[:, None])  # each cluster's posterior weights over the nodes
    p = special.expit(eta)
    score = x[:, None] - n[:, None] * p
    first = (post * score).sum(axis=1)
    second = (post * (score**2 - n[:, None] * p * (1 - p))).sum(axis=1) - first**2
    return float((choose + each).sum()), float(first.sum()), float(second.sum())


def _logit_normal_loglik(mu: float, sigma: float, x: np.ndarray, n: np.ndarray) -> float:
    """Log likelihood of the logit-normal binomial model (see :func:`fit_logit_normal`)."""
    return _logit_normal_terms(mu, sigma, x, n)[0]


def _best_mu(sigma: float, x: np.ndarray, n: np.ndarray, start: float) -> tuple[float, float]:
    """The mean logit that maximises the likelihood at a given sigma, by Newton's method: (mu, loglik)."""
    mu = start
    for _ in range(50):
        loglik, first, second = _logit_normal_terms(mu, sigma, x, n)
        step = -first / second if second < 0 else 0.1 * np.sign(first)
        mu += float(np.clip(step, -1.0, 1.0))
        if abs(step) < 1e-10:
            break
    return mu, _logit_normal_loglik(mu, sigma, x, n)


def fit_logit_normal(x, n, alpha: float = 0.05, interval: bool = True) -> dict:
    """The between-cluster spread on the logit scale: a binomial model with a normal cluster effect.

    Each cluster's rate is expit(mu + sigma z) with z standard normal, and its count binomial given the
    rate; the likelihood integrates z out on a fine grid (:func:`_standard_normal_nodes`). sigma (the
    between-council standard deviation of the logit rate, after the binomial noise of small councils is
    taken out) is the number that carries over from one group of children to another, unlike the ICC,
    which also depends on the rate. Its interval is the profile-likelihood one (likelihood ratio against
    chi-square with 1 df); ``interval=False`` skips it (sigma_low and sigma_high are then NaN).

    Returns
    -------
    dict
        mu, sigma, sigma_low, sigma_high, loglik, clusters.
    """
    alpha = check_alpha(alpha)
    x, n = np.asarray(x, float), np.asarray(n, float)
    if x.shape != n.shape or x.ndim != 1 or len(x) < 2:
        raise ParameterError("logit-normal fit: x and n must be two equal-length lists of at least two clusters")
    if not (np.isfinite(x).all() and np.isfinite(n).all()) or (x < 0).any() or (x > n).any() or (n <= 0).any():
        raise ParameterError("logit-normal fit: each x must lie between 0 and its n, and each n must be positive")
    start = float(special.logit(np.clip(x.sum() / n.sum(), 1e-6, 1 - 1e-6)))
    best = optimize.minimize_scalar(
        lambda log_s: -_best_mu(np.exp(log_s), x, n, start)[1],
        bounds=(np.log(1e-4), np.log(5.0)),
        method="bounded",
        options={"xatol": 1e-7},
    )
    sigma = float(np.exp(best.x))
    mu, loglik = _best_mu(sigma, x, n, start)
    if not interval:
        return {
            "mu": mu,
            "sigma": sigma,
            "sigma_low": np.nan,
            "sigma_high": np.nan,
            "loglik": loglik,
            "clusters": len(x),
        }
    drop = stats.chi2.ppf(1 - alpha, 1) / 2

    def gap(s):
        return loglik - _best_mu(s, x, n, mu)[1] - drop

    low = optimize.brentq(gap, 1e-4, sigma) if gap(1e-4) > 0 else 0.0
    high = optimize.brentq(gap, sigma, 5.0)
    return {
        "mu": mu,
        "sigma": sigma,
        "sigma_low": float(low),
        "sigma_high": float(high),
        "loglik": loglik,
        "clusters": int(len(x)),
    }


def icc_at_rate(sigma, rate) -> float:
    """The ICC a logit-scale spread sigma implies at an overall rate: Var(p) / (rate (1 - rate)).

    The council rates are expit(mu + sigma z), z standard normal, with mu chosen so that their mean is
    ``rate``; the ICC of a binary outcome is the variance of the cluster rates over rate (1 - rate).
    Holding sigma fixed and moving the rate towards one half raises the ICC: at sigma 0.30 it is about
    0.0099 at a 12% rate and 0.0206 at 37%. NaN for a rate of 0 or 1.
    """
    sigma, rate = float(sigma), float(rate)
    if not np.isfinite(sigma) or sigma < 0:
        raise ParameterError(f"icc_at_rate: sigma must be a number of at least 0; got {sigma!r}")
    if not 0 < rate < 1:
        return float("nan")
    if sigma == 0:
        return 0.0
    z, w = _standard_normal_nodes(sigma, np.array([4.0]))
    mu = optimize.brentq(lambda m: float(w @ special.expit(m + sigma * z)) - rate, -40, 40, xtol=1e-13)
    p = special.expit(mu + sigma * z)
    return float(w @ (p - rate) ** 2 / (rate * (1 - rate)))


def overlapping_dfe_years(period: str, held) -> list[int]:
    """The DfE years (ending 31 March) an FOI period overlaps, kept to the years held, paired year first.

    A calendar year Y overlaps DfE's years ending March Y (three months; the project's pairing rule,
    :func:`helpers.nonresponse.frame.dfe_year`) and March Y + 1 (nine months); a year to September Y
    overlaps the same two. Years outside the data are dropped; when none is held, the nearest held year.
    """
    years = sorted({int(y) for y in pd.unique(pd.Series(held).dropna())})
    if not years:
        raise ParameterError("overlapping_dfe_years: no DfE year held")
    year = period_year(period)
    paired = min(max(year, years[0]), years[-1])
    return [paired] + [y for y in (year + 1,) if y in years and y != paired]


_SPREAD_CACHE: dict = {}


def council_spread(council_years: pd.DataFrame, year: int, alpha: float = 0.05) -> dict:
    """DfE's council heterogeneity in one year: the beta-binomial ICC and the logit-normal spread sigma.

    Fitted to each council's children who went missing out of children looked after during the year
    (suppressed councils left out). Returns year, councils, mean_size, rate (pooled), icc (beta-binomial,
    at DfE's own rate), logit_sd with logit_sd_low and logit_sd_high (profile-likelihood interval at
    level 1 - alpha). The fits are cached by the data they saw.
    """
    wide = _council_wide(council_years, year, ["children_missing", "cla_during_year"])
    wide = wide[wide["cla_during_year"] > 0]
    if len(wide) < 2:
        raise ParameterError(f"council_years: fewer than two councils with both counts in {year}")
    x, n = wide["children_missing"].to_numpy(float), wide["cla_during_year"].to_numpy(float)
    key = (int(year), float(alpha), x.tobytes(), n.tobytes())
    if key not in _SPREAD_CACHE:
        beta = fit_beta_binomial(x, n)
        spread = fit_logit_normal(x, n, alpha)
        _SPREAD_CACHE[key] = {
            "year": int(year),
            "councils": int(len(x)),
            "mean_size": float(n.mean()),
            "rate": float(x.sum() / n.sum()),
            "icc": beta["icc"],
            "logit_sd": spread["sigma"],
            "logit_sd_low": spread["sigma_low"],
            "logit_sd_high": spread["sigma_high"],
        }
    return dict(_SPREAD_CACHE[key])


def council_spread_by_year(council_years: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """:func:`council_spread` for every year held, one row per year (the ICC and sigma of each DfE year)."""
    years = sorted(int(y) for y in pd.unique(council_years["year"]))
    return pd.DataFrame([council_spread(council_years, y, alpha) for y in years])


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


def _deff_at(year: int, sigma: float, *, rate: float, mean_size: float, cv2: dict) -> float:
    """Kish's d for a group at ``rate`` with m = ``mean_size``, when councils differ by sigma on the logit scale."""
    return design_effect(icc_at_rate(sigma, rate), mean_size, cv2[year])


def _deff_range(row, councils: tuple[float, float], council_years: pd.DataFrame, alpha: float, cv2: dict) -> dict:
    """The implied design effect of one headline row: at the paired year's sigma, and its low and high ends.

    ``councils`` is (most, fewest) councils the row may rest on (the same number twice when it is
    published): the low end takes the most councils (smallest m) and the low end of sigma's interval in
    every overlapping DfE year, the high end the fewest councils and the high end of sigma's interval.
    """
    years = overlapping_dfe_years(row.period, council_years["year"])
    proxy = SIZE_PROXY.get(row.group, DEFAULT_SIZE_PROXY)
    for y in years:
        if (proxy, y) not in cv2:
            cv2[(proxy, y)] = council_size_cv2(council_years, y, proxy)
    rate = row.numerator / row.denominator if row.denominator > 0 else float("nan")
    spread = {y: council_spread(council_years, y, alpha) for y in years}
    paired = years[0]
    out = {
        "size_cv2": cv2[(proxy, paired)],
        "dfe_year": paired,
        "dfe_years": "–".join(str(y) for y in sorted(years)),
        "logit_sd": spread[paired]["logit_sd"],
        "icc": icc_at_rate(spread[paired]["logit_sd"], rate) if 0 < rate < 1 else float("nan"),
        "deff": float("nan"),
        "deff_low": float("nan"),
        "deff_high": float("nan"),
    }
    most, fewest = councils
    if not (np.isfinite(most) and most > 0 and 0 < rate < 1):
        return out
    d_at = functools.partial(_deff_at, rate=rate, cv2={y: cv2[(proxy, y)] for y in years})
    out["deff"] = d_at(paired, spread[paired]["logit_sd"], mean_size=row.denominator / most)
    out["deff_low"] = min(d_at(y, spread[y]["logit_sd_low"], mean_size=row.denominator / most) for y in years)
    out["deff_high"] = max(d_at(y, spread[y]["logit_sd_high"], mean_size=row.denominator / fewest) for y in years)
    return out


def implied_design_effects(
    headlines: pd.DataFrame, figures: pd.DataFrame, council_years: pd.DataFrame, alpha: float = 0.05
) -> pd.DataFrame:
    """The design effect each headline row would have if its councils differed as much as DfE's, as a range.

    For each row: the DfE years its FOI period overlaps (:func:`overlapping_dfe_years`, the paired year
    first); in each, DfE's between-council spread sigma on the logit scale with its profile-likelihood
    interval (:func:`council_spread`); the ICC that sigma implies at the row's own rate
    (:func:`icc_at_rate`); and Kish's d with m = the row's denominator / the councils it rests on
    (:func:`councils_behind`) and cv^2 of that year's DfE councils in the measure of :data:`SIZE_PROXY`.
    ``deff`` is d at the paired year's sigma; ``deff_low`` and ``deff_high`` are the smallest and largest
    d over the overlapping years at the ends of sigma's interval. It is derived on an assumption (the
    reports' councils differ on the logit scale as much as DfE's do for all looked-after children), never
    measured from the reports.

    Returns
    -------
    pandas.DataFrame
        Columns councils, mean_size, size_cv2, dfe_year, dfe_years, logit_sd, icc, deff, deff_low,
        deff_high, deff_basis, index-aligned with ``headlines``.
    """
    cv2 = {}
    rows = []
    for row in headlines.itertuples():
        councils, basis = councils_behind(figures, row.report_id, row.version, row.group)
        m = row.denominator / councils if councils > 0 else float("nan")
        got = _deff_range(row, (councils, councils), council_years, alpha, cv2)
        rows.append({"councils": councils, "mean_size": m, **got, "deff_basis": basis})
    columns = ["councils", "mean_size", "size_cv2", "dfe_year", "dfe_years", "logit_sd", "icc", "deff"]
    return pd.DataFrame(rows, index=headlines.index)[columns + ["deff_low", "deff_high", "deff_basis"]]


def series_councils(figures: pd.DataFrame, group: str) -> tuple[float, float]:
    """The most and fewest councils any report of the series rests on for one group (published counts only).

    A stand-in for a report that publishes no council count: its councils are assumed to number somewhere
    between the fewest and the most that the other reports published (:func:`councils_behind`). (nan,
    nan) when no report published one.
    """
    heads = headline_table(figures)
    heads = heads[(heads["group"] == group) & (heads["measure"] == "went_missing")]
    counts = [
        councils_behind(figures, r.report_id, r.version, group)[0]
        for r in heads[["report_id", "version"]].drop_duplicates().itertuples()
    ]
    counts = [c for c in counts if np.isfinite(c)]
    return (float(max(counts)), float(min(counts))) if counts else (float("nan"), float("nan"))


WITHIN_ROUND = ("trafficked against unaccompanied", "year against year")


def p_value_at_design_effects(x1, n1, d1, x2, n2, d2) -> float:
    """The score test's p-value of two proportions on effective sample sizes x / d and n / d.

    The same test as :func:`helpers.stats.trends.compare_proportions` (Miettinen-Nurminen score), with
    each count and total divided by its own design effect, as the sensitivity intervals do.
    """
    from helpers.stats.trends import compare_proportions

    if not (d1 >= 1 and d2 >= 1):
        raise ParameterError(f"design effects must be at least 1; got {d1!r} and {d2!r}")
    return float(compare_proportions(x1 / d1, n1 / d1, x2 / d2, n2 / d2).iloc[0]["p_value"])


def with_design_effect_p(
    tests: pd.DataFrame, figures: pd.DataFrame, council_years: pd.DataFrame, report_id: str, alpha: float = 0.05
) -> pd.DataFrame:
    """Add the p-value of each comparison within one FOI round at both ends of its implied design effects.

    For the rows of :data:`WITHIN_ROUND` with a p-value (both rates from the same councils' answers), each
    rate gets its implied design-effect range (:func:`implied_design_effects`); where its report published
    no council count, the series' fewest to most councils for the group stand in (:func:`series_councils`).
    ``p_deff_low`` is the p-value with both rates at the low end, ``p_deff_high`` at the high end (the
    larger p-value); ``deff_first`` / ``deff_second`` give the ranges used ("1.41–1.69") and
    ``p_deff_basis`` how the council counts were found. Other rows stay empty.
    """
    out = tests.copy()
    for col in ("p_deff_low", "p_deff_high"):
        out[col] = float("nan")
    for col in ("deff_first", "deff_second", "p_deff_basis"):
        out[col] = ""
    heads = headline_table(figures, report_id)
    heads = heads[heads["measure"] == "went_missing"]
    cv2 = {}
    for idx in out.index[out["comparison"].isin(WITHIN_ROUND) & out["p_value"].notna()]:
        t = out.loc[idx]
        ranges, bases = [], []
        for x, n in ((t["x1"], t["n1"]), (t["x2"], t["n2"])):
            row = next(heads[(heads["numerator"] == x) & (heads["denominator"] == n)].itertuples())
            councils, basis = councils_behind(figures, row.report_id, row.version, row.group)
            span = (councils, councils)
            if not np.isfinite(councils):
                span = series_councils(figures, row.group)
                basis = f"no council count published: the series' {span[1]:,.0f} to {span[0]:,.0f} councils stand in"
            ranges.append(_deff_range(row, span, council_years, alpha, cv2))
            bases.append(basis)
        if not all(np.isfinite(r["deff_high"]) for r in ranges):
            continue
        (a, b) = ranges
        out.loc[idx, "p_deff_low"] = p_value_at_design_effects(
            t["x1"], t["n1"], a["deff_low"], t["x2"], t["n2"], b["deff_low"]
        )
        out.loc[idx, "p_deff_high"] = p_value_at_design_effects(
            t["x1"], t["n1"], a["deff_high"], t["x2"], t["n2"], b["deff_high"]
        )
        out.loc[idx, "deff_first"] = f"{a['deff_low']:.2f}–{a['deff_high']:.2f}"
        out.loc[idx, "deff_second"] = f"{b['deff_low']:.2f}–{b['deff_high']:.2f}"
        out.loc[idx, "p_deff_basis"] = "; ".join(dict.fromkeys(bases))
    return out


def design_effects_at_spreads(
    headlines: pd.DataFrame, figures: pd.DataFrame, council_years: pd.DataFrame, spreads: dict
) -> pd.DataFrame:
    """The design effect each headline row would have if its councils differed by each given logit spread.

    ``spreads`` maps a name to a sigma on the logit scale (for example DfE's measured spread and the one
    the synthetic councils used to have). m and cv^2 are those of :func:`implied_design_effects` (the
    paired DfE year), the ICC is :func:`icc_at_rate` at the row's rate. Rows without a council count are
    left out. Long form: report_id, version, group, period, year, rate, mean_size, spread, logit_sd, icc,
    deff.
    """
    implied = implied_design_effects(headlines, figures, council_years)
    rows = []
    for row, imp in zip(headlines.itertuples(), implied.itertuples()):
        rate = row.numerator / row.denominator if row.denominator > 0 else float("nan")
        if not (np.isfinite(imp.mean_size) and 0 < rate < 1):
            continue
        for name, sigma in spreads.items():
            icc = icc_at_rate(sigma, rate)
            rows.append(
                {
                    "report_id": row.report_id,
                    "version": row.version,
                    "group": row.group,
                    "period": row.period,
                    "year": int(row.year),
                    "rate": rate,
                    "mean_size": imp.mean_size,
                    "spread": name,
                    "logit_sd": float(sigma),
                    "icc": icc,
                    "deff": design_effect(icc, imp.mean_size, imp.size_cv2),
                }
            )
    columns = [
        "report_id",
        "version",
        "group",
        "period",
        "year",
        "rate",
        "mean_size",
        "spread",
        "logit_sd",
        "icc",
        "deff",
    ]
    return pd.DataFrame(rows, columns=columns)


def with_sensitivity(
    headlines: pd.DataFrame,
    figures: pd.DataFrame,
    council_years: pd.DataFrame,
    deffs=SENSITIVITY_DEFFS,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """A headline table with the design-effect sensitivity grid added, in wide form.

    Adds ``deff_low`` and ``deff_high`` (the range of design effects DfE's council spread implies for the
    row, :func:`implied_design_effects`; empty when no council count is published), ``deff_years`` (the
    DfE years it rests on), ``deff_basis`` (where its council count comes from), ``deff_councils`` (that
    count), then ``sens_low_deff_<d>`` / ``sens_high_deff_<d>`` for each d of ``deffs`` (1.5 is written
    1_5) and ``sens_low_deff_implied`` / ``sens_high_deff_implied``, the interval at ``deff_high`` (the
    widest the implied range allows). With d = 1 the interval is the Wilson one. Pairs counted over two
    council sets get none.
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
    out["deff_low"] = implied["deff_low"].where(~blank)
    out["deff_high"] = implied["deff_high"].where(~blank)
    out["deff_years"] = implied["dfe_years"].where(~blank & implied["deff_high"].notna(), "")
    out["deff_basis"] = implied["deff_basis"].where(~blank, "two council sets: no rate")
    out["deff_councils"] = implied["councils"].where(~blank)
    for d in deffs:
        low, high = design_effect_interval(out["numerator"], out["denominator"], d, alpha)
        out[f"sens_low_deff_{deff_label(d)}"] = np.where(blank, np.nan, low)
        out[f"sens_high_deff_{deff_label(d)}"] = np.where(blank, np.nan, high)
    have = out["deff_high"].notna() & ~blank
    out["sens_low_deff_implied"] = out["sens_high_deff_implied"] = np.nan
    if have.any():
        low, high = design_effect_interval(
            out.loc[have, "numerator"], out.loc[have, "denominator"], out.loc[have, "deff_high"], alpha
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
