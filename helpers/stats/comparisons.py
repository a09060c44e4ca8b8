"""The comparisons a report makes, recomputed as differences between two rates with intervals.

Four kinds: one group against another in the same period (trafficked against unaccompanied), the same
group in two periods of one report (2018 against 2020), the same group against the previous report of
the series, and each group against all looked-after children in England (DfE's share of children looked
after during the year ending 31 March of the same year who went missing, the benchmark the reports
themselves quote). Each is a difference of two independent proportions, from
:func:`helpers.stats.trends.compare_proportions`.
"""

from __future__ import annotations

from itertools import combinations

import pandas as pd

from helpers.ledger.tables import Ledger
from helpers.ledger.vocabulary import GROUP_LABELS, period_words, version_label
from helpers.stats.rates import headline_table
from helpers.stats.report_view import ReportView

COMPARISON_COLUMNS = [
    "comparison",
    "first",
    "x1",
    "n1",
    "second",
    "x2",
    "n2",
    "rate1",
    "rate2",
    "difference",
    "ci_low",
    "ci_high",
    "p_value",
    "group",
    "hypothesis",
]
BETWEEN_REPORTS = "against the previous report"


def row_label(row, with_report: bool = False, titles: dict | None = None) -> str:
    """A rate row as readers name it: group, period and version (and the report's title between reports)."""
    if row.report_id == "dfe":
        return row.group
    text = f"{GROUP_LABELS.get(row.group, row.group)}, {period_words(row.period)}"
    if row.version != "single":
        text += f", {version_label(row.version)}"
    if with_report and titles:
        text = f"{titles[row.report_id]}: {text}"
    return text


def _hypothesis(kind: str, first, second) -> str:
    """What a comparison tests, without the version: two published versions of one comparison share it."""
    return " | ".join([kind] + [f"{r.report_id}, {r.group}, {r.period}" for r in (first, second)])


def _compare(kind: str, first, second, alpha: float, titles=None, with_report=False) -> dict:
    from helpers.stats.trends import compare_proportions

    result = compare_proportions(
        int(first.numerator), int(first.denominator), int(second.numerator), int(second.denominator), alpha=alpha
    ).iloc[0]
    # Between reports the councils differ, so a sampling-only p-value answers no question worth asking:
    # it is left out (the between-report interval of with_between_report_interval is the one to read).
    p_value = float("nan") if kind == BETWEEN_REPORTS else result["p_value"]
    return {
        "comparison": kind,
        "first": row_label(first, with_report, titles),
        "x1": int(first.numerator),
        "n1": int(first.denominator),
        "second": row_label(second, with_report, titles),
        "x2": int(second.numerator),
        "n2": int(second.denominator),
        "rate1": first.rate,
        "rate2": second.rate,
        "difference": result["difference"],
        "ci_low": result["ci_low"],
        "ci_high": result["ci_high"],
        "p_value": p_value,
        "group": second.group,
        "hypothesis": _hypothesis(kind, first, second),
    }


def report_comparisons(ledger: Ledger, view: ReportView) -> pd.DataFrame:
    """Every comparison the report's published counts allow (see the module docstring), at ``view.alpha``.

    The report's own rates come from ``view``; only the previous report's headline rates are built here.
    """
    report_id, alpha = view.report_id, view.alpha
    reports = ledger.reports.sort_values("series_order").reset_index(drop=True)
    titles = dict(zip(reports["report_id"], reports["title"]))
    mine = view.went_missing
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
        theirs = _went_missing(ledger, prev_id, alpha)
        theirs = theirs[theirs["period"] == prev_period]
        headline = reports.set_index("report_id").loc[report_id, "headline_period"]
        ours = mine[mine["period"] == headline]
        pairs = ours.merge(theirs, on="group", suffixes=("", "_prev"))
        if pairs.empty:
            continue
        for group in pairs["group"].unique():
            for second in ours[ours["group"] == group].itertuples():
                for first in theirs[theirs["group"] == group].itertuples():
                    rows.append(_compare(BETWEEN_REPORTS, first, second, alpha, titles, True))
        break
    # Each group against all looked-after children in England, DfE year ending in the same year.
    if "england_national" in ledger.tables:
        from helpers.stats.series import england_baseline

        england = england_baseline(ledger.england_national, alpha).set_index("year")
        for second in mine.itertuples():
            if second.year in england.index:
                dfe = england.loc[second.year]
                first = pd.Series(
                    {
                        "group": f"all looked-after children, England (DfE year to March {second.year})",
                        "period": str(second.year),
                        "version": "single",
                        "report_id": "dfe",
                        "numerator": dfe["missing"],
                        "denominator": dfe["in_care"],
                        "rate": dfe["rate"],
                    }
                )
                rows.append(_compare("against all looked-after children in England", first, second, alpha))
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


DFE_COMPARISON = "against all looked-after children in England"


def _went_missing(ledger: Ledger, report_id: str, alpha: float) -> pd.DataFrame:
    """The went-missing rates of another report of the series (the previous one), at ``alpha``."""
    rates = headline_table(ledger.figures, report_id, alpha=alpha)
    return rates[rates["measure"] == "went_missing"]


def split_benchmark(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(comparisons between the reports' own rates, comparisons against DfE's England rate).

    The DfE contrast is not a sampling question: DfE counts every looked-after child in England (the
    unaccompanied children among them, so one group is part of the other), the reports count the UK
    councils that answered, with different definitions. A test of "no difference" there is meaningless.
    """
    is_dfe = table["comparison"] == DFE_COMPARISON
    return table[~is_dfe].reset_index(drop=True), table[is_dfe].reset_index(drop=True)


def holm_adjust(table: pd.DataFrame) -> pd.DataFrame:
    """Add ``p_holm``: the p-values of the table adjusted together by Holm's method (statsmodels multipletests).

    Holm's step-down method keeps the chance of any false "significant" difference among the table's
    tests at the nominal level, whatever their dependence. Rows that share a ``hypothesis`` (the same
    comparison in two published versions of a report) are one hypothesis, not two: it counts once, with
    the larger of its p-values (the conclusion must hold whichever version one believes), and each of its
    rows shows that hypothesis' adjusted value. Missing p-values stay missing.

    Returns
    -------
    pandas.DataFrame
        A copy of ``table`` with the column ``p_holm``.

    References
    ----------
    Holm S (1979). A simple sequentially rejective multiple test procedure. *Scandinavian Journal of
    Statistics* 6:65-70.
    """
    from statsmodels.stats.multitest import multipletests

    out = table.copy()
    out["p_holm"] = float("nan")
    have = out["p_value"].notna()
    if not have.any():
        return out
    keys = out["hypothesis"] if "hypothesis" in out.columns else pd.Series(out.index.astype(str), index=out.index)
    per_hypothesis = out.loc[have, "p_value"].groupby(keys[have], sort=False).max()
    adjusted = pd.Series(multipletests(per_hypothesis.to_numpy(float), method="holm")[1], index=per_hypothesis.index)
    out.loc[have, "p_holm"] = keys[have].map(adjusted).to_numpy(float)
    return out


def with_between_report_interval(tests: pd.DataFrame, ledger: Ledger, view: ReportView) -> pd.DataFrame:
    """Add ``ci_low_reports`` / ``ci_high_reports`` to comparisons against the previous report, at ``view.alpha``.

    Two reports rest on different sets of councils, so their difference carries the between-report
    variance tau2 of the group's random-effects trend (default versions; see
    :func:`helpers.stats.random_effects.between_report_variance`) on top of sampling, with a t reference on the
    trend's degrees of freedom. Other rows (same report, same councils) are left empty.
    """
    from helpers.stats.random_effects import between_report_variance, risk_difference_between_reports

    out = tests.copy()
    out["ci_low_reports"] = out["ci_high_reports"] = float("nan")
    rows = out["comparison"] == "against the previous report"
    if not rows.any():
        return out
    variance = between_report_variance(ledger.figures, ledger.reports, sorted(set(out.loc[rows, "group"])))
    for idx in out.index[rows]:
        r = out.loc[idx]
        if r["group"] in variance:
            tau2, df = variance[r["group"]]
            _, low, high = risk_difference_between_reports(r["x1"], r["n1"], r["x2"], r["n2"], tau2, df, view.alpha)
            out.loc[idx, ["ci_low_reports", "ci_high_reports"]] = [low, high]
    return out
