"""A simulation study on SYNTHETIC councils: how each estimator fares under each response mechanism.

The synthetic councils take their sizes (UASC looked after at 31 March) and their DfE missing rates from
the real English frame of one year; each replicate gives them new children in care (Poisson around a
size-proportional mean, with log-normal spread), a council rate on the logit scale that follows DfE's
rate plus fresh noise, scaled so the rates spread as much as DfE's councils do (DfE's measured spread,
``logit_sd``), and binomial counts of children who went missing, calibrated so the expected overall rate matches a published rate. An answering set of exactly
round(response_rate x councils) is then drawn under each mechanism. Every replicate is drawn at once as a
row of a NumPy array, MICE included (its imputation loop runs over every replicate at once).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit, logit

from helpers.ledger.errors import ParameterError
from helpers.nonresponse import estimators as est
from helpers.nonresponse.scenarios import (
    check_mechanisms,
    check_response_rate,
    check_strengths,
    council_logit_noise,
    dfe_logit_sd,
    response_log_weights,
    scenario_name,
    top_k,
)
from helpers.stats.rates import check_alpha

SIM_COLUMNS = [
    "mechanism",
    "strength",
    "scenario",
    "estimator",
    "replicates",
    "bias",
    "bias_mcse",
    "rmse",
    "rmse_mcse",
    "coverage",
    "coverage_mcse",
    "mean_width",
    "data",
]


def check_n_sims(n_sims) -> int:
    """n_sims must be a whole number of at least 1."""
    if isinstance(n_sims, bool) or not isinstance(n_sims, (int, np.integer)) or n_sims < 1:
        raise ParameterError(f"n_sims={n_sims!r} is not valid; it must be a whole number of at least 1")
    return int(n_sims)


def synthetic_population(
    inputs: pd.DataFrame,
    n_sims: int,
    rng: np.random.Generator,
    *,
    total: float,
    rate: float,
    logit_sd: float | None = None,
) -> dict:
    """Council counts for every replicate: arrays n, m and centred logit rates (rows = replicates).

    The councils' logit rates spread with SD ``logit_sd`` (default: DfE's measured spread in the frame's
    year, :func:`helpers.nonresponse.scenarios.dfe_logit_sd`; see
    :func:`helpers.nonresponse.scenarios.council_logit_noise`).
    """
    # pragma: no mutate start
    # The draws make the synthetic world; a mutated draw is another world, not a wrong estimate, so
    # mutation testing (tests/mutation/run.py) leaves them alone and mutates the estimators and summaries.
    aux = inputs["aux"].to_numpy(float)
    spread = dfe_logit_sd(inputs) if logit_sd is None else logit_sd
    mean_n = aux / aux.sum() * total
    n = rng.poisson(mean_n * np.exp(rng.normal(-0.045, 0.3, (n_sims, len(aux)))))
    noise = council_logit_noise(inputs["dfe_rate"].to_numpy(float), rng, (n_sims, len(aux)), spread)
    shift = brentq(lambda a: (n * expit(a + noise)).sum() / n.sum() - rate, -30, 30)
    m = rng.binomial(n, expit(shift + noise))
    # pragma: no mutate end
    return {
        "n": n,
        "m": m,
        "noise": noise,
        "aux": aux,
        "dfe_rate": inputs["dfe_rate"].to_numpy(float),
        "size_band": inputs["size_band"].to_numpy(),
    }


def scenario_list(mechanisms, strengths: dict | None = None, mnar_strengths=None) -> list[tuple[str, float]]:
    """(mechanism, strength) pairs: one per mechanism, MNAR once per strength of ``mnar_strengths``."""
    mechanisms = check_mechanisms(list(mechanisms))
    strengths = check_strengths(strengths)
    out = []
    for mech in mechanisms:
        if mech == "mnar" and mnar_strengths is not None:
            grid = list(mnar_strengths)
            if not grid or any(isinstance(g, bool) or not isinstance(g, (int, float)) for g in grid):
                raise ParameterError(f"mnar_strengths={mnar_strengths!r} must be a non-empty list of numbers")
            out.extend(("mnar", float(g)) for g in grid)
        else:
            out.append((mech, float(strengths[mech])))
    return out


def performance(e, lo, hi, truth) -> dict:
    """Bias, RMSE, coverage and width over replicates, each with its Monte Carlo standard error.

    MCSEs follow Morris, White and Crowther (2019, Statistics in Medicine 38:2074-2102, table 6): bias
    sd(e - t)/sqrt(R); RMSE sd((e - t)^2) / (2 RMSE sqrt(R)) (delta method); coverage sqrt(c(1 - c)/R).
    """
    err = np.asarray(e, float) - np.asarray(truth, float)
    reps = len(err)
    rmse = float(np.sqrt(np.mean(err**2)))
    cover = float(np.mean((lo <= truth) & (truth <= hi)))
    sd = (lambda x: float(np.std(x, ddof=1))) if reps > 1 else (lambda x: np.nan)
    return {
        "replicates": reps,
        "bias": float(np.mean(err)),
        "bias_mcse": sd(err) / np.sqrt(reps),
        "rmse": rmse,
        "rmse_mcse": sd(err**2) / (2 * rmse * np.sqrt(reps)) if rmse > 0 else np.nan,
        "coverage": cover,
        "coverage_mcse": float(np.sqrt(cover * (1 - cover) / reps)),
        "mean_width": float(np.mean(np.asarray(hi) - np.asarray(lo))),
    }


def simulate(
    inputs: pd.DataFrame,
    *,
    mechanisms=("mcar", "mar_size", "mar_dfe", "mnar"),
    response_rate: float = 0.64,
    n_sims: int = 1000,
    seed: int = 1,
    total: float = 2638,
    rate: float = 0.37,
    n_mice: int | None = None,
    imputations: int = est.IMPUTATIONS,
    alpha: float = 0.05,
    strengths: dict | None = None,
    mnar_strengths=None,
    estimators=None,
    logit_sd: float | None = None,
) -> pd.DataFrame:
    """Bias, RMSE, coverage and mean width, with MCSEs, of each estimator in each scenario (SYNTHETIC data).

    ``logit_sd`` is the synthetic councils' spread on the logit scale (default: DfE's measured spread,
    :func:`helpers.nonresponse.scenarios.dfe_logit_sd`); ``attrs["logit_sd"]`` records the value used.

    Common random numbers: every scenario uses the same synthetic councils and the same Gumbel keys, so
    differences between scenarios are differences between mechanisms, not between draws. One row per
    scenario and estimator; ``replicates`` says how many replicates each row rests on (MICE uses the first
    ``n_mice``, default all). The same seed gives identical output. ``attrs["correlations"]`` holds the
    mean correlation, across replicates, of each response covariate with the councils' logit rates.
    """
    scenarios = scenario_list(mechanisms, strengths, mnar_strengths)
    response_rate = check_response_rate(response_rate)
    n_sims = check_n_sims(n_sims)
    check_alpha(alpha)
    n_mice = n_sims if n_mice is None else n_mice
    if isinstance(n_mice, bool) or not isinstance(n_mice, (int, np.integer)) or n_mice < 0:
        raise ParameterError(f"n_mice={n_mice!r} must be a whole number of 0 or more")
    estimators = list(estimators or est.ESTIMATORS)
    rng = np.random.default_rng(seed)  # pragma: no mutate (a draw)
    k = min(max(round(response_rate * len(inputs)), 2), len(inputs))
    logit_sd = dfe_logit_sd(inputs) if logit_sd is None else logit_sd
    pop = synthetic_population(inputs, n_sims, rng, total=total, rate=rate, logit_sd=logit_sd)
    n, m = pop["n"], pop["m"]
    keys = rng.gumbel(size=n.shape)  # pragma: no mutate (a draw)
    mice_seed = int(rng.integers(0, 2**31 - 1))  # pragma: no mutate (a draw)
    truth = m.sum(axis=1) / n.sum(axis=1)
    rows = []
    for mech, strength in scenarios:
        weights = response_log_weights(mech, pop["aux"], pop["noise"], strength, pop["dfe_rate"])
        r = top_k(weights + keys, k)
        results = {}
        if "respondents_only" in estimators:
            results["respondents_only"] = est.respondents_only(n, m, r, alpha)
        if "weighting_class" in estimators:
            results["weighting_class"] = est.weighting_class(n, m, r, pop["size_band"], alpha)
        if "ratio" in estimators:
            results["ratio"] = est.ratio(n, m, r, pop["dfe_rate"], pop["aux"], alpha)
        if "ipw" in estimators:
            results["ipw"] = est.ipw(n, m, r, pop["aux"], pop["dfe_rate"], alpha)
        if "mice" in estimators and n_mice:
            reps = min(n_mice, n_sims)
            results["mice"] = est.mice(
                n[:reps],
                m[:reps],
                r[:reps],
                pop["aux"],
                pop["dfe_rate"],
                seed=mice_seed,
                imputations=imputations,
                alpha=alpha,
            )
        for name, (e, lo, hi) in results.items():
            t = truth[: len(e)]
            rows.append(
                {
                    "mechanism": mech,
                    "strength": strength,
                    "scenario": scenario_name(mech, strength),
                    "estimator": name,
                    **performance(e, lo, hi, t),
                    "data": "synthetic",
                }
            )
    out = pd.DataFrame(rows, columns=SIM_COLUMNS)
    out.attrs["correlations"] = covariate_correlations(pop)
    out.attrs["imputations"] = imputations
    out.attrs["logit_sd"] = float(logit_sd)
    return out


def covariate_correlations(pop: dict) -> dict:
    """Mean correlation, across replicates, of log size and of DfE's logit rate with the councils' logit
    rates: a MAR mechanism can only bias the respondents' rate through a covariate correlated with it."""
    noise = pop["noise"]

    def mean_corr(x):
        x = (x - x.mean()) / x.std()
        z = (noise - noise.mean(axis=1, keepdims=True)) / noise.std(axis=1, keepdims=True)
        return float(np.mean(z @ x) / len(x))

    return {"log size": mean_corr(np.log(pop["aux"])), "DfE logit rate": mean_corr(logit(pop["dfe_rate"]))}


def calibration_targets(
    figures: pd.DataFrame,
    report_id: str | None = None,
    group: str = "trafficked",
    reports: pd.DataFrame | None = None,
) -> dict:
    """The published figures the synthetic councils are matched to: the largest total in care of the
    group (all children counted) and the rate of the smallest denominator (the rate the report gave).
    ``report_id`` None means the report with the group's latest went-missing rate.

    ``label`` names them for readers, "Until Harm Ends (2025), trafficked: 864 of 2,335", with the
    report's title and year from ``reports`` (data/reports.csv); without ``reports`` only its id is known.
    """
    from helpers.ledger.vocabulary import GROUP_LABELS
    from helpers.stats.rates import headline_table

    if report_id is None:  # the report with the latest went-missing rate of the group
        rates = headline_table(figures)
        rates = rates[(rates["measure"] == "went_missing") & (rates["group"] == group)]
        report_id = rates.sort_values("year", kind="stable")["report_id"].iloc[-1] if len(rates) else None
    head = headline_table(figures, report_id)
    head = head[(head["measure"] == "went_missing") & (head["group"] == group)]
    if head.empty:
        raise ParameterError(f"no went-missing rate for group={group!r} in report_id={report_id!r}")
    head = head[head["year"] == head["year"].max()].sort_values("denominator")
    name = report_id
    if reports is not None and report_id in set(reports["report_id"]):
        row = reports.set_index("report_id").loc[report_id]
        name = f"{row['title']} ({pd.Timestamp(row['published']).year})"
    numerator, denominator = int(head["numerator"].iloc[0]), int(head["denominator"].iloc[0])
    return {
        "total": int(head["denominator"].max()),
        "rate": float(head["rate"].iloc[0]),
        "label": f"{name}, {GROUP_LABELS.get(group, group)}: {numerator:,} of {denominator:,}",
    }


MIN_REPLICATES = 30  # fewer replicates than this cannot measure bias or coverage


@dataclass(frozen=True)
class ScenarioSummary:
    """How the estimators fared in one scenario of a simulation table (SYNTHETIC councils).

    Only rows resting on at least :data:`MIN_REPLICATES` replicates count; the others are listed in
    ``too_few`` (with the largest number of replicates among them in ``too_few_replicates``). Biases are
    signed differences of two rates; the MCSEs are NaN when the table has none.
    """

    scenario: str
    mechanism: str
    best: str  # the estimator with the smallest absolute bias
    best_bias: float
    best_bias_mcse: float
    worst: str  # the estimator with the largest absolute bias
    worst_bias: float
    worst_bias_mcse: float
    lowest_coverage: str  # the estimator whose interval covered least often
    min_coverage: float
    highest_coverage: str
    max_coverage: float
    max_coverage_mcse: float
    too_few: tuple[str, ...]
    too_few_replicates: int

    @property
    def max_abs_bias(self) -> float:
        return abs(self.worst_bias)

    @property
    def min_abs_bias(self) -> float:
        return abs(self.best_bias)

    def facts(self) -> dict:
        """The numbers a notebook asserts: mechanism, absolute biases, coverage range, best and worst."""
        return {
            "mechanism": self.mechanism,
            "max_abs_bias": self.max_abs_bias,
            "min_abs_bias": self.min_abs_bias,
            "min_coverage": self.min_coverage,
            "max_coverage": self.max_coverage,
            "best": self.best,
            "worst": self.worst,
        }


def simulation_summary(results: pd.DataFrame) -> dict[str, ScenarioSummary]:
    """{scenario: :class:`ScenarioSummary`} of a simulation table, in the table's order of scenarios.

    A scenario none of whose rows reaches :data:`MIN_REPLICATES` replicates is left out. Without a
    ``scenario`` column the mechanism names the scenario.
    """
    if "scenario" not in results:
        results = results.assign(scenario=results["mechanism"])
    out = {}
    for scen, rows in results.groupby("scenario", sort=False):
        many = rows[rows["replicates"] >= MIN_REPLICATES]
        if many.empty:
            continue
        worst = many.loc[many["bias"].abs().idxmax()]
        best = many.loc[many["bias"].abs().idxmin()]
        low_cov = many.loc[many["coverage"].idxmin()]
        high_cov = many.loc[many["coverage"].idxmax()]
        few = rows[rows["replicates"] < MIN_REPLICATES]
        out[scen] = ScenarioSummary(
            scenario=scen,
            mechanism=rows["mechanism"].iloc[0],
            best=best["estimator"],
            best_bias=float(best["bias"]),
            best_bias_mcse=float(best.get("bias_mcse", np.nan)),
            worst=worst["estimator"],
            worst_bias=float(worst["bias"]),
            worst_bias_mcse=float(worst.get("bias_mcse", np.nan)),
            lowest_coverage=low_cov["estimator"],
            min_coverage=float(low_cov["coverage"]),
            highest_coverage=high_cov["estimator"],
            max_coverage=float(high_cov["coverage"]),
            max_coverage_mcse=float(many["coverage_mcse"].max()),
            too_few=tuple(few["estimator"]),
            too_few_replicates=int(few["replicates"].max()) if len(few) else 0,
        )
    return out


@dataclass(frozen=True)
class MnarGap:
    """How far MNAR leaves even the best estimator, against the worst bias under MCAR.

    ``mcar_floor`` is the largest absolute bias of the first MCAR scenario (at least 1e-12, so ratios
    stay finite); ``least_bias`` and ``ratio`` give, per MNAR scenario, the smallest absolute bias and
    that bias divided by the floor.
    """

    mcar_floor: float
    least_bias: dict
    ratio: dict


def mnar_gap(summaries: dict[str, ScenarioSummary]) -> MnarGap | None:
    """The :class:`MnarGap` of a :func:`simulation_summary`, or None without both an MCAR and an MNAR scenario."""
    mcar = [f for f in summaries.values() if f.mechanism == "mcar"]
    mnar = {k: f for k, f in summaries.items() if f.mechanism == "mnar"}
    if not (mnar and mcar):
        return None
    floor = max(mcar[0].max_abs_bias, 1e-12)
    return MnarGap(
        mcar_floor=floor,
        least_bias={k: f.min_abs_bias for k, f in mnar.items()},
        ratio={k: f.min_abs_bias / floor for k, f in mnar.items()},
    )


def mar_repair(results: pd.DataFrame, scenario: str) -> dict:
    """Bias and MCSE of each estimator in one scenario, as {estimator: (bias, mcse)}: whether weighting on a
    covariate repairs what answering by that covariate does to the respondents' rate."""
    rows = results[results["scenario"] == scenario]
    return {r.estimator: (float(r.bias), float(r.bias_mcse)) for r in rows.itertuples(index=False)}
