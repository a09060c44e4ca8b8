"""Probabilistic bias analysis: a bias-adjusted interval for every headline rate, and the probability that
each conclusion holds.

The bounds say what no assumption allows; the tipping points say how far the silent councils would have
to be from the answering ones. Neither says how likely anything is. A probabilistic bias analysis (Lash,
Fox & Fink, *Applying Quantitative Bias Analysis to Epidemiologic Data*, 2nd ed. 2021, ch. 8; Greenland,
"Multiple-bias modelling", JRSS A 168:267, 2005) puts a stated prior on each thing that is not known,
draws from all of them at once, and reads off an interval and a probability. Each draw of one headline
rate, whose answering councils' children went missing x times out of n, is

    d   ~ Uniform(d_low, d_high)                                the design effect (children share councils)
    p   ~ Beta(x / d + 1/2, (n - x) / d + 1/2)                  sampling error on the effective sample n / d
    s   ~ the random-silence distribution of the silent share of children
          (:mod:`helpers.nonresponse.where_children_are`)
    δ   ~ Normal(tilt_centre, tilt_sd)                          a tilt of the silent councils (MNAR)
    ε   ~ Normal(0, sigma / sqrt(k_eff))                        chance: which councils happen to be silent
    q   = expit(logit p + δ + ε)                               the silent councils' rate
    θ   = (1 - s) p + s q                                       the rate over every council

and the **bias-adjusted interval** is the alpha / 2 and 1 - alpha / 2 quantiles of θ (its median the
estimate). sigma is DfE's between-council spread of missing rates on the logit scale (from the ICC of
:func:`helpers.stats.clustering.council_icc`, sigma^2 = rho / (p (1 - p))); k_eff = k / (1 + cv^2) is the
effective number of silent councils, k of them with council sizes of squared CV cv^2, so the pooled rate of
many silent councils varies far less than one council's. The tilt's prior is centred on no tilt; its
standard deviation is the tilt that notebook 40's MNAR scenario (a slope of -2 on the log-odds of
answering) implies on DfE's spread, |beta| sigma^2 (for a normal spread of council logits, answering with
log-odds slope beta on its own logit separates the silent and answering means by -beta sigma^2), so that
scenario, in either direction, is one standard deviation. The item-silent children are already in the
councils silent on the question, so each child is counted once: θ is built from the respondents-only
rate.

Two rates of one report share their draws of the silent councils (the same councils are silent on both)
and of the design effect's place in its range; their tilts are correlated by ``tilt_correlation``
(0 by default: nothing is known, and for a difference of two groups 0 is the cautious choice). A rate of
another report is drawn independently; one whose report published no count of silent councils takes the
other side's silent share, as :mod:`helpers.nonresponse.two_sided` does; and since two reports rest on
different councils, it is moved on the logit scale by sqrt(2 tau2) times a t variate on the trend's degrees
of freedom (tau2 the group's between-report variance, as in the collection's between-report interval).
DfE's rate is a census: fixed.
A conclusion 'a above b' holds in a draw when θ_a > θ_b; its probability is the share of such draws.

:func:`tornado` fixes one prior at a time at its 5th and 95th percentile (the others still drawn, with the
same random numbers); :func:`widened` doubles one prior's spread at a time (the silent share: uniform over
its no-assumption range). Numbers only: the words and charts are in
:mod:`helpers.present.bias_analysis_words`.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy.special import betaincinv, expit, logit
from scipy.stats import t as student_t

from helpers.ledger.errors import ParameterError
from helpers.stats.report_view import ReportView

#: Draws per headline rate.
DRAWS = 10_000
SEED = 20251206
#: The MNAR slope (log-odds of answering per unit of a council's own logit rate) of notebook 40's default
#: scenario; the tilt prior's standard deviation is the tilt it implies, in either direction.
REFERENCE_MNAR_SLOPE = 2.0
#: The design-effect range when no council count is published: the first step of clustering's grid.
FALLBACK_DEFF = (1.0, 1.5)
#: The priors, in the order of the tornado chart.
PRIORS = ("silent_share", "mnar_tilt", "council_spread", "design_effect", "sampling")
#: Tornado settings: a prior fixed at its 5th or 95th percentile.
LOW_Q, HIGH_Q = 0.05, 0.95
_Z95 = 1.6448536269514722  # the standard normal's 95th percentile
HEADLINE_COLUMNS = [
    "report_id",
    "version",
    "group",
    "rate",
    "estimate",
    "low",
    "high",
    "share_p50",
    "deff_low",
    "deff_high",
]
CONCLUSION_COLUMNS = [
    "conclusion",
    "observed",
    "comparator",
    "comparator_label",
    "difference",
    "low",
    "high",
    "p_holds",
]
TORNADO_COLUMNS = [
    "quantity",
    "kind",
    "group",
    "version",
    "prior",
    "base",
    "at_low",
    "at_high",
    "p_low",
    "p_high",
    "swing",
]


@dataclass(frozen=True)
class Priors:
    """The priors shared by every rate (those that depend on a rate are in :class:`RateInputs`).

    ``council_spread`` is sigma, the standard deviation of councils' missing rates on the logit scale;
    ``tilt_centre`` and ``tilt_sd`` the MNAR tilt's normal prior (logit scale; positive: the silent
    councils' children went missing more often); ``tilt_correlation`` the correlation of two groups' tilts
    in one report; ``sources`` says where each value comes from (prior name -> words).
    """

    council_spread: float
    tilt_sd: float
    tilt_centre: float = 0.0
    tilt_correlation: float = 0.0
    sources: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True, eq=False)
class RateInputs:
    """One headline rate and its own priors.

    ``share_draws`` are the random-silence draws of the silent share of the group's children (one value
    when only the share of councils is known); ``share_low`` and ``share_high`` the no-assumption range;
    ``effective_councils`` the effective number of silent councils (k / (1 + cv^2)); ``deff_low`` and
    ``deff_high`` the design effect's range; ``share_source`` and ``deff_source`` where they come from.
    """

    report_id: str
    version: str
    group: str
    numerator: float
    denominator: float
    share_draws: np.ndarray
    share_low: float
    share_high: float
    effective_councils: float
    deff_low: float
    deff_high: float
    share_source: str = ""
    deff_source: str = ""

    @property
    def rate(self) -> float:
        return self.numerator / self.denominator


@dataclass(frozen=True, eq=False)
class Conclusion:
    """A conclusion 'a above b': ``observed`` and ``comparator`` are :class:`RateInputs`, or the comparator
    is a fixed rate (a census, ``comparator_rate``) when ``comparator`` is None."""

    conclusion: str
    observed: RateInputs
    comparator: RateInputs | None
    comparator_rate: float
    comparator_label: str = ""
    #: (tau2, df) of the group's random-effects trend when the comparator is another report's rate: two
    #: reports rest on different councils, so their difference also varies between reports
    between_reports: tuple[float, int] | None = None


@dataclass(frozen=True, eq=False)
class BiasAnalysis:
    """One report's probabilistic bias analysis (see the module docstring).

    ``headlines``: report_id, version, group, rate, estimate, low, high, share_p50, deff_low, deff_high
    (rates as fractions); ``conclusions``: conclusion, observed, comparator, comparator_label, difference,
    low, high, p_holds (the difference a - b, its bias-adjusted interval and the probability a > b).
    """

    report_id: str
    alpha: float
    draws: int
    seed: int
    priors: Priors
    rates: tuple
    conclusion_specs: tuple
    headlines: pd.DataFrame
    conclusions: pd.DataFrame


# --- the draws ---------------------------------------------------------------------------------------------


def _rng(seed: int, key: str) -> np.random.Generator:
    """One generator per (seed, key): the same component of the same rate gets the same random numbers in
    every run (common random numbers for the tornado), whatever else is drawn."""
    return np.random.default_rng([int(seed), zlib.crc32(key.encode())])


def check_draws(draws) -> int:
    """A whole number of draws of at least 100."""
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or draws < 100:
        raise ParameterError(f"draws={draws!r} must be a whole number of at least 100")
    return int(draws)


def _share(r: RateInputs, draws: int, seed: int, fix: str | None, widen: bool) -> np.ndarray:
    s = np.asarray(r.share_draws, float)
    if fix is not None:
        return np.full(draws, float(np.quantile(s, LOW_Q if fix == "low" else HIGH_Q)))
    rng = _rng(seed, f"share|{r.report_id}")  # one report: the same silent councils for every group
    if widen:
        return r.share_low + rng.random(draws) * (r.share_high - r.share_low)
    if len(s) == 1:
        return np.full(draws, s[0])
    # A permutation per report: the groups of one report keep their silent councils paired, draw for draw
    # (where_children_are drew them with the report as key); another report's draws are shuffled apart,
    # even where its share is borrowed from this one.
    idx = rng.permutation(len(s))[:draws] if draws <= len(s) else rng.integers(0, len(s), draws)
    return s[idx]


def _deff(r: RateInputs, draws: int, seed: int, fix: str | None, widen: bool) -> np.ndarray:
    lo, hi = (1.0, 1 + 2 * (r.deff_high - 1)) if widen else (r.deff_low, r.deff_high)
    if fix is not None:
        return np.full(draws, lo if fix == "low" else hi)
    return lo + _rng(seed, f"deff|{r.report_id}").random(draws) * (hi - lo)


def _tilt(r: RateInputs, groups: tuple, priors: Priors, draws: int, seed: int, fix, widen) -> np.ndarray:
    sd = priors.tilt_sd * (2 if widen else 1)
    if fix is not None:
        return np.full(draws, priors.tilt_centre + (-_Z95 if fix == "low" else _Z95) * sd)
    rng = _rng(seed, f"tilt|{r.report_id}")
    z = rng.standard_normal((len(groups) + 1, draws))  # a shared part, then one per group
    rho = priors.tilt_correlation
    mixed = np.sqrt(rho) * z[0] + np.sqrt(1 - rho) * z[1 + groups.index(r.group)]
    return priors.tilt_centre + sd * mixed


def _chance(r: RateInputs, priors: Priors, draws: int, seed: int, fix, widen) -> np.ndarray:
    sd = priors.council_spread / np.sqrt(max(r.effective_councils, 1.0)) * (2 if widen else 1)
    if fix is not None:
        return np.full(draws, (-_Z95 if fix == "low" else _Z95) * sd)
    return sd * _rng(seed, f"spread|{r.report_id}|{r.group}").standard_normal(draws)


def _sampling(r: RateInputs, d: np.ndarray, draws: int, seed: int, fix) -> np.ndarray:
    u = (
        np.full(draws, LOW_Q if fix == "low" else HIGH_Q)
        if fix is not None
        else _rng(seed, f"sampling|{r.report_id}|{r.group}").random(draws)
    )
    # Versions of one group share u: the same children, counted over different denominators.
    return betaincinv(r.numerator / d + 0.5, (r.denominator - r.numerator) / d + 0.5, u)


def draw_rate(
    r: RateInputs,
    priors: Priors,
    *,
    draws: int = DRAWS,
    seed: int = SEED,
    groups: tuple = (),
    fix: dict | None = None,
    widen: str | None = None,
) -> np.ndarray:
    """``draws`` draws of θ, the rate over every council (see the module docstring), vectorised.

    ``groups`` are the groups of the rate's report (for the correlated tilts; default: the rate's own);
    ``fix`` maps a prior of :data:`PRIORS` to "low" or "high" (its 5th or 95th percentile); ``widen``
    names a prior whose spread is doubled.
    """
    fix = fix or {}
    groups = groups or (r.group,)
    s = _share(r, draws, seed, fix.get("silent_share"), widen == "silent_share")
    d = _deff(r, draws, seed, fix.get("design_effect"), widen == "design_effect")
    p = _sampling(r, d, draws, seed, fix.get("sampling"))
    delta = _tilt(r, groups, priors, draws, seed, fix.get("mnar_tilt"), widen == "mnar_tilt")
    eps = _chance(r, priors, draws, seed, fix.get("council_spread"), widen == "council_spread")
    q = expit(logit(np.clip(p, 1e-12, 1 - 1e-12)) + delta + eps)
    return (1 - s) * p + s * q


def interval(theta, alpha: float) -> tuple[float, float, float]:
    """(median, alpha / 2 quantile, 1 - alpha / 2 quantile) of draws: the estimate and the interval."""
    med, lo, hi = np.quantile(np.asarray(theta, float), [0.5, alpha / 2, 1 - alpha / 2])
    return float(med), float(lo), float(hi)


def _groups_of(rates) -> dict:
    out: dict = {}
    for r in rates:
        out.setdefault(r.report_id, [])
        if r.group not in out[r.report_id]:
            out[r.report_id].append(r.group)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def run_draws(rates, conclusions, priors: Priors, *, draws=DRAWS, seed=SEED, fix=None, widen=None):
    """(θ draws per rate, a - b draws per conclusion): lists of arrays, in the order given."""
    everything = list(rates) + [c.observed for c in conclusions] + [c.comparator for c in conclusions if c.comparator]
    groups = _groups_of(everything)
    cache: dict = {}

    def theta(r):
        if id(r) not in cache:
            cache[id(r)] = draw_rate(
                r, priors, draws=draws, seed=seed, groups=groups[r.report_id], fix=fix, widen=widen
            )
        return cache[id(r)]

    rate_draws = [theta(r) for r in rates]
    diffs = [
        theta(c.observed)
        - (_between_reports(theta(c.comparator), c, draws, seed) if c.comparator else c.comparator_rate)
        for c in conclusions
    ]
    return rate_draws, diffs


def _between_reports(comparator: np.ndarray, c: Conclusion, draws: int, seed: int) -> np.ndarray:
    """The comparator's draws moved by the variation between two reports, if it is another report's rate.

    Each report's rate varies around the trend with variance tau2 on the logit scale, so the two differ by
    sqrt(2 tau2) times a t variate on the trend's df: the construction of the collection's between-report
    interval (:func:`helpers.stats.random_effects.risk_difference_between_reports`), here as a prior.
    """
    if c.between_reports is None:
        return comparator
    tau2, df = c.between_reports
    shift = np.sqrt(2 * tau2) * _rng(seed, f"between:{c.conclusion}").standard_t(df, draws)
    return expit(logit(comparator) + shift)


def summarise(rates, conclusions, rate_draws, diffs, alpha: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The headline and conclusion tables of :class:`BiasAnalysis` from the draws."""
    head = []
    for r, t in zip(rates, rate_draws):
        est, lo, hi = interval(t, alpha)
        head.append(
            {
                "report_id": r.report_id,
                "version": r.version,
                "group": r.group,
                "rate": r.rate,
                "estimate": est,
                "low": lo,
                "high": hi,
                "share_p50": float(np.median(r.share_draws)),
                "deff_low": r.deff_low,
                "deff_high": r.deff_high,
            }
        )
    conc = []
    for c, diff in zip(conclusions, diffs):
        est, lo, hi = interval(diff, alpha)
        conc.append(
            {
                "conclusion": c.conclusion,
                "observed": c.observed.rate,
                "comparator": c.comparator.rate if c.comparator is not None else c.comparator_rate,
                "comparator_label": c.comparator_label,
                "difference": est,
                "low": lo,
                "high": hi,
                "p_holds": float(np.mean(diff > 0)),
            }
        )
    return pd.DataFrame(head, columns=HEADLINE_COLUMNS), pd.DataFrame(conc, columns=CONCLUSION_COLUMNS)


def analyse(
    rates, conclusions, priors: Priors, *, report_id: str = "", alpha: float = 0.05, draws=DRAWS, seed=SEED
) -> BiasAnalysis:
    """The bias analysis of given rates and conclusions (no ledger needed: the tests' way in)."""
    from helpers.stats.rates import check_alpha

    alpha, draws = check_alpha(alpha), check_draws(draws)
    rate_draws, diffs = run_draws(rates, conclusions, priors, draws=draws, seed=seed)
    headlines, table = summarise(rates, conclusions, rate_draws, diffs, alpha)
    return BiasAnalysis(report_id, alpha, draws, seed, priors, tuple(rates), tuple(conclusions), headlines, table)


# --- sensitivity: the tornado and widened priors ----------------------------------------------------------


def _quantity_rows(analysis: BiasAnalysis, rate_draws, diffs) -> list[dict]:
    rows = []
    for r, t in zip(analysis.rates, rate_draws):
        est, lo, hi = interval(t, analysis.alpha)
        rows.append(
            {"quantity": f"{r.group} ({r.version})", "kind": "rate", "group": r.group, "version": r.version}
            | {"estimate": est, "low": lo, "high": hi, "p_holds": np.nan}
        )
    for c, d in zip(analysis.conclusion_specs, diffs):
        est, lo, hi = interval(d, analysis.alpha)
        rows.append(
            {"quantity": c.conclusion, "kind": "difference", "group": c.conclusion, "version": ""}
            | {"estimate": est, "low": lo, "high": hi, "p_holds": float(np.mean(d > 0))}
        )
    return rows


def _rerun(analysis: BiasAnalysis, **how):
    return run_draws(
        analysis.rates, analysis.conclusion_specs, analysis.priors, draws=analysis.draws, seed=analysis.seed, **how
    )


def tornado(analysis: BiasAnalysis) -> pd.DataFrame:
    """How much each prior moves each result: that prior fixed at its 5th and at its 95th percentile.

    Long form: quantity (a key: "group (version)" or the conclusion), kind ("rate" or "difference"), group
    and version (a conclusion's group is its words, its version empty), prior, base (the estimate with every prior drawn),
    at_low, at_high (the estimate with the prior fixed), p_low, p_high (the probability the conclusion
    holds, for differences), swing (|at_high - at_low|). Sorted by quantity, then swing, largest first.
    """
    base = _quantity_rows(analysis, *_rerun(analysis))
    rows = []
    for prior in PRIORS:
        lows = _quantity_rows(analysis, *_rerun(analysis, fix={prior: "low"}))
        highs = _quantity_rows(analysis, *_rerun(analysis, fix={prior: "high"}))
        for b, lo, hi in zip(base, lows, highs):
            rows.append(
                {
                    "quantity": b["quantity"],
                    "kind": b["kind"],
                    "group": b["group"],
                    "version": b["version"],
                    "prior": prior,
                    "base": b["estimate"],
                    "at_low": lo["estimate"],
                    "at_high": hi["estimate"],
                    "p_low": lo["p_holds"],
                    "p_high": hi["p_holds"],
                    "swing": abs(hi["estimate"] - lo["estimate"]),
                }
            )
    out = pd.DataFrame(rows, columns=TORNADO_COLUMNS)
    order = {q: i for i, q in enumerate(dict.fromkeys(out["quantity"]))}
    return (
        out.assign(_q=out["quantity"].map(order))
        .sort_values(["_q", "swing"], ascending=[True, False], kind="stable")
        .drop(columns="_q")
        .reset_index(drop=True)
    )


def widened(analysis: BiasAnalysis) -> pd.DataFrame:
    """What changes if one prior is widened (see the module docstring), one at a time.

    Long form: quantity, kind, group, version (as in :func:`tornado`), prior ("none" for the analysis as it stands), estimate, low, high, width,
    p_holds.
    """
    rows = []
    for prior in ("none", *[p for p in PRIORS if p != "sampling"]):
        draws = _rerun(analysis) if prior == "none" else _rerun(analysis, widen=prior)
        for q in _quantity_rows(analysis, *draws):
            rows.append({**q, "prior": prior, "width": q["high"] - q["low"]})
    cols = ["quantity", "kind", "group", "version", "prior", "estimate", "low", "high", "width", "p_holds"]
    return pd.DataFrame(rows, columns=cols)


def prior_table(analysis: BiasAnalysis) -> pd.DataFrame:
    """The priors as a table: one row per prior and rate (one row for a prior every rate shares).

    Columns: prior, group, version (empty for a shared prior), distribution, centre, low, high (its 5th and
    95th percentile, or its range), source. Numbers are on the scale the distribution names: shares of
    children as fractions, design effects as factors, tilts and chance on the logit scale.
    """
    p, src = analysis.priors, analysis.priors.sources
    rows = []
    for r in analysis.rates:
        s = np.asarray(r.share_draws, float)
        sd = p.council_spread / np.sqrt(max(r.effective_councils, 1.0))
        lo_s, hi_s = (float(v) for v in np.quantile(s, [LOW_Q, HIGH_Q]))
        rows += [
            ("silent_share", r.group, r.version, "random silence", float(np.median(s)), lo_s, hi_s, r.share_source),
            ("design_effect", r.group, r.version, "uniform", (r.deff_low + r.deff_high) / 2, r.deff_low)
            + (r.deff_high, r.deff_source),
            ("council_spread", r.group, r.version, "normal, logit scale", 0.0, -_Z95 * sd, _Z95 * sd)
            + (src.get("council_spread", ""),),
        ]
    tilt = (p.tilt_centre, p.tilt_centre - _Z95 * p.tilt_sd, p.tilt_centre + _Z95 * p.tilt_sd)
    rows.append(("mnar_tilt", "", "", "normal, logit scale", *tilt, src.get("mnar_tilt", "")))
    rho = p.tilt_correlation
    rows.append(("tilt_correlation", "", "", "fixed", rho, rho, rho, src.get("tilt_correlation", "")))
    for c in analysis.conclusion_specs:
        if c.between_reports is not None:
            tau2, df = c.between_reports
            half = float(np.sqrt(2 * tau2) * student_t.ppf(HIGH_Q, df))
            source = f"tau2 = {tau2:.3f} of the group's random-effects trend, t on {df} df (as in notebook 10)"
            rows.append(
                ("between_reports", c.comparator.group, "", f"t on {df} df, logit scale", 0.0, -half, half, source)
            )
    cols = ["prior", "group", "version", "distribution", "centre", "low", "high", "source"]
    return pd.DataFrame(rows, columns=cols)


# --- from the ledger ---------------------------------------------------------------------------------------


def dfe_priors(council_years: pd.DataFrame, year: int | None = None, *, tilt_correlation: float = 0.0) -> Priors:
    """The shared priors from DfE's council-level missing rates of ``year`` (default: the latest).

    sigma = sqrt(rho / (p (1 - p))) from the beta-binomial ICC rho and mean p of
    :func:`helpers.stats.clustering.council_icc`; the tilt's standard deviation |beta| sigma^2 with
    beta = :data:`REFERENCE_MNAR_SLOPE`.
    """
    from helpers.stats.clustering import council_icc

    if not 0 <= tilt_correlation <= 1:
        raise ParameterError(f"tilt_correlation={tilt_correlation!r} must lie from 0 to 1")
    fit = council_icc(council_years, year)
    sigma = float(np.sqrt(fit["icc"] / (fit["mean"] * (1 - fit["mean"]))))
    tilt_sd = REFERENCE_MNAR_SLOPE * sigma**2
    return Priors(
        council_spread=sigma,
        tilt_sd=tilt_sd,
        tilt_correlation=float(tilt_correlation),
        sources={
            "council_spread": (
                f"DfE council missing rates {fit['year']}: ICC {fit['icc']:.4f} at a mean rate of {fit['mean']:.1%} "
                f"gives a logit SD of {sigma:.2f} between councils; divided by the square root of the effective "
                "number of silent councils"
            ),
            "mnar_tilt": (
                f"centred on no tilt; SD {tilt_sd:.3f} = {REFERENCE_MNAR_SLOPE:g} x {sigma:.2f}^2, the tilt implied "
                f"by notebook 40's MNAR scenario (slope -{REFERENCE_MNAR_SLOPE:g}) on DfE's spread, either way"
            ),
            "tilt_correlation": "assumed: nothing is known, and 0 is cautious for a difference of two groups",
        },
    )


def icc_range(council_years: pd.DataFrame) -> tuple[float, float, str]:
    """(smallest, largest, words) of DfE's yearly ICCs of council missing rates, every year held."""
    from helpers.stats.clustering import council_icc

    years = sorted(int(y) for y in council_years.loc[council_years["measure"] == "children_missing", "year"].unique())
    fits = {y: council_icc(council_years, y)["icc"] for y in years}
    lo_y, hi_y = min(fits, key=fits.get), max(fits, key=fits.get)
    return fits[lo_y], fits[hi_y], f"DfE ICC {fits[lo_y]:.4f} ({lo_y}) to {fits[hi_y]:.4f} ({hi_y})"


def given_deff_range(deff_range, report_id: str, group: str) -> tuple[float, float] | None:
    """The design-effect range given for one report's group, or None where none is given.

    ``deff_range`` is None, one (low, high) for every rate, or a mapping from (report_id, group) or from
    group to (low, high) (per-report ranges, e.g. from a per-year ICC transferred to each group's
    prevalence). A range must have 1 <= low <= high.
    """
    if deff_range is None:
        return None
    if isinstance(deff_range, dict):
        deff_range = deff_range.get((report_id, group), deff_range.get(group))
        if deff_range is None:
            return None
    try:
        lo, hi = (float(v) for v in deff_range)
    except (TypeError, ValueError):
        raise ParameterError(f"deff_range={deff_range!r} must be (low, high) design effects") from None
    if not 1 <= lo <= hi:
        raise ParameterError(f"deff_range={deff_range!r} must be (low, high) with 1 <= low <= high")
    return lo, hi


def deff_ranges(ledger, pairs: pd.DataFrame, iccs: tuple | None = None, deff_range=None) -> list[tuple]:
    """(low, high, source) of the design effect of each row of ``pairs``.

    Where :func:`given_deff_range` finds a range in ``deff_range``, that range. Otherwise the row's
    ``deff_low`` to ``deff_high`` from :func:`helpers.stats.clustering.implied_design_effects` (the range
    every table of the collection shows). For a version without its own council count, Kish's d of
    :func:`helpers.stats.clustering.design_effect` at the smallest and largest DfE ICC of the years held
    (``iccs``, from :func:`icc_range` when not given), with the mean council size and cv^2 that
    :func:`helpers.stats.clustering.implied_design_effects` uses; a version without its own council count
    takes its group's count from another version; :data:`FALLBACK_DEFF` without any.
    """
    from helpers.stats.clustering import councils_behind, design_effect, implied_design_effects

    given = [given_deff_range(deff_range, row.report_id, row.group) for row in pairs.itertuples()]
    if all(g is not None for g in given):
        return [(lo, hi, "given") for lo, hi in given]
    lo_icc, hi_icc, words = iccs if iccs is not None else icc_range(ledger.council_years)
    implied = implied_design_effects(pairs, ledger.figures, ledger.council_years)
    out = []
    for row, imp, own in zip(pairs.itertuples(), implied.itertuples(), given):
        if own is not None:
            out.append((*own, "given"))
            continue
        if np.isfinite(imp.deff_low) and np.isfinite(imp.deff_high):
            # The per-row range of helpers.stats.clustering (DfE's logit spread in the years the round
            # overlaps, moved to the row's own rate), so the notebook's tables and these draws agree.
            out.append((float(imp.deff_low), float(imp.deff_high), f"implied by DfE's council spread, {imp.dfe_years}"))
            continue
        councils = imp.councils
        if not np.isfinite(councils):
            versions = pairs.loc[pairs["group"] == row.group, "version"]
            found = [councils_behind(ledger.figures, row.report_id, v, row.group)[0] for v in versions]
            councils = next((c for c in found if np.isfinite(c)), np.nan)
        if not np.isfinite(councils):
            out.append((*FALLBACK_DEFF, "no council count published: 1 to 1.5, the first step of the grid"))
            continue
        m = row.denominator / councils
        lo, hi = (float(design_effect(i, m, imp.size_cv2)) for i in (lo_icc, hi_icc))
        out.append((lo, hi, f"Kish's d at {m:.0f} children per council, {words}"))
    return out


def _child_shares(ledger, view: ReportView) -> tuple[dict, dict]:
    from helpers.nonresponse.two_sided import report_child_shares, silent_shares

    return silent_shares(ledger, view), report_child_shares(ledger, view)


def report_rates(ledger, view: ReportView, *, iccs=None, deff_range=None, draws: int = DRAWS) -> list[RateInputs]:
    """The :class:`RateInputs` of every headline rate of a report (its latest year's went-missing rates)
    whose report published a count of silent councils; [] otherwise."""
    from helpers.nonresponse.two_sided import child_share_label
    from helpers.nonresponse.where_children_are import silent_child_share

    pairs = view.pairs
    if pairs.empty:
        return []
    shares, children = _child_shares(ledger, view)
    pairs = pairs[pairs["group"].isin(list(shares))]
    if pairs.empty:
        return []
    deffs = deff_ranges(ledger, pairs, iccs, deff_range)
    out = []
    for row, (d_lo, d_hi, d_src) in zip(pairs.itertuples(index=False), deffs):
        council_share, basis = shares[row.group]
        child = children.get(row.group)
        if child is not None and len(child.draws) < draws:
            child = silent_child_share(child.distribution, council_share, draws=draws, key=view.report_id)
        if child is not None:
            c = child.distribution.counts
            cv2 = float(c.var() / c.mean() ** 2)
            draws_s, low, high = child.draws, child.low, child.high
            k_eff = child.silent_councils / (1 + cv2)
            source = f"random silence of {child.silent_councils} councils; council counts: {child_share_label(child)}"
        else:
            draws_s, low, high = np.array([council_share]), council_share, council_share
            k_eff = 1.0
            source = f"the share of councils silent ({basis}); no council counts"
        out.append(
            RateInputs(
                report_id=view.report_id,
                version=row.version,
                group=row.group,
                numerator=float(row.numerator),
                denominator=float(row.denominator),
                share_draws=np.asarray(draws_s, float),
                share_low=float(low),
                share_high=float(high),
                effective_councils=float(k_eff),
                deff_low=d_lo,
                deff_high=d_hi,
                share_source=source,
                deff_source=d_src,
            )
        )
    return out


def _find(rates, group: str, rate: float):
    return next((r for r in rates if r.group == group and np.isclose(r.rate, rate)), None)


def report_conclusion_specs(ledger, view: ReportView, rates, *, iccs=None, deff_range=None, draws=DRAWS) -> list:
    """The :class:`Conclusion` of every conclusion of :func:`helpers.nonresponse.tipping.report_conclusions`
    whose observed rate is among ``rates``. A comparator rate of another report is built from that
    report's view; if that report published no count of silent councils, its silent share is taken to be
    like the observed side's (drawn independently)."""
    from helpers.nonresponse.tipping import report_conclusions
    from helpers.stats.random_effects import between_report_variance
    from helpers.stats.report_view import report_view

    table = report_conclusions(ledger.figures, ledger.reports, ledger.england_national, view)
    others: dict = {}
    variance: dict = {}
    out = []
    for c in table.itertuples(index=False):
        observed = _find(rates, c.observed_group, c.observed)
        if observed is None:
            continue
        comparator, between = None, None
        if isinstance(c.comparator_report, str):
            if c.comparator_report == view.report_id:
                comparator = _find(rates, c.comparator_group, c.comparator)
            else:
                if c.comparator_report not in others:
                    other = report_view(ledger.figures, c.comparator_report, view.alpha)
                    others[c.comparator_report] = (
                        other,
                        report_rates(ledger, other, iccs=iccs, deff_range=deff_range, draws=draws),
                    )
                other, other_rates = others[c.comparator_report]
                comparator = _find(other_rates, c.comparator_group, c.comparator)
                if comparator is None:
                    comparator = _borrowed_side(ledger, other, observed, c, iccs, deff_range)
                if c.comparator_group not in variance:
                    variance.update(between_report_variance(ledger.figures, ledger.reports, [c.comparator_group]))
                between = variance.get(c.comparator_group)
            if comparator is None:
                continue
        out.append(Conclusion(c.conclusion, observed, comparator, float(c.comparator), c.comparator_label, between))
    return out


def _borrowed_side(ledger, other: ReportView, observed: RateInputs, c, iccs, deff_range):
    """The comparator of another report with no count of silent councils: its own counts and design effect,
    the observed side's silent share (drawn independently: another report, another silent set)."""
    pairs = other.pairs
    row = pairs[(pairs["group"] == c.comparator_group) & np.isclose(pairs["rate"], c.comparator)]
    if row.empty:
        return None
    (d_lo, d_hi, d_src), row = deff_ranges(ledger, row, iccs, deff_range)[0], row.iloc[0]
    return replace(
        observed,
        report_id=other.report_id,
        version=row["version"],
        group=row["group"],
        numerator=float(row["numerator"]),
        denominator=float(row["denominator"]),
        deff_low=d_lo,
        deff_high=d_hi,
        deff_source=d_src,
        share_source=f"not published for {other.report_id}: taken to be like {observed.report_id}'s",
    )


def bias_analysis(
    ledger,
    view: ReportView,
    *,
    draws: int = DRAWS,
    seed: int = SEED,
    deff_range=None,
    priors: Priors | None = None,
) -> BiasAnalysis:
    """The probabilistic bias analysis of one report: every headline rate with a count of silent councils,
    and every conclusion on one of them (see the module docstring).

    ``view`` is the report's :class:`helpers.stats.report_view.ReportView` (its alpha sets the interval);
    ``deff_range`` replaces the design-effect ranges from DfE's yearly ICCs: one (low, high) for every
    rate, or a mapping from (report_id, group) or group to (low, high) (see :func:`given_deff_range`);
    ``priors`` the shared priors of :func:`dfe_priors`.
    """
    draws = check_draws(draws)
    priors = priors if priors is not None else dfe_priors(ledger.council_years)
    # DfE's yearly ICCs (about a second of fitting) once, unless one range is given for every rate.
    one_range = deff_range is not None and not isinstance(deff_range, dict)
    iccs = None if one_range else icc_range(ledger.council_years)
    rates = report_rates(ledger, view, iccs=iccs, deff_range=deff_range, draws=draws)
    specs = report_conclusion_specs(ledger, view, rates, iccs=iccs, deff_range=deff_range, draws=draws)
    return analyse(rates, specs, priors, report_id=view.report_id, alpha=view.alpha, draws=draws, seed=seed)
