"""A simulation study on SYNTHETIC councils: how each estimator fares under each response mechanism.

The synthetic councils take their sizes (UASC looked after at 31 March) and their DfE missing rates from
the real English frame of one year; each replicate gives them new children in care (Poisson around a
size-proportional mean, with log-normal spread), a council rate on the logit scale that follows DfE's
rate plus noise of the observed between-council spread, and binomial counts of children who went
missing, calibrated so the expected overall rate matches a published rate. An answering set of exactly
round(response_rate x councils) is then drawn under each mechanism. Every replicate is drawn at once as a
row of a NumPy array; only MICE runs per replicate, on the first ``n_mice`` replicates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit, logit

from helpers.ledger.errors import ParameterError
from helpers.nonresponse import estimators as est
from helpers.nonresponse.scenarios import (
    DEFAULT_STRENGTH,
    between_council_spread,
    check_mechanisms,
    check_response_rate,
    gumbel_top_k,
    response_log_weights,
)
from helpers.stats.rates import check_alpha

SIM_COLUMNS = ["mechanism", "estimator", "replicates", "bias", "rmse", "coverage", "mean_width", "data"]


def check_n_sims(n_sims) -> int:
    """n_sims must be a whole number of at least 1."""
    if isinstance(n_sims, bool) or not isinstance(n_sims, (int, np.integer)) or n_sims < 1:
        raise ParameterError(f"n_sims={n_sims!r} is not valid; it must be a whole number of at least 1")
    return int(n_sims)


def synthetic_population(
    inputs: pd.DataFrame, n_sims: int, rng: np.random.Generator, *, total: float, rate: float
) -> dict:
    """Council counts for every replicate: arrays n, m and centred logit rates (rows = replicates)."""
    aux = inputs["aux"].to_numpy(float)
    base = logit(inputs["dfe_rate"].to_numpy(float))
    sigma = between_council_spread(inputs["dfe_rate"])
    mean_n = aux / aux.sum() * total
    n = rng.poisson(mean_n * np.exp(rng.normal(-0.045, 0.3, (n_sims, len(aux)))))
    noise = base - base.mean() + rng.normal(0.0, sigma, (n_sims, len(aux)))
    shift = brentq(lambda a: (n * expit(a + noise)).sum() / n.sum() - rate, -30, 30)
    m = rng.binomial(n, expit(shift + noise))
    return {
        "n": n,
        "m": m,
        "noise": noise,
        "aux": aux,
        "dfe_rate": inputs["dfe_rate"].to_numpy(float),
        "size_band": inputs["size_band"].to_numpy(),
    }


def simulate(
    inputs: pd.DataFrame,
    *,
    mechanisms=("mcar", "mar_size", "mnar"),
    response_rate: float = 0.64,
    n_sims: int = 1000,
    seed: int = 1,
    total: float = 2638,
    rate: float = 0.37,
    n_mice: int = 4,
    alpha: float = 0.05,
    strengths: dict | None = None,
    estimators=None,
) -> pd.DataFrame:
    """Bias, RMSE, coverage and mean width of each estimator under each mechanism (SYNTHETIC data).

    One row per mechanism and estimator; ``replicates`` says how many replicates each row rests on (MICE
    uses ``n_mice``). The same seed gives identical output.
    """
    mechanisms = check_mechanisms(list(mechanisms))
    response_rate = check_response_rate(response_rate)
    n_sims = check_n_sims(n_sims)
    check_alpha(alpha)
    if isinstance(n_mice, bool) or not isinstance(n_mice, int) or n_mice < 0:
        raise ParameterError(f"n_mice={n_mice!r} must be a whole number of 0 or more")
    estimators = list(estimators or est.ESTIMATORS)
    strengths = {**DEFAULT_STRENGTH, **(strengths or {})}
    rng = np.random.default_rng(seed)
    k = min(max(round(response_rate * len(inputs)), 2), len(inputs))
    rows = []
    for mech in mechanisms:
        pop = synthetic_population(inputs, n_sims, rng, total=total, rate=rate)
        n, m = pop["n"], pop["m"]
        r = gumbel_top_k(response_log_weights(mech, pop["aux"], pop["noise"], strengths[mech]), k, rng)
        truth = m.sum(axis=1) / n.sum(axis=1)
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
            mice_seeds = rng.integers(0, 2**31 - 1, reps)
            out = np.array(
                [
                    est.mice(n[i], m[i], r[i], pop["aux"], pop["dfe_rate"], seed=int(mice_seeds[i]), alpha=alpha)
                    for i in range(reps)
                ]
            )
            results["mice"] = (out[:, 0], out[:, 1], out[:, 2])
        for name, (e, lo, hi) in results.items():
            t = truth[: len(e)]
            rows.append(
                {
                    "mechanism": mech,
                    "estimator": name,
                    "replicates": len(e),
                    "bias": float(np.mean(e - t)),
                    "rmse": float(np.sqrt(np.mean((e - t) ** 2))),
                    "coverage": float(np.mean((lo <= t) & (t <= hi))),
                    "mean_width": float(np.mean(hi - lo)),
                    "data": "synthetic",
                }
            )
    return pd.DataFrame(rows, columns=SIM_COLUMNS)


def calibration_targets(figures: pd.DataFrame, report_id: str = "until-harm-ends", group: str = "trafficked") -> dict:
    """The published figures the synthetic councils are matched to: the largest total in care of the
    group (all children counted) and the rate of the smallest denominator (the rate the report gave)."""
    from helpers.stats.rates import headline_table

    head = headline_table(figures, report_id)
    head = head[(head["measure"] == "went_missing") & (head["group"] == group)]
    if head.empty:
        raise ParameterError(f"no went-missing rate for group={group!r} in report_id={report_id!r}")
    head = head[head["year"] == head["year"].max()].sort_values("denominator")
    return {
        "total": int(head["denominator"].max()),
        "rate": float(head["rate"].iloc[0]),
        "label": f"{report_id}, {group}: {int(head['numerator'].iloc[0])} of {int(head['denominator'].iloc[0])}",
    }


def _points(share: float) -> str:
    """A difference of two rates in percentage points, signed (0.0136 -> '+1.36 points')."""
    return f"{100 * share:+.2f} points"


def _label(estimator: str) -> str:
    return est.ESTIMATOR_LABELS.get(estimator, estimator)


def simulation_findings(results: pd.DataFrame, alpha: float = 0.05) -> tuple[list[str], dict]:
    """Sentences summarising a simulation table (SYNTHETIC data), and the facts they rest on.

    Rows resting on fewer than 30 replicates (MICE by default) are named but not used for the summary of
    bias and coverage, since a handful of replicates cannot measure either.
    """
    sentences, facts = [], {}
    for mech, rows in results.groupby("mechanism", sort=False):
        many = rows[rows["replicates"] >= 30]
        if many.empty:
            continue
        worst = many.loc[many["bias"].abs().idxmax()]
        best = many.loc[many["bias"].abs().idxmin()]
        low_cov = many.loc[many["coverage"].idxmin()]
        facts[mech] = {
            "max_abs_bias": abs(float(worst["bias"])),
            "min_abs_bias": abs(float(best["bias"])),
            "min_coverage": float(low_cov["coverage"]),
            "best": best["estimator"],
            "worst": worst["estimator"],
        }
        few = rows[rows["replicates"] < 30]
        sentences.append(
            f"**{mech}** (synthetic councils): the bias ranges from {_points(best['bias'])} ({_label(best['estimator'])}) "
            f"to {_points(worst['bias'])} ({_label(worst['estimator'])}); the lowest coverage of a nominal "
            f"{1 - alpha:.0%} interval is {low_cov['coverage']:.0%} ({_label(low_cov['estimator'])})."
            + (
                f" {', '.join(_label(e) for e in few['estimator'])} ran on only {int(few['replicates'].max())} replicates, too few to judge."
                if len(few)
                else ""
            )
        )
    if "mnar" in facts and "mcar" in facts:
        ratio = facts["mnar"]["min_abs_bias"] / max(facts["mcar"]["max_abs_bias"], 1e-12)
        facts["mnar_vs_mcar"] = ratio
        sentences.append(
            f"Under MNAR even the least biased estimator ({_label(facts['mnar']['best'])}) is off by "
            f"{100 * facts['mnar']['min_abs_bias']:.2f} percentage points, {ratio:.0f} times the largest bias under MCAR. Estimators that use "
            "DfE's missing rate recover part of the gap only because, in these synthetic councils, part of each "
            "council's unknown rate follows its DfE rate."
        )
    return sentences, facts
