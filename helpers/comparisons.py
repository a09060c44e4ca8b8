"""The comparisons a report makes, recomputed as differences between two rates with intervals.

Four kinds: one group against another in the same period (trafficked against unaccompanied), the same
group in two periods of one report (2018 against 2020), the same group against the previous report of
the series, and each group against all looked-after children in England (DfE's share of children looked
after during the year ending 31 March of the same year who went missing, the benchmark the reports
themselves quote). Each is a difference of two independent proportions, from
:func:`helpers.trends.compare_proportions`.
"""

from __future__ import annotations

from itertools import combinations

import pandas as pd

from helpers.data import Ledger
from helpers.labels import version_label
from helpers.ledger_checks import POPULATION_KEY
from helpers.rates import PAIRS, headline_table
from helpers.reports import GROUP_LABELS

COMPARISON_COLUMNS = ["comparison", "first", "x1", "n1", "second", "x2", "n2", "rate1", "rate2",
                      "difference", "ci_low", "ci_high", "p_value"]


def _label(row, with_report: bool = False, titles: dict | None = None) -> str:
    if row.report_id == "dfe":
        return row.group
    text = f"{GROUP_LABELS.get(row.group, row.group)}, {row.period}"
    if row.version != "single":
        text += f" ({version_label(row.version)})"
    if with_report and titles:
        text = f"{titles[row.report_id]}: {text}"
    return text


def _compare(kind: str, first, second, alpha: float, titles=None, with_report=False) -> dict:
    from helpers.trends import compare_proportions

    result = compare_proportions(int(first.numerator), int(first.denominator), int(second.numerator),
                                 int(second.denominator), alpha=alpha).iloc[0]
    return {
        "comparison": kind,
        "first": _label(first, with_report, titles), "x1": int(first.numerator), "n1": int(first.denominator),
        "second": _label(second, with_report, titles), "x2": int(second.numerator), "n2": int(second.denominator),
        "rate1": first.rate, "rate2": second.rate,
        "difference": result["difference"], "ci_low": result["ci_low"], "ci_high": result["ci_high"],
        "p_value": result["p_value"],
    }


def report_comparisons(ledger: Ledger, report_id: str, alpha: float = 0.05) -> pd.DataFrame:
    """Every comparison the report's published counts allow (see the module docstring)."""
    reports = ledger.reports.sort_values("series_order").reset_index(drop=True)
    titles = dict(zip(reports["report_id"], reports["title"]))
    all_rates = headline_table(ledger.figures, alpha=alpha)
    all_rates = all_rates[all_rates["measure"] == "went_missing"]
    mine = all_rates[all_rates["report_id"] == report_id]
    rows = []
    # One group against another, same period and version.
    for (_, _), same in mine.groupby(["version", "period"], sort=False):
        for first, second in combinations(same.itertuples(), 2):
            if {first.group, second.group} == {"trafficked", "unaccompanied"}:
                first, second = sorted((first, second), key=lambda r: r.group != "unaccompanied")
                rows.append(_compare("trafficked against unaccompanied", first, second, alpha))
    # The same group in two periods of this report.
    for (_, _), same in mine.groupby(["version", "group"], sort=False):
        for first, second in combinations(same.sort_values("year").itertuples(), 2):
            rows.append(_compare("year against year", first, second, alpha))
    # The same group in the previous report of the series (its headline period only).
    position = reports.index[reports["report_id"] == report_id][0]
    previous = reports.iloc[:position]
    for prev_id in reversed(list(previous["report_id"])):
        prev_period = reports.set_index("report_id").loc[prev_id, "headline_period"]
        theirs = all_rates[(all_rates["report_id"] == prev_id) & (all_rates["period"] == prev_period)]
        headline = reports.set_index("report_id").loc[report_id, "headline_period"]
        ours = mine[mine["period"] == headline]
        pairs = ours.merge(theirs, on="group", suffixes=("", "_prev"))
        if pairs.empty:
            continue
        for group in pairs["group"].unique():
            for second in ours[ours["group"] == group].itertuples():
                for first in theirs[theirs["group"] == group].itertuples():
                    rows.append(_compare("against the previous report", first, second, alpha, titles, True))
        break
    # Each group against all looked-after children in England, DfE year ending in the same year.
    if "england_national" in ledger.tables:
        from helpers.series import england_baseline

        england = england_baseline(ledger.england_national, alpha).set_index("year")
        for second in mine.itertuples():
            if second.year in england.index:
                dfe = england.loc[second.year]
                first = pd.Series({"group": f"all looked-after children, England (DfE year to March {second.year})",
                                   "period": str(second.year), "version": "single", "report_id": "dfe",
                                   "numerator": dfe["missing"], "denominator": dfe["in_care"], "rate": dfe["rate"]})
                rows.append(_compare("against all looked-after children in England", first, second, alpha))
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def display_comparisons(table: pd.DataFrame) -> pd.DataFrame:
    """Comparisons formatted for reading: rates as per cent, differences in percentage points."""
    return pd.DataFrame({
        "comparison": table["comparison"],
        "first": [f"{f}: {x:,} of {n:,} = {r:.1%}" for f, x, n, r in zip(table["first"], table["x1"], table["n1"], table["rate1"])],
        "second": [f"{f}: {x:,} of {n:,} = {r:.1%}" for f, x, n, r in zip(table["second"], table["x2"], table["n2"], table["rate2"])],
        "difference (points)": [f"{100 * d:+.1f}" for d in table["difference"]],
        "interval (points)": [f"{100 * lo:+.1f} to {100 * hi:+.1f}" for lo, hi in zip(table["ci_low"], table["ci_high"])],
        "p-value": [f"{p:.3f}" if p >= 0.001 else "<0.001" for p in table["p_value"]],
    })


def other_figures(ledger: Ledger, report_id: str) -> pd.DataFrame:
    """The report's figures that are not rebuilt as rates or shown as council counts, as published."""
    figures = ledger.figures[ledger.figures["report_id"] == report_id]
    pair_measures = {m for pair in PAIRS for m in pair}
    paired = headline_table(figures)[POPULATION_KEY].drop_duplicates()
    pct_measures = {pct for _, _, pct in PAIRS}
    keyed = figures.merge(paired.assign(_paired=True), on=POPULATION_KEY, how="left")
    keep = ~keyed["measure"].isin(pair_measures) & ~keyed["measure"].str.startswith("councils_")
    keep |= keyed["measure"].isin(pct_measures) & keyed["_paired"].isna()
    shown = keyed[keep.to_numpy()]
    return pd.DataFrame({
        "version": shown["version"], "group": shown["group"], "measure": shown["measure"].str.replace("_", " "),
        "period": shown["period"], "geography": shown["geography"],
        "value": [("not found" if pd.isna(v) else f"{v:,g}") + ("" if pd.isna(q) else f" ({q.replace('_', ' ')})")
                  for v, q in zip(shown["value"], shown["qualifier"])],
        "unit": shown["unit"].str.replace("_", " "), "source": shown["source_id"],
        "discrepancy": shown["discrepancy_id"].fillna("-"),
    }).reset_index(drop=True)
