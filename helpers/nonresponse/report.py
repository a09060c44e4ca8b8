"""One table per report: bounds, the respondents-only rates, and every estimator under every scenario.

Columns: report_id, version, group, method, scenario, estimate, low, high, interval, note. ``interval``
names what low and high are, in the collection's vocabulary: "bounds (no assumption)" (item non-response),
"bounds (no assumption about rates; silent share of children from ...)" (unit non-response, at a stated
share of children), "95% CI (sampling only)" (for alpha = 0.05), "range across N synthetic scenarios", or "no interval" (tipping thresholds,
E-values). Rates are fractions. Scenario rows rest on SYNTHETIC council-level counts (see
:mod:`helpers.nonresponse.scenarios`) and their scenario names end in "(synthetic councils)".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.ledger.errors import ParameterError
from helpers.nonresponse import estimators as est
from helpers.nonresponse.bounds import item_bounds, unit_bounds
from helpers.nonresponse.frame import answering_councils, council_frame, dfe_year
from helpers.nonresponse.scenarios import (
    check_mechanisms,
    check_strengths,
    model_inputs,
    scenario_councils,
    scenario_name,
)
from helpers.stats.report_view import ReportView

TABLE_COLUMNS = ["report_id", "version", "group", "method", "scenario", "estimate", "low", "high", "interval", "note"]
SYNTHETIC = " (synthetic councils)"
DEFAULT_SEEDS = 20
NO_INTERVAL = "no interval"


def ci_label(alpha: float) -> str:
    """'95% CI (sampling only)' for alpha 0.05: a Wilson interval counts sampling error and nothing else."""
    return f"{100 * (1 - alpha):g}% CI (sampling only)"


def range_label(n_seeds: int) -> str:
    """'range across 20 synthetic scenarios': the spread of an estimate over seeds, not a confidence interval."""
    return f"range across {n_seeds} synthetic scenarios"


BOUNDS_LABEL = "bounds (no assumption)"


def scenario_label(mechanism: str, strength: float) -> str:
    """A scenario's name as it appears in every row, in words: 'MNAR, slope -2 (synthetic councils)'."""
    return scenario_name(mechanism, strength) + SYNTHETIC


def modelled_answering(k: int, asked: float, frame_size: int, england_size: int) -> int:
    """The published number answering, scaled from the councils asked (or the UK frame) to England's frame."""
    base = asked if asked and not np.isnan(asked) else frame_size
    return int(min(max(round(k * england_size / base), 2), england_size - 1))


def check_seeds(n_seeds) -> int:
    """The number of scenario draws per mechanism: a whole number of at least 2 (a range needs two)."""
    if isinstance(n_seeds, bool) or not isinstance(n_seeds, (int, np.integer)) or n_seeds < 2:
        raise ParameterError(f"n_seeds={n_seeds!r} is not valid; it must be a whole number of at least 2")
    return int(n_seeds)


def scenario_estimates(councils: list[pd.DataFrame], *, seed: int, alpha: float, imputations: int) -> dict:
    """Every estimator on a stack of scenario council tables (one row per draw): {method: estimates}.

    The IPW and MICE estimators are the vectorised ones that notebook 41 validates on synthetic councils.
    """
    n, m, r = (np.stack([c[col].to_numpy() for c in councils]) for col in ("in_care", "went_missing", "responded"))
    first = councils[0]
    size, dfe = first["aux"].to_numpy(float), first["dfe_rate"].to_numpy(float)
    return {
        "respondents_only": est.respondents_only(n, m, r, alpha)[0],
        "weighting_class": est.weighting_class(n, m, r, first["size_band"].to_numpy(), alpha)[0],
        "ratio": est.ratio(n, m, r, dfe, size, alpha)[0],
        "ipw": est.ipw(n, m, r, size, dfe, alpha)[0],
        "mice": est.mice(n, m, r, size, dfe, seed=seed, imputations=imputations, alpha=alpha)[0],
    }


def item_bound_rows(figures: pd.DataFrame, report_id: str) -> list[tuple]:
    """One row per group with item non-response bounds (Manski): what no assumption allows."""
    return [
        (
            report_id,
            f"{b.counted_version}+{b.answered_version}",
            b.group,
            "bounds",
            "item non-response, no assumption",
            b.respondents_only,
            b.low,
            b.high,
            BOUNDS_LABEL,
            "",
        )
        for b in item_bounds(figures, report_id).itertuples(index=False)
    ]


def respondent_rows(pairs: pd.DataFrame, report_id: str, alpha: float) -> list[tuple]:
    """One row per published rate pair: the respondents-only rate with its sampling-only interval."""
    interval = ci_label(alpha)
    return [
        (
            report_id,
            p.version,
            p.group,
            "respondents_only",
            "published counts",
            p.rate,
            p.ci_low,
            p.ci_high,
            interval,
            "",
        )
        for p in pairs.itertuples(index=False)
    ]


def scenario_rows(
    pair, g: int, setup: dict, report_id: str, *, mechanisms, strengths, seed, n_seeds, alpha, imputations
) -> list[tuple]:
    """Every estimator under every mechanism for one group (the ``g``-th): median and range over the draws."""
    k_eng = setup["answering"].get(pair.group)
    if k_eng is None:
        return []
    rows = []
    for j, mech in enumerate(mechanisms):
        seeds = [seed + 1000 * g + 100 * j + i for i in range(n_seeds)]
        councils = [
            scenario_councils(
                setup["inputs"], int(pair.denominator), int(pair.numerator), k_eng, mech, s, strengths[mech]
            )
            for s in seeds
        ]
        label = scenario_label(mech, strengths[mech])
        for method, values in scenario_estimates(councils, seed=seeds[0], alpha=alpha, imputations=imputations).items():
            rows.append(
                (
                    report_id,
                    pair.version,
                    pair.group,
                    method,
                    label,
                    float(np.median(values)),
                    float(np.min(values)),
                    float(np.max(values)),
                    range_label(n_seeds),
                    "median and range of the estimate across the draws",
                )
            )
    return rows


def unit_bounds_label(basis: str) -> str:
    """The interval name of unit non-response bounds: no assumption about rates, a stated silent share."""
    return f"bounds (no assumption about rates; silent share of children from {basis})"


def unit_bound_rows(pair, shares: dict, report_id: str, children: dict | None = None) -> list[tuple]:
    """The unit non-response bounds of one group's rate (none if no council share is published): at the share
    of councils silent, and, where ``children`` (group -> :class:`helpers.nonresponse.where_children_are.
    SilentChildShare`) holds the group, at the largest silent share of children the council counts allow and
    at the 95th percentile under random silence."""
    if pair.group not in shares:
        return []
    share, basis = shares[pair.group]
    lo, hi = unit_bounds(pair.rate, share)
    rows = [
        (
            report_id,
            pair.version,
            pair.group,
            "unit_bounds",
            f"silent councils hold {share:.1%} of the children",
            pair.rate,
            lo,
            hi,
            unit_bounds_label("the share of councils silent"),
            f"{basis}; the share of councils stands in for the unknown share of children",
        )
    ]
    child = (children or {}).get(pair.group)
    if child is not None:
        from helpers.nonresponse.two_sided import child_share_label

        for value, what in (
            (child.high, "the largest councils silent"),
            (child.p95, "95th percentile if the silent councils were a random set"),
        ):
            lo, hi = unit_bounds(pair.rate, value)
            rows.append(
                (
                    report_id,
                    pair.version,
                    pair.group,
                    "unit_bounds",
                    f"silent councils hold {value:.1%} of England's children ({what})",
                    pair.rate,
                    lo,
                    hi,
                    unit_bounds_label(f"council counts, {what}"),
                    f"{basis}; council counts: {child_share_label(child)}",
                )
            )
    return rows


def tipping_rows(two_sided: pd.DataFrame, report_id: str) -> list[tuple]:
    """Per conclusion: its no-assumption threshold with and without the item non-response bounds, and, where
    the council counts allow, the silent share of children (range and random-silence percentiles) and the
    probability that it survives the worst silent rates if the silent councils were a random set.

    The ``note`` is left empty here: what a conclusion rests on is said in words by
    :func:`helpers.present.nonresponse_findings.with_tipping_notes`.
    """
    rows = []
    for c in two_sided.itertuples(index=False):
        for scen, value in (
            ("item and unit non-response, no assumption", c.threshold),
            ("unit non-response only, no assumption", c.threshold_unit_only),
        ):
            rows.append(
                (report_id, "", c.conclusion, "two_sided_threshold", scen, value, np.nan, np.nan, NO_INTERVAL, "")
            )
        if pd.isna(getattr(c, "child_share_low", np.nan)):
            continue
        source = f"council counts: {c.child_share_source}; shares of England's children"
        for method, scen, value in (
            ("silent_child_share", "the smallest councils silent", c.child_share_low),
            ("silent_child_share", "the largest councils silent", c.child_share_high),
            ("silent_child_share", "random silence, 5th percentile", c.child_share_p05),
            ("silent_child_share", "random silence, median", c.child_share_p50),
            ("silent_child_share", "random silence, 95th percentile", c.child_share_p95),
            ("p_holds_random_silence", "worst silent rates, silent councils a random set", c.p_holds_random),
        ):
            rows.append((report_id, "", c.conclusion, method, scen, value, np.nan, np.nan, NO_INTERVAL, source))
    return rows


def evalue_rows(two_sided: pd.DataFrame, report_id: str, intervals: pd.DataFrame | None = None) -> list[tuple]:
    """The selection-bias E-values of each conclusion, four-parameter (both rates selected) first, then at
    the interval limit nearer 1 when ``intervals`` (:func:`helpers.nonresponse.evalues.contrast_intervals`)
    is given; a contrast whose interval includes no change gets 1 there, with the reason in its note."""
    from helpers.nonresponse.evalues import CITATION, evalue_table

    rows = []
    for e in evalue_table(two_sided, intervals).itertuples(index=False):
        limit = (
            f"{e.interval} {e.rr_low:.2f} to {e.rr_high:.2f}"
            + ("; it includes no change, so no selection is needed to explain it away" if e.includes_no_change else "")
            if e.interval
            else ""
        )
        for method, value, scenario, what in (
            (
                "selection_evalue_both_sides",
                e.evalue_both_sides,
                f"risk ratio {e.risk_ratio:.2f}",
                "selection biasing both rates",
            ),
            (
                "selection_evalue_one_side",
                e.evalue_one_side,
                f"risk ratio {e.risk_ratio:.2f}",
                "selection biasing one of the two rates",
            ),
            (
                "selection_evalue_limit_both_sides",
                e.evalue_limit_both_sides,
                "at the interval limit",
                f"selection biasing both rates; {limit}",
            ),
            (
                "selection_evalue_limit_one_side",
                e.evalue_limit_one_side,
                "at the interval limit",
                f"selection biasing one of the two rates; {limit}",
            ),
        ):
            if not np.isnan(value):
                rows.append(
                    (
                        report_id,
                        "",
                        e.conclusion,
                        method,
                        scenario,
                        value,
                        np.nan,
                        np.nan,
                        NO_INTERVAL,
                        f"{what}; {CITATION}",
                    )
                )
    return rows


def nonresponse_table(
    ledger,
    view: ReportView,
    *,
    mechanisms=("mcar", "mar_size", "mnar"),
    strengths=None,
    seed: int = 20251124,
    n_seeds: int = DEFAULT_SEEDS,
    imputations: int = est.IMPUTATIONS,
    two_sided: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The non-response table of one report (see the module docstring); empty when nothing to work with.

    ``view`` is the report's :class:`helpers.stats.report_view.ReportView` (its alpha sets every interval).
    Scenario rows give the median estimate across ``n_seeds`` synthetic draws and their range (never a
    one-draw confidence interval). Tipping rows (method ``two_sided_threshold``) give the share of children
    in silent councils that could overturn each conclusion with no assumption, and E-value rows (method
    ``selection_evalue_*``) the selection needed to explain each contrast away. ``two_sided`` is the
    report's :func:`helpers.nonresponse.two_sided.two_sided_table` when the caller has it already
    (computed here otherwise). The tipping rows' ``note`` is empty: the words of what each conclusion rests
    on are added by :func:`helpers.present.nonresponse_findings.with_tipping_notes`.
    """
    from helpers.nonresponse.two_sided import child_share, silent_shares, two_sided_table
    from helpers.nonresponse.where_children_are import GROUP_MEASURES

    report_id, alpha = view.report_id, view.alpha
    mechanisms = check_mechanisms(list(mechanisms))
    n_seeds = check_seeds(n_seeds)
    strengths = check_strengths(strengths)
    est.check_imputations(imputations)
    pairs = view.pairs
    if pairs.empty:
        return pd.DataFrame(columns=TABLE_COLUMNS)
    rows = item_bound_rows(ledger.figures, report_id) + respondent_rows(pairs, report_id, alpha)
    setup = scenario_setup(ledger, view)
    shares = silent_shares(ledger, view)
    children = {
        group: child_share(ledger, group, int(view.went_missing["year"].max()), share, report_id)
        for group, (share, _) in shares.items()
        if group in GROUP_MEASURES
    }
    settings = dict(
        mechanisms=mechanisms, strengths=strengths, seed=seed, n_seeds=n_seeds, alpha=alpha, imputations=imputations
    )
    for g, pair in enumerate(pairs.drop_duplicates("group").itertuples(index=False)):
        rows += scenario_rows(pair, g, setup, report_id, **settings)
        if setup["answering"].get(pair.group) is not None:  # as before: unit bounds only where scenarios ran
            rows += unit_bound_rows(pair, shares, report_id, children)
    if two_sided is None:
        two_sided = two_sided_table(ledger, view)
    from helpers.nonresponse.evalues import contrast_intervals

    rows += tipping_rows(two_sided, report_id) + evalue_rows(two_sided, report_id, contrast_intervals(ledger, view))
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def scenario_setup(ledger, view: ReportView) -> dict:
    """What every scenario of a report rests on: the DfE year, the UK frame of that year, England's modelled
    frame (``inputs``), the councils asked, and per group the published and modelled answering counts.

    ``view`` is the report's :class:`helpers.stats.report_view.ReportView` (it must have a went-missing rate)."""
    figures, report_id = ledger.figures, view.report_id
    pairs = view.pairs
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
