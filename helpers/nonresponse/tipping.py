"""Tipping points: how different the silent councils would have to be for a conclusion to disappear.

If the answering councils' children went missing at rate r and the silent councils hold a share s of
all the children, with their own unknown rate q, the rate in every council is (1 - s) r + s q. A
conclusion "the rate is above c" survives unless q falls to

    q*(s) = (c - (1 - s) r) / s

or below (:func:`helpers.nonresponse.two_sided.gap_needed` with the comparator fixed). Where q* is below 0 no rate in the silent councils can overturn the conclusion; the smallest
share that could is s_min = 1 - c / r (the silent councils' children all stayed). The comparator c is
held at its own published value, which is an assumption stated beside every row.
"""

from __future__ import annotations

import pandas as pd

from helpers.stats.rates import headline_table
from helpers.stats.report_view import ReportView

CONCLUSION_COLUMNS = [
    "conclusion",
    "observed",
    "comparator",
    "comparator_label",
    "observed_report",
    "observed_group",
    "comparator_report",
    "comparator_group",
    "s_min",
]


def smallest_overturning_share(observed: float, comparator: float) -> float:
    """s_min = 1 - c / r for a conclusion 'r is above c' (0 if it does not hold to begin with)."""
    if observed <= comparator:
        return 0.0
    return 1 - comparator / observed


def report_conclusions(
    figures: pd.DataFrame, reports: pd.DataFrame, national: pd.DataFrame, view: ReportView, version: str | None = None
) -> pd.DataFrame:
    """The conclusions a report or its coverage draws, with the published rates they compare.

    - trafficked children went missing more often than unaccompanied children (same report);
    - this report's trafficked rate is above the previous report's latest trafficked rate;
    - the trafficked rate is above DfE's rate for all looked-after children in England (the DfE year that
      ends in the report's headline year, or the latest held).
    ``view`` is the report's :class:`helpers.stats.report_view.ReportView`; a previous report's rates come
    from its own headline table. Rates are the respondents-only rates of ``version`` (default: the version with the smallest
    denominators, i.e. the rate the report computed). Rows are left out where a figure is missing.
    Columns: CONCLUSION_COLUMNS. ``observed_report``/``observed_group`` and ``comparator_report``/
    ``comparator_group`` say where each rate comes from (the comparator's are empty for DfE's rate, a
    census of England that council non-response does not move). ``s_min`` holds the comparator fixed.
    """
    report_id, head = view.report_id, view.went_missing
    if head.empty:
        return pd.DataFrame(columns=CONCLUSION_COLUMNS)
    latest = head[head["year"] == head["year"].max()]
    if version is None:
        version = latest.sort_values("denominator")["version"].iloc[0]
    latest = latest[latest["version"].isin([version, "single"])]
    rate = dict(zip(latest["group"], latest["rate"]))
    year = int(head["year"].max())
    out = []
    if "trafficked" in rate and "unaccompanied" in rate:
        out.append(
            (
                "trafficked above unaccompanied",
                rate["trafficked"],
                rate["unaccompanied"],
                f"unaccompanied rate {year} (this report)",
                report_id,
                "trafficked",
                report_id,
                "unaccompanied",
            )
        )
    order = reports.set_index("report_id")["series_order"]
    earlier = reports[reports["series_order"] < order[report_id]].sort_values("series_order", ascending=False)
    for prev in earlier["report_id"]:
        ph = headline_table(figures, prev)
        ph = ph[(ph["measure"] == "went_missing") & (ph["group"] == "trafficked")]
        if len(ph) and "trafficked" in rate and int(ph["year"].max()) < year:
            ph = ph[ph["year"] == ph["year"].max()].sort_values("denominator").iloc[0]
            out.append(
                (
                    f"trafficked {year} above trafficked {int(ph['year'])}",
                    rate["trafficked"],
                    float(ph["rate"]),
                    f"trafficked rate {int(ph['year'])} ({prev})",
                    report_id,
                    "trafficked",
                    prev,
                    "trafficked",
                )
            )
            break
    wide = national.pivot_table(index="year", columns="measure", values="value", aggfunc="first")
    # a DfE table without both counts (a user's own, or a cut) has no DfE rate: that conclusion is left out
    wide = wide.reindex(columns=["children_missing", "cla_during_year"]).dropna()
    if "trafficked" in rate and len(wide):
        dyear = int(min(max(year, wide.index.min()), wide.index.max()))
        dfe = float(wide.loc[dyear, "children_missing"] / wide.loc[dyear, "cla_during_year"])
        out.append(
            (
                "trafficked above all looked-after (DfE)",
                rate["trafficked"],
                dfe,
                f"DfE England, all looked-after children, year to March {dyear}",
                report_id,
                "trafficked",
                None,
                None,
            )
        )
    table = pd.DataFrame(out, columns=CONCLUSION_COLUMNS[:-1])
    table["s_min"] = [smallest_overturning_share(o, c) for o, c in zip(table["observed"], table["comparator"])]
    return table
