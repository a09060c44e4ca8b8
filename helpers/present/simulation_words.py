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
            "Under MNAR even the least biased estimator is off by " + ", ".join(parts) + "; under MCAR no estimator "
            f"is off by more than {100 * gap.mcar_floor:.2f} points. Estimators that use DfE's missing rate recover "
            "part of the gap only because, in these synthetic councils, part of each council's unknown rate "
            "follows its DfE rate."
        )
    return sentences, facts
