"""The simulation study's results in sentences (SYNTHETIC councils): biases in points, estimators by name.

The numbers come from :func:`helpers.nonresponse.simulation.simulation_summary` and
:func:`helpers.nonresponse.simulation.mnar_gap`; this module only writes them out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.nonresponse.estimators import ESTIMATOR_LABELS
from helpers.nonresponse.simulation import ScenarioSummary, mnar_gap, simulation_summary


def points(share: float, mcse: float | None = None) -> str:
    """A difference of two rates in percentage points, signed, with its MCSE ('+1.36 points (MCSE 0.04)')."""
    text = f"{100 * share:+.2f} points"
    return text if mcse is None or np.isnan(mcse) else f"{text} (MCSE {100 * mcse:.2f})"


def estimator_words(estimator: str) -> str:
    """An estimator's name in words ('inverse-probability weighting'), or its id when it has none."""
    return ESTIMATOR_LABELS.get(estimator, estimator)


def scenario_sentence(s: ScenarioSummary, alpha: float) -> str:
    """One scenario: the range of the biases, with MCSEs, and the range of coverage, in one sentence."""
    text = (
        f"**{s.scenario}** (synthetic councils): the bias ranges from {points(s.best_bias, s.best_bias_mcse)} "
        f"({estimator_words(s.best)}) to {points(s.worst_bias, s.worst_bias_mcse)} "
        f"({estimator_words(s.worst)}); coverage of a nominal {1 - alpha:.0%} interval runs from "
        f"{s.min_coverage:.1%} ({estimator_words(s.lowest_coverage)}) to {s.max_coverage:.1%} "
        f"({estimator_words(s.highest_coverage)}), each with an MCSE of at most "
        f"{100 * s.max_coverage_mcse:.1f} points."
    )
    if s.too_few:
        text += (
            f" {', '.join(estimator_words(e) for e in s.too_few)} ran on only {s.too_few_replicates} "
            "replicates, too few to judge."
        )
    return text


def simulation_findings(results: pd.DataFrame, alpha: float = 0.05) -> tuple[list[str], dict]:
    """Sentences summarising a simulation table (SYNTHETIC data), and the facts they rest on.

    Per scenario: the range of the estimators' biases, in points with MCSEs, and the full range of
    coverage. Rows resting on fewer than 30 replicates are named but not used, since a handful of
    replicates cannot measure bias or coverage. Facts are keyed by scenario name, plus ``mnar_vs_mcar``
    (each MNAR scenario's least bias over the largest MCAR bias) when both mechanisms ran.
    """
    summaries = simulation_summary(results)
    sentences = [scenario_sentence(s, alpha) for s in summaries.values()]
    facts = {k: s.facts() for k, s in summaries.items()}
    gap = mnar_gap(summaries)
    if gap is not None:
        facts["mnar_vs_mcar"] = gap.ratio
        parts = [f"{100 * bias:.2f} points ({k})" for k, bias in gap.least_bias.items()]
        sentences.append(
            "Under MNAR even the least biased estimator is off by "
            + ", ".join(parts)
            + "; "
            + mcar_floor_clause(next(f for f in summaries.values() if f.mechanism == "mcar"))
            + " "
            + dfe_recovery_sentence(results)
        )
    return sentences, facts


def sentence_case(text: str) -> str:
    """The text with its first letter in capitals, to open a sentence."""
    return text[:1].upper() + text[1:]


def within_two_mcse(bias: float, mcse: float) -> bool:
    """Whether a simulated bias is indistinguishable from 0: within two Monte Carlo standard errors."""
    return bool(abs(bias) <= 2 * mcse)


def mcar_floor_clause(mcar: ScenarioSummary) -> str:
    """The largest bias under MCAR, named, with its MCSE and whether it is distinguishable from 0."""
    verdict = (
        "within two MCSEs of 0, so no estimator is detectably biased when response is random"
        if within_two_mcse(mcar.worst_bias, mcar.worst_bias_mcse)
        else "more than two MCSEs from 0"
    )
    return (
        f"under MCAR no estimator is off by more than {100 * mcar.max_abs_bias:.2f} points "
        f"({estimator_words(mcar.worst)}, {points(mcar.worst_bias, mcar.worst_bias_mcse)}: {verdict})."
    )


DFE_ESTIMATORS = ("ratio", "ipw", "mice")  # the estimators that use DfE's missing rate


def dfe_recovery_sentence(results: pd.DataFrame) -> str:
    """Whether, under every MNAR scenario, the estimators that use DfE's missing rate are less biased than
    the respondents' rate: they can be only because part of a synthetic council's rate follows its DfE rate."""
    mnar = results[(results["mechanism"] == "mnar") & (results["replicates"] >= 30)]
    less = []
    for name in DFE_ESTIMATORS:
        rows = mnar[mnar["estimator"].isin([name, "respondents_only"])].pivot(
            index="scenario", columns="estimator", values="bias"
        )
        if name in rows and "respondents_only" in rows and len(rows):
            if (rows[name].abs() < rows["respondents_only"].abs()).all():
                less.append(estimator_words(name))
    if not less:
        return "No estimator that uses DfE's missing rate is less biased than the respondents' rate under MNAR."
    return (
        f"Under every MNAR scenario, {', '.join(less)} (which use{'s' if len(less) == 1 else ''} DfE's missing "
        f"rate) {'is' if len(less) == 1 else 'are'} less biased than the respondents' rate, only because, in these "
        "synthetic councils, part of each council's unknown rate follows its DfE rate."
    )


def repair_verdict(bias: float, mcse: float, reference: float) -> tuple[str, str]:
    """(kind, words) for how an estimator's bias compares with the respondents' rate's bias ``reference``.

    kinds: ``removes`` (within two MCSEs of 0), ``reduces`` (same sign, smaller; the words give the share
    removed), ``overshoots`` (the other sign) or ``no_better`` (same sign, at least as large).
    """
    if within_two_mcse(bias, mcse):
        return "removes", f"removes it ({points(bias, mcse)}, within two MCSEs of 0)"
    if np.sign(bias) != np.sign(reference):
        return "overshoots", (
            f"overshoots, to {points(bias, mcse)}, {abs(bias) / abs(reference):.0%} of the bias the other way"
        )
    if abs(bias) < abs(reference):
        return "reduces", f"removes {1 - abs(bias) / abs(reference):.0%} of it, leaving {points(bias, mcse)}"
    return "no_better", f"does not reduce it ({points(bias, mcse)})"


def mar_repair_words(repair: dict, scenario: str) -> tuple[str, dict]:
    """A sentence on what each estimator does to the respondents' bias under one MAR scenario, and the kind
    of each verdict ({estimator: kind} of :func:`repair_verdict`).

    ``repair`` is :func:`helpers.nonresponse.simulation.mar_repair`'s {estimator: (bias, mcse)}.
    """
    ref, ref_mcse = repair["respondents_only"]
    if within_two_mcse(ref, ref_mcse):
        return (
            f"Under {scenario}, the respondents' rate is off by {points(ref, ref_mcse)}, within two MCSEs of 0: "
            "there is nothing for weighting or imputation to repair.",
            {},
        )
    kinds, parts = {}, []
    for name, (bias, mcse) in repair.items():
        if name == "respondents_only":
            continue
        kinds[name], words = repair_verdict(bias, mcse, ref)
        parts.append(f"{sentence_case(estimator_words(name))} {words}")
    text = f"Under {scenario}, the respondents' rate is off by {points(ref, ref_mcse)}. " + ". ".join(parts) + "."
    if kinds.get("ratio") == "overshoots":
        text += (
            " The ratio estimator scales the whole rate by DfE's, and a council's rate follows its DfE rate only in "
            "part, so it overshoots."
        )
    return text, kinds


def coverage_words(results: pd.DataFrame, estimator: str, alpha: float) -> tuple[str, dict]:
    """One estimator's coverage against the nominal level in every scenario, and the counts it rests on.

    A coverage is "within" when it lies within two MCSEs (at the nominal level, sqrt(c (1 - c) / R)) of
    1 - alpha, "above" (intervals too wide for the errors) or "below" otherwise.
    """
    rows = results[(results["estimator"] == estimator) & (results["replicates"] >= 30)]
    nominal = 1 - alpha
    band = 2 * np.sqrt(nominal * alpha / rows["replicates"])
    kinds = np.where(
        rows["coverage"] > nominal + band, "above", np.where(rows["coverage"] < nominal - band, "below", "within")
    )
    counts = {k: int((kinds == k).sum()) for k in ("within", "above", "below")}
    below = rows["scenario"][kinds == "below"].tolist()
    text = (
        f"{sentence_case(estimator_words(estimator))}'s coverage is within two MCSEs of the nominal {nominal:.0%} in "
        f"{counts['within']} of {len(rows)} scenarios, above it in {counts['above']} and below it in "
        f"{counts['below']}" + (f" ({'; '.join(below)})" if below else "") + f"; its mean width runs from "
        f"{100 * rows['mean_width'].min():.1f} to {100 * rows['mean_width'].max():.1f} points, its RMSE from "
        f"{100 * rows['rmse'].min():.1f} to {100 * rows['rmse'].max():.1f} points."
    )
    return text, counts


def mnar_coverage_words(results: pd.DataFrame, alpha: float) -> tuple[str, dict]:
    """Which estimator covers best under each MNAR scenario, and whether it covers the nominal level there.

    Facts: {scenario: (estimator, coverage)}.
    """
    summaries = {k: s for k, s in simulation_summary(results).items() if s.mechanism == "mnar"}
    if not summaries:
        return "", {}
    facts = {k: (s.highest_coverage, s.max_coverage) for k, s in summaries.items()}
    parts = [f"{estimator_words(e)} in {k} ({c:.1%})" for k, (e, c) in facts.items()]
    reached = [k for k, s in summaries.items() if s.max_coverage >= 1 - alpha - 2 * s.max_coverage_mcse]
    return (
        "Under MNAR the highest coverage is that of "
        + "; ".join(parts)
        + ". "
        + (
            f"It reaches the nominal {1 - alpha:.0%} within two MCSEs only in {', '.join(reached)}."
            if reached
            else f"No estimator reaches the nominal {1 - alpha:.0%} under any MNAR slope."
        ),
        facts,
    )


def mechanism_summary_words(results: pd.DataFrame) -> tuple[str, dict]:
    """What the mechanisms did, from the numbers: whether MAR by size moved the respondents' rate, and whether
    under MNAR every estimator stays biased and the least bias grows with the slope."""
    facts, parts = {}, []
    size = results[(results["mechanism"] == "mar_size") & (results["estimator"] == "respondents_only")]
    if len(size):
        row = size.iloc[0]
        facts["size_moves_centre"] = not within_two_mcse(row["bias"], row["bias_mcse"])
        parts.append(
            f"Response tied to size moved the respondents' rate by {points(row['bias'], row['bias_mcse'])}"
            + (
                ", within two MCSEs of 0: in these synthetic councils the rate does not depend on size, so it changes "
                "precision, not the centre."
                if not facts["size_moves_centre"]
                else ", more than two MCSEs from 0, although in these synthetic councils the rate does not depend "
                "on size."
            )
        )
    mnar = results[(results["mechanism"] == "mnar") & (results["replicates"] >= 30)]
    if len(mnar):
        facts["mnar_all_biased"] = bool((mnar["bias"].abs() > 2 * mnar["bias_mcse"]).all())
        least = mnar.groupby("strength")["bias"].apply(lambda b: b.abs().min()).sort_index(ascending=False)
        facts["mnar_grows"] = bool(np.all(np.diff(least.to_numpy()) > 0)) if len(least) > 1 else None
        text = (
            "When response depends on the unknown rate itself (MNAR), "
            + (
                "every estimator that sees only the answering councils and the official auxiliaries stays biased "
                "by more than two MCSEs"
                if facts["mnar_all_biased"]
                else "some estimator comes within two MCSEs of the truth in some scenario"
            )
            + (", and the least bias grows with the slope" if facts["mnar_grows"] else "")
            + "; the tipping points of notebook 40 are the honest answer to that case."
        )
        parts.append(text)
    return " ".join(parts), facts
