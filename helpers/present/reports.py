"""Per-report views of the ledger: context, versions side by side, discrepancies, display tables."""

from __future__ import annotations

import pandas as pd

from helpers.ledger.tables import Ledger
from helpers.ledger.vocabulary import GROUP_LABELS, MEASURE_WORDS, NO_FIGURE, version_label
from helpers.stats.rounding import QUALIFIER_WORDS

#: A gap in the ledger: no source publishes this figure. (Children who were "never found" are a measure.)

COUNCIL_MEASURES = [
    "councils_asked",
    "councils_answering",
    "councils_with_missing",
    "councils_reporting_not_found",
    "councils_with_not_found",
]


def short_titles(reports: pd.DataFrame) -> dict[str, str]:
    """report_id -> 'Title (year)', in series order."""
    ordered_reports = reports.sort_values("series_order")
    return {r.report_id: f"{r.title} ({r.published.year})" for r in ordered_reports.itertuples()}


def series_overview(ledger: Ledger) -> pd.DataFrame:
    """One row per report: title, publication date, data period and councils asked (as published)."""
    reports = ledger.reports.sort_values("series_order")
    asked = _council_figures(ledger.figures)
    asked = asked[asked["measure"] == "councils_asked"].drop_duplicates("report_id").set_index("report_id")
    return pd.DataFrame(
        {
            "report": reports["title"].to_numpy(),
            "published": reports["published"].dt.strftime("%d %b %Y").to_numpy(),
            "data period": [f"{s:%b %Y} to {e:%b %Y}" for s, e in zip(reports["period_start"], reports["period_end"])],
            "headline period": reports["headline_period"].to_numpy(),
            "councils asked": [asked["shown"].get(rid, NO_FIGURE) for rid in reports["report_id"]],
        },
        index=pd.Index(reports["report_id"], name="report_id"),
    )


def _council_figures(figures: pd.DataFrame) -> pd.DataFrame:
    rows = figures[figures["measure"].isin(COUNCIL_MEASURES)].copy()
    rows["shown"] = [
        NO_FIGURE if pd.isna(v) else f"{QUALIFIER_WORDS.get(q, '') if isinstance(q, str) else ''}{v:,.0f}"
        for v, q in zip(rows["value"], rows["qualifier"])
    ]
    return rows


def report_context(ledger: Ledger, report_id: str) -> pd.DataFrame:
    """The councils behind a report's figures: asked, answering, reporting missing children."""
    rows = _council_figures(ledger.figures[ledger.figures["report_id"] == report_id])
    rows["measure"] = pd.Categorical(rows["measure"], COUNCIL_MEASURES, ordered=True)
    rows = rows.sort_values(["measure", "group", "version"], kind="stable")
    rows["version"] = rows["version"].map(version_label)
    return (
        rows[["version", "group", "measure", "period", "shown", "source_id", "locator"]]
        .rename(columns={"shown": "councils"})
        .reset_index(drop=True)
    )


def versions_side_by_side(headlines: pd.DataFrame) -> pd.DataFrame:
    """For a report published in more than one version, each pair per version in adjacent columns."""
    multi = headlines[headlines["version"] != "single"]
    if multi.empty:
        return pd.DataFrame()
    multi = multi.assign(
        figure=[f"{n:,} of {d:,} = {r:.1%}" for n, d, r in zip(multi["numerator"], multi["denominator"], multi["rate"])]
    )
    wide = multi.pivot_table(index=["group", "measure", "period"], columns="version", values="figure", aggfunc="first")
    wide.columns.name = None
    return wide.rename(columns=version_label).reset_index()


def discrepancies_for(ledger: Ledger, report_id: str) -> pd.DataFrame:
    """The known discrepancies of one report, with their likely explanations."""
    d = ledger.discrepancies
    return d[d["report_id"] == report_id][["discrepancy_id", "summary", "likely_explanation"]].reset_index(drop=True)


def display_rates(table: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """A headline table formatted for reading: counts with separators, rates and intervals as per cent."""
    level = f"{1 - alpha:.0%}"
    shown = pd.DataFrame(
        {
            "version": table["version"].map(version_label),
            "group": table["group"].map(lambda g: GROUP_LABELS.get(g, g)),
            "period": table["period"],
            "measure": table["measure"].map(lambda m: MEASURE_WORDS.get(m, str(m).replace("_", " "))),
            "count": table["numerator"].map("{:,}".format),
            "of": table["denominator"].map("{:,}".format),
            "rebuilt rate": [
                f"{r:.1%}" if c != "different_council_set" else "not computable"
                for r, c in zip(table["rate"], table.get("comparability", pd.Series("", index=table.index)))
            ],
            f"{level} CI (sampling only)": [_interval(lo, hi) for lo, hi in zip(table["ci_low"], table["ci_high"])],
            "published %": table["published_pct"].map(lambda v: "none" if pd.isna(v) else f"{v:g}%"),
            "rounds to published": table["rounds_to_published"].map(
                lambda v: "no % published" if pd.isna(v) else ("yes" if v else "NO")
            ),
            "discrepancy": table["discrepancy_id"].replace("", "-"),
        }
    )
    if "ci_low_councils" in table.columns and table["ci_low_councils"].notna().any():
        shown.insert(
            8,
            f"{level} allowing for council variation",
            [_interval(lo, hi) for lo, hi in zip(table["ci_low_councils"], table["ci_high_councils"])],
        )
    return shown.reset_index(drop=True)


def _interval(low, high) -> str:
    """An interval as per cent; a pair with no interval (counts from different council sets) says so."""
    return "not computable (two council sets)" if pd.isna(low) else f"{low:.1%} to {high:.1%}"
