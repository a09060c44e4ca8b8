"""Two-sided tipping points: both rates of a comparison move under non-response, item and unit together.

A conclusion "rate a is above rate b" compares two groups of children, each counted only in the councils
that answered. Say the silent councils hold a share s of each group's children, with unknown rates q_a and
q_b. The rates in every council are

    A = (1 - s) a + s q_a,        B = (1 - s) b + s q_b,

and the conclusion is overturned when A <= B, i.e. when

    q_b - q_a >= (1 - s) (a - b) / s        (the gap the silent councils' rates would need).

With no assumption at all the gap can reach 1 (q_a = 0, q_b = 1), so the conclusion can be overturned
once s >= s* = (a - b) / (1 + a - b): the **no-assumption threshold**, a share of children. Item
non-response (children counted in answering councils but with no answer) widens each rate to its Manski
bounds, and the worst case takes the lower bound of a and the upper bound of b in the same formulas.

When the comparator is a census (DfE's rate for England), it does not move: A <= b once
q_a <= (b - (1 - s) a) / s, and the threshold is s* = 1 - b / a.

The share of children in silent councils is never published; the share of councils that did not answer
stands in for it, and every sentence about it (:mod:`helpers.present.nonresponse_findings`) says so.
**One accounting of item and unit non-response.** Each child is answering, item-silent (counted in care
by a council that did not answer the went-missing question) or unit-silent (not counted at all). The
item-silent children are in councils that answered the in-care question only, and those councils are
already among the councils silent on the went-missing question, so their children are part of the
share s. Counted once, the rate over all councils is (1 - s) r + s q with r the respondents-only rate, the
threshold is ``threshold_unit_only``, and the item-silent children add only a floor under s: with a
children answering of c counted, s >= (c - a) / c (:func:`one_accounting`, column ``item_silent_floor``).
The columns ``threshold`` and ``gap`` stack the two instead (the item bounds inside the answering councils,
then the unit share on top), which treats s + (1 - s)(c - a)/c of the children as unknown
(``stacked_unknown_share``): those children are counted twice, so the stacked figures are conservative.

Beside it, :mod:`helpers.nonresponse.where_children_are` gives the silent share of children from DfE's
council counts: the range (smallest to largest councils), the random-silence percentiles, and the
probability that a conclusion survives the worst silent rates if the silent councils were a random set.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.ledger.errors import ParameterError
from helpers.nonresponse.bounds import item_bounds
from helpers.nonresponse.frame import answering_councils, council_frame, dfe_year
from helpers.nonresponse.tipping import report_conclusions
from helpers.nonresponse.where_children_are import GROUP_MEASURES
from helpers.stats.report_view import ReportView, report_view

TWO_SIDED_COLUMNS = [
    "conclusion",
    "observed",
    "comparator",
    "comparator_label",
    "observed_low",
    "comparator_high",
    "comparator_moves",
    "threshold_unit_only",
    "threshold",
    "silent_share",
    "silent_basis",
    "gap_unit_only",
    "gap",
    "child_share_low",
    "child_share_high",
    "child_share_p05",
    "child_share_p50",
    "child_share_p95",
    "p_holds_random",
    "child_share_source",
    "item_silent_floor",
    "stacked_unknown_share",
]


def _check_rates(*rates) -> None:
    for r in rates:
        if not 0 <= r <= 1:
            raise ParameterError(f"rate={r!r} is outside the valid range 0 to 1")


def check_fraction(name: str, value) -> float:
    """``value`` as a float when it is a number from 0 to 1, else a ParameterError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or not 0 <= value <= 1:
        raise ParameterError(f"{name} must be a fraction from 0 to 1; got {value!r}")
    return float(value)


def all_council_rate(rate: float, share: float, silent_rate: float) -> float:
    """(1 - s) r + s q: the rate over all councils when the silent ones hold a share s of the children."""
    rate, share, silent_rate = (
        check_fraction("rate", rate),
        check_fraction("share", share),
        check_fraction("silent_rate", silent_rate),
    )
    return (1 - share) * rate + share * silent_rate


def two_sided_threshold(a: float, b: float, comparator_moves: bool = True) -> float:
    """s*: the smallest share of children in silent councils that could overturn 'a above b'.

    Both move: (a - b) / (1 + a - b). Comparator fixed (a census): 1 - b / a. 0 when a <= b already.
    """
    _check_rates(a, b)
    if a <= b:
        return 0.0
    return (a - b) / (1 + a - b) if comparator_moves else 1 - b / a


def gap_needed(a: float, b: float, share, comparator_moves: bool = True) -> np.ndarray:
    """What the silent councils' rates must do, at share ``share`` of the children, to overturn 'a above b'.

    Both move: the smallest q_b - q_a that overturns it, (1 - s)(a - b) / s (above 1: impossible).
    Comparator fixed: the largest q_a that overturns it, (b - (1 - s) a) / s (below 0: impossible).
    """
    _check_rates(a, b)
    s = np.asarray(share, float)
    if np.any((s <= 0) | (s > 1)):
        raise ParameterError("share must lie above 0 and at most 1 (the silent councils' share of the children)")
    return (1 - s) * (a - b) / s if comparator_moves else (b - (1 - s) * a) / s


def silent_shares(ledger, view: ReportView) -> dict:
    """{group: (share of councils silent, basis in words)} for the groups with a published answering count.

    ``view`` is the report's :class:`helpers.stats.report_view.ReportView`. The denominator is the number
    of councils asked when published, else the councils of the frame of the FOI year
    (``data/context/councils.csv``). Groups without an answering count are left out.
    """
    figures, report_id = ledger.figures, view.report_id
    head = view.went_missing
    if head.empty:
        return {}
    asked = figures.loc[(figures["report_id"] == report_id) & (figures["measure"] == "councils_asked"), "value"].max()
    if pd.notna(asked):
        base, basis = float(asked), "councils asked"
    else:
        period = head.sort_values("year")["period"].iloc[-1]
        year = dfe_year(period, ledger.council_years["year"])
        base = float(len(council_frame(ledger.councils, ledger.council_years, year)))
        basis = f"councils in the frame of {year}"
    answering = figures[(figures["report_id"] == report_id) & (figures["measure"] == "councils_answering")]
    out = {}
    for group in head["group"].unique():
        k, _ = answering_councils(figures, report_id, group)
        if k is None:
            continue
        if (answering["group"] == group).any():
            what = f"did not answer on {group} children"
        else:
            # Only a count of councils that supplied figures on some question was published: the share of
            # councils silent on this group is at least this large, and its basis must say so.
            what = (
                f"are not known to have supplied any figures; no count of councils answering on {group} "
                "children was published"
            )
        out[group] = (1 - k / base, f"{base - k:.0f} of {base:.0f} {basis} {what}")
    return out


def one_accounting(answered, counted, silent_share):
    """(floor, stacked): each child counted once, against the stacked accounting (see the module docstring).

    ``answered`` children have a went-missing answer of ``counted`` counted in care; ``silent_share`` is the
    share of children in councils silent on the question. ``floor`` = (counted - answered) / counted, the
    least share of children those councils hold (the item-silent children are among them); ``stacked`` =
    s + (1 - s) floor, the share the stacked accounting treats as unknown. Exact with fractions.
    """
    if not 0 < answered <= counted:
        raise ParameterError(f"answered={answered!r} must lie above 0 and at most counted={counted!r}")
    if not 0 <= silent_share <= 1:
        raise ParameterError(f"silent_share={silent_share!r} must be a fraction from 0 to 1")
    floor = (counted - answered) / counted
    return floor, silent_share + (1 - silent_share) * floor


def _item_counts(ledger, report_id: str, group: str, rate: float) -> tuple[int, int] | None:
    """(answered, counted) of one rate where the ledger shows item non-response for it, else None."""
    b = item_bounds(ledger.figures, report_id)
    b = b[b["group"] == group]
    if b.empty or not np.isclose(b["respondents_only"].iloc[0], rate):
        return None
    return int(b["answered"].iloc[0]), int(b["counted"].iloc[0])


def _item_range(ledger, report_id: str, group: str, rate: float) -> tuple[float, float]:
    """Item non-response bounds of one rate, or (rate, rate) where the ledger shows none."""
    b = item_bounds(ledger.figures, report_id)
    b = b[b["group"] == group]
    if b.empty or not np.isclose(b["respondents_only"].iloc[0], rate):
        return rate, rate
    return float(b["low"].iloc[0]), float(b["high"].iloc[0])


def two_sided_table(ledger, view: ReportView) -> pd.DataFrame:
    """Every conclusion of :func:`report_conclusions`, with both sides moving (see the module docstring).

    ``view`` is the report's :class:`helpers.stats.report_view.ReportView`; a comparator from another
    report gets that report's view, built once here.

    ``threshold_unit_only`` and ``threshold`` are s* without and with the item non-response bounds;
    ``silent_share`` is the larger share of councils silent on either side (the cautious choice: a larger
    share needs a smaller gap); ``gap_unit_only`` and ``gap`` are what the silent rates must do at that
    share; ``holds_if`` states the assumption in words.
    """
    conclusions = report_conclusions(ledger.figures, ledger.reports, ledger.england_national, view)
    shares_of, years_of, children_of = {}, {}, {}  # per report (and group): computed once

    def silent(report_id: str, group: str):
        if report_id not in shares_of:
            other = view if report_id == view.report_id else report_view(ledger.figures, report_id, view.alpha)
            shares_of[report_id] = silent_shares(ledger, other)
            years_of[report_id] = int(other.went_missing["year"].max()) if len(other.went_missing) else None
        return shares_of[report_id].get(group)

    def children(report_id: str, group: str):
        """The silent share of the group's children (None without a council share or council counts)."""
        if (report_id, group) not in children_of:
            share = silent(report_id, group)
            children_of[(report_id, group)] = (
                child_share(ledger, group, years_of[report_id], share[0], report_id)
                if share is not None and group in GROUP_MEASURES
                else None
            )
        return children_of[(report_id, group)]

    rows = []
    for c in conclusions.to_dict("records"):
        moves = c["comparator_report"] is not None and not pd.isna(c["comparator_report"])
        a_low, _ = _item_range(ledger, c["observed_report"], c["observed_group"], c["observed"])
        b_high = (
            _item_range(ledger, c["comparator_report"], c["comparator_group"], c["comparator"])[1]
            if moves
            else c["comparator"]
        )
        shares = [silent(c["observed_report"], c["observed_group"])]
        if moves:
            shares.append(silent(c["comparator_report"], c["comparator_group"]))
        known = [s for s in shares if s is not None]
        share = max(known)[0] if known else np.nan
        basis = "; ".join(b for _, b in known) if known else "share of councils silent not published"
        if known and len(known) < len(shares):
            side = "the comparator" if shares[0] is not None else "this report"
            basis += f"; not published for {side}, taken to be the same"
        row = {
            "conclusion": c["conclusion"],
            "observed": c["observed"],
            "comparator": c["comparator"],
            "comparator_label": c["comparator_label"],
            "observed_low": a_low,
            "comparator_high": b_high,
            "comparator_moves": moves,
            "threshold_unit_only": two_sided_threshold(c["observed"], c["comparator"], moves),
            "threshold": two_sided_threshold(a_low, b_high, moves),
            "silent_share": share,
            "silent_basis": basis,
            "gap_unit_only": float(gap_needed(c["observed"], c["comparator"], share, moves)) if known else np.nan,
            "gap": float(gap_needed(a_low, b_high, share, moves)) if known else np.nan,
        }
        sides = [children(c["observed_report"], c["observed_group"])]
        if moves:
            sides.append(children(c["comparator_report"], c["comparator_group"]))
        # Each child counted once: the child shares already hold the item-silent children's councils, so the
        # worst case takes the respondents-only rates (the stacked a_low, b_high would count them twice).
        row.update(child_share_columns(sides, c["observed"], c["comparator"], moves))
        item = [_item_counts(ledger, c["observed_report"], c["observed_group"], c["observed"])]
        if moves:
            item.append(_item_counts(ledger, c["comparator_report"], c["comparator_group"], c["comparator"]))
        accounts = [one_accounting(*counts, share) for counts in item if counts is not None and known]
        row["item_silent_floor"] = max(f for f, _ in accounts) if accounts else np.nan
        row["stacked_unknown_share"] = max(u for _, u in accounts) if accounts else np.nan
        rows.append(row)
    return pd.DataFrame(rows, columns=TWO_SIDED_COLUMNS)


def child_share(ledger, group: str, year: int, council_share: float, report_id: str):
    """:func:`helpers.nonresponse.where_children_are.silent_child_share` of one report's group (its silent
    councils drawn with the report id as key, so two groups of one report share their silent sets)."""
    from helpers.nonresponse.where_children_are import child_distribution, silent_child_share

    dist = child_distribution(ledger.councils, ledger.council_years, group, year)
    return silent_child_share(dist, council_share, key=report_id)


def report_child_shares(ledger, view: ReportView) -> dict:
    """{group: SilentChildShare} for the groups of a report with a council share and council counts."""
    shares = silent_shares(ledger, view)
    if not shares:
        return {}
    year = int(view.went_missing["year"].max())
    return {
        group: child_share(ledger, group, year, share, view.report_id)
        for group, (share, _) in shares.items()
        if group in GROUP_MEASURES
    }


def child_share_label(share) -> str:
    """Which council counts a silent share of children comes from, and for which year, in a few words."""
    from helpers.nonresponse.where_children_are import MEASURE_NAMES

    d = share.distribution
    when = f"{d.year}" + (f" standing in for {d.report_year}" if d.year != d.report_year else "")
    return f"{MEASURE_NAMES[d.measure]}, {when}"


def child_share_columns(sides: list, a: float, b: float, moves: bool) -> dict:
    """The child-share columns of one conclusion from its sides' silent shares of children (None where
    unknown). The larger share of the two sides is taken, as for the council share; a side without one is
    taken to be like the other side."""
    from helpers.nonresponse.where_children_are import probability_holds

    known = [x for x in sides if x is not None]
    if not known:
        return {col: np.nan for col in TWO_SIDED_COLUMNS[-9:-3]} | {"child_share_source": ""}
    first, second = (known * 2)[:2] if moves else (known[0], None)
    draws = first.draws if second is None else np.maximum(first.draws, second.draws)
    p05, p50, p95 = np.percentile(draws, [5, 50, 95])
    labels = list(dict.fromkeys(f"{x.distribution.group}: {child_share_label(x)}" for x in known))
    return {
        "child_share_low": max(x.low for x in known),
        "child_share_high": max(x.high for x in known),
        "child_share_p05": float(p05),
        "child_share_p50": float(p50),
        "child_share_p95": float(p95),
        "p_holds_random": probability_holds(a, b, first.draws, None if second is None else second.draws, moves),
        "child_share_source": "; ".join(labels),
    }


def tipping_surface(a: float, b: float, share_a: float, share_b: float, steps: int = 101) -> pd.DataFrame:
    """The difference A - B in every council over a grid of the silent councils' two rates (long form).

    Columns: silent_a, silent_b (the silent councils' rates, 0 to 1), difference (A - B). The conclusion
    'a above b' is overturned where difference <= 0.
    """
    _check_rates(a, b, share_a, share_b)
    q = np.linspace(0, 1, steps)
    qa, qb = np.meshgrid(q, q, indexing="xy")
    diff = (1 - share_a) * a + share_a * qa - ((1 - share_b) * b + share_b * qb)
    return pd.DataFrame({"silent_a": qa.ravel(), "silent_b": qb.ravel(), "difference": diff.ravel()})
