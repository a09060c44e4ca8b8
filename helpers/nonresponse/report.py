"""One table per report: bounds, the respondents-only rates, and every estimator under every scenario.

Columns: report_id, version, group, method, scenario, estimate, low, high, interval. ``interval`` says
what low and high are: ``bounds`` (no assumption at all) or ``95% CI`` (for alpha = 0.05). Rates are
fractions. Scenario rows rest on SYNTHETIC council-level counts (see :mod:`helpers.nonresponse.scenarios`)
and their scenario names end in "(synthetic councils)".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.nonresponse import estimators as est
from helpers.nonresponse.bounds import item_bounds, unit_bounds
from helpers.nonresponse.frame import answering_councils, council_frame, dfe_year
from helpers.nonresponse.scenarios import DEFAULT_STRENGTH, check_mechanisms, model_inputs, scenario_councils
from helpers.stats.rates import check_alpha, headline_table

TABLE_COLUMNS = ["report_id", "version", "group", "method", "scenario", "estimate", "low", "high", "interval"]
SYNTHETIC = " (synthetic councils)"


def ci_label(alpha: float) -> str:
    """'95% CI' for alpha 0.05."""
    return f"{100 * (1 - alpha):g}% CI"


def scenario_label(mechanism: str, strength: float) -> str:
    """A scenario's name as it appears in every row: mechanism, its strength, and the synthetic label."""
    return (mechanism if mechanism == "mcar" else f"{mechanism} {strength:+g}") + SYNTHETIC


def modelled_answering(k: int, asked: float, frame_size: int, england_size: int) -> int:
    """The published number answering, scaled from the councils asked (or the UK frame) to England's frame."""
    base = asked if asked and not np.isnan(asked) else frame_size
    return int(min(max(round(k * england_size / base), 2), england_size - 1))


def report_pairs(figures: pd.DataFrame, report_id: str) -> pd.DataFrame:
    """The report's went-missing rate pairs of its headline year, smallest denominator first per group."""
    head = headline_table(figures, report_id)
    head = head[head["measure"] == "went_missing"]
    if head.empty:
        return head
    return head[head["year"] == head["year"].max()].sort_values(["group", "denominator"])


def scenario_estimates(councils: pd.DataFrame, *, seed: int, alpha: float, imputations: int = 3) -> dict:
    """Every estimator on one scenario's council table: {method: (estimate, low, high)}."""
    n, m, r = (councils[c].to_numpy() for c in ("in_care", "went_missing", "responded"))
    size, dfe = councils["aux"].to_numpy(float), councils["dfe_rate"].to_numpy(float)
    one = lambda t: tuple(float(np.asarray(v).ravel()[0]) for v in t)  # noqa: E731
    return {
        "respondents_only": one(est.respondents_only(n, m, r, alpha)),
        "weighting_class": one(est.weighting_class(n, m, r, councils["size_band"].to_numpy(), alpha)),
        "ratio": one(est.ratio(n, m, r, dfe, size, alpha)),
        "ipw": est.ipw_statsmodels(n, m, r, size, dfe, alpha),
        "mice": est.mice(n, m, r, size, dfe, seed=seed, imputations=imputations, alpha=alpha),
    }


def nonresponse_table(
    ledger,
    report_id: str,
    *,
    mechanisms=("mcar", "mar_size", "mnar"),
    strengths=None,
    seed: int = 20251124,
    alpha: float = 0.05,
    imputations: int = 3,
) -> pd.DataFrame:
    """The non-response table of one report (see the module docstring); empty when nothing to work with."""
    check_alpha(alpha)
    mechanisms = check_mechanisms(list(mechanisms))
    strengths = {**DEFAULT_STRENGTH, **(strengths or {})}
    figures = ledger.figures
    pairs = report_pairs(figures, report_id)
    rows = []
    if pairs.empty:
        return pd.DataFrame(columns=TABLE_COLUMNS)
    for b in item_bounds(figures, report_id).itertuples(index=False):
        rows.append(
            (
                report_id,
                f"{b.counted_version}+{b.answered_version}",
                b.group,
                "bounds",
                "item non-response, no assumption",
                b.respondents_only,
                b.low,
                b.high,
                "bounds",
            )
        )
    for p in pairs.itertuples(index=False):
        rows.append(
            (
                report_id,
                p.version,
                p.group,
                "respondents_only",
                "published counts",
                p.rate,
                p.ci_low,
                p.ci_high,
                ci_label(alpha),
            )
        )
    setup = scenario_setup(ledger, report_id)
    for g, p in enumerate(pairs.drop_duplicates("group").itertuples(index=False)):
        k_eng = setup["answering"].get(p.group)
        if k_eng is None:
            continue
        for j, mech in enumerate(mechanisms):
            s = seed + 1000 * g + j
            councils = scenario_councils(
                setup["inputs"], int(p.denominator), int(p.numerator), k_eng, mech, s, strengths[mech]
            )
            label = scenario_label(mech, strengths[mech])
            for method, (e, lo, hi) in scenario_estimates(
                councils, seed=s, alpha=alpha, imputations=imputations
            ).items():
                rows.append((report_id, p.version, p.group, method, label, e, lo, hi, ci_label(alpha)))
            share = councils.loc[~councils["responded"], "in_care"].sum() / councils["in_care"].sum()
            lo, hi = unit_bounds(p.rate, float(share))
            rows.append((report_id, p.version, p.group, "unit_bounds", label, p.rate, lo, hi, "bounds"))
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def scenario_setup(ledger, report_id: str) -> dict:
    """What every scenario of a report rests on: the DfE year, the UK frame of that year, England's modelled
    frame (``inputs``), the councils asked, and per group the published and modelled answering counts."""
    figures = ledger.figures
    pairs = report_pairs(figures, report_id)
    year = dfe_year(pairs["period"].iloc[0], ledger.council_years["year"])
    frame = council_frame(ledger.councils, ledger.council_years, year)
    inputs = model_inputs(frame)
    asked = figures.loc[(figures["report_id"] == report_id) & (figures["measure"] == "councils_asked"), "value"].max()
    published, answering = {}, {}
    for group in pairs["group"].unique():
        k, _ = answering_councils(figures, report_id, group)
        if k is not None:
            published[group] = k
            answering[group] = modelled_answering(k, asked, len(frame), len(inputs))
    return {
        "year": year,
        "frame": frame,
        "inputs": inputs,
        "asked": asked,
        "published_answering": published,
        "answering": answering,
    }
