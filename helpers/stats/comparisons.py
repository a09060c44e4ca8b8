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

from helpers.ledger.checks import POPULATION_KEY
from helpers.ledger.tables import Ledger
from helpers.ledger.vocabulary import GROUP_LABELS, NO_FIGURE, version_label
from helpers.stats.rates import PAIRS, headline_table

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


def _label(row, with_report: bool = False, titles: dict | None = None) -> str:
    if row.report_id == "dfe":
        return row.group
    text = f"{GROUP_LABELS.get(row.group, row.group)}, {row.period}"
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
        "first": _label(first, with_report, titles),
        "x1": int(first.numerator),
        "n1": int(first.denominator),
        "second": _label(second, with_report, titles),
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


def with_between_report_interval(tests: pd.DataFrame, ledger: Ledger, alpha: float = 0.05) -> pd.DataFrame:
    """Add ``ci_low_reports`` / ``ci_high_reports`` to comparisons against the previous report.

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
            _, low, high = risk_difference_between_reports(r["x1"], r["n1"], r["x2"], r["n2"], tau2, df, alpha)
            out.loc[idx, ["ci_low_reports", "ci_high_reports"]] = [low, high]
    return out


def _p(p) -> str:
    return "-" if pd.isna(p) else (f"{p:.3f}" if p >= 0.001 else "<0.001")


def display_comparisons(table: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Comparisons formatted for reading: rates as per cent, differences in percentage points.

    With a ``p_holm`` column (from :func:`holm_adjust`) the Holm-adjusted p-value is shown beside the raw one.
    Each interval's header names what it is; a comparison between reports shows no sampling-only p-value.
    """
    level = f"{1 - alpha:.0%}"
    no_p = "none: different councils"
    shown = pd.DataFrame(
        {
            "comparison": table["comparison"],
            "first": [
                f"{f}: {x:,} of {n:,} = {r:.1%}"
                for f, x, n, r in zip(table["first"], table["x1"], table["n1"], table["rate1"])
            ],
            "second": [
                f"{f}: {x:,} of {n:,} = {r:.1%}"
                for f, x, n, r in zip(table["second"], table["x2"], table["n2"], table["rate2"])
            ],
            "difference (points)": [f"{100 * d:+.1f}" for d in table["difference"]],
            f"{level} CI (sampling only), points": [
                f"{100 * lo:+.1f} to {100 * hi:+.1f}" for lo, hi in zip(table["ci_low"], table["ci_high"])
            ],
            "p-value": [no_p if c == BETWEEN_REPORTS else _p(p) for p, c in zip(table["p_value"], table["comparison"])],
        }
    )
    if "p_holm" in table.columns:
        shown["p-value, Holm-adjusted"] = [
            no_p if c == BETWEEN_REPORTS else _p(p) for p, c in zip(table["p_holm"], table["comparison"])
        ]
    if "ci_low_reports" in table.columns and table["ci_low_reports"].notna().any():
        shown[f"{level} CI (random effects, t on k−2 df), points"] = [
            "-" if pd.isna(lo) else f"{100 * lo:+.1f} to {100 * hi:+.1f}"
            for lo, hi in zip(table["ci_low_reports"], table["ci_high_reports"])
        ]
    return shown


def display_benchmark(table: pd.DataFrame) -> pd.DataFrame:
    """DfE contrasts as orders of magnitude: whole per cent, whole points, and how many times the DfE rate.

    No interval and no p-value (see :func:`split_benchmark`); rounding as coarse as the comparison.
    """
    return pd.DataFrame(
        {
            "group in the report": table["second"],
            "report rate": [f"{r:.0%}" for r in table["rate2"]],
            "DfE (England, all looked-after children)": [f"{r:.0%}" for r in table["rate1"]],
            "difference (points)": [f"{100 * d:+.0f}" for d in table["difference"]],
            "times the DfE rate": [f"about {r2 / r1:.1f}" for r1, r2 in zip(table["rate1"], table["rate2"])],
        }
    )


def report_findings(
    headlines: pd.DataFrame, tests: pd.DataFrame, benchmark: pd.DataFrame, headline_period: str, alpha: float = 0.05
) -> list[str]:
    """The report's findings in sentences, computed from its headline table and comparisons.

    One sentence per went-missing rate in the headline period (count, rate, the 95% CI (sampling only), and,
    with the columns of :func:`helpers.stats.clustering.with_sensitivity`, the sensitivity interval for
    the DfE-implied design effect and for d = 3); one on each trafficked-against-unaccompanied
    comparison; one on each change from the previous report with its between-report interval (when
    ``tests`` has ``ci_low_reports``); one on the DfE contrast; one on pairs that cannot be computed.
    """
    level = f"{1 - alpha:.0%}"
    out = []
    main = headlines[
        (headlines["measure"] == "went_missing") & (headlines["period"].astype(str) == str(headline_period))
    ]
    for row in main.itertuples():
        label = _label(row)  # group, period and the version's readable label
        text = (
            f"{label[:1].upper() + label[1:]}: {row.numerator:,} of {row.denominator:,} were recorded by their "
            f"council as missing ({row.rate:.1%}; {level} CI (sampling only) {row.ci_low:.1%} to {row.ci_high:.1%}"
        )
        if pd.notna(getattr(row, "sens_low_deff_implied", float("nan"))):
            text += (
                f"; sensitivity interval (design effect {row.deff:.2f}, implied by DfE's council data) "
                f"{row.sens_low_deff_implied:.1%} to {row.sens_high_deff_implied:.1%}"
            )
        if pd.notna(getattr(row, "sens_low_deff_3", float("nan"))):
            text += f"; sensitivity interval (design effect 3) {row.sens_low_deff_3:.1%} to {row.sens_high_deff_3:.1%}"
        text += ")."
        if row.group == "trafficked_or_unaccompanied":
            text += " This counts places in either group and may count a child twice: an upper bound."
        out.append(text)
    for row in tests[tests["comparison"] == "trafficked against unaccompanied"].itertuples():
        holm = getattr(row, "p_holm", float("nan"))
        out.append(
            f"{row.second[:1].upper() + row.second[1:]} against {row.first}: {100 * row.difference:+.1f} points ({level} CI "
            f"(sampling only) {100 * row.ci_low:+.1f} to {100 * row.ci_high:+.1f}, treating the groups as independent"
            + (f"; Holm-adjusted p {_p(holm)}" if pd.notna(holm) else "")
            + ")."
        )
    if "ci_low_reports" in tests.columns:
        for row in tests[tests["ci_low_reports"].notna()].itertuples():
            holds = "includes" if row.ci_low_reports <= 0 <= row.ci_high_reports else "excludes"
            out.append(
                f"{row.second[:1].upper() + row.second[1:]} against {row.first}: {100 * row.difference:+.1f} points; "
                f"allowing for the variation between reports the {level} CI (random effects, t on k−2 df) runs from "
                f"{100 * row.ci_low_reports:+.1f} to {100 * row.ci_high_reports:+.1f} and {holds} no change."
            )
    if len(benchmark):
        low, high = (benchmark["rate2"] / benchmark["rate1"]).min(), (benchmark["rate2"] / benchmark["rate1"]).max()
        span = f"about {low:.1f}" if f"{low:.1f}" == f"{high:.1f}" else f"between about {low:.1f} and {high:.1f}"
        out.append(
            f"Against all looked-after children in England (DfE), the report's rates are {span} times DfE's; "
            "a contrast between different populations (DfE's count includes the report's children who were in "
            "English care), and council definitions of missing and absent vary, "
            "so no test is applied."
        )
    if "comparability" in headlines.columns and (headlines["comparability"] == "different_council_set").any():
        n = int((headlines["comparability"] == "different_council_set").sum())
        out.append(f"{n} published share(s) divide counts from different sets of councils and cannot be computed.")
    return out


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
    return pd.DataFrame(
        {
            "version": shown["version"].map(version_label),
            "group": shown["group"],
            "measure": shown["measure"].str.replace("_", " "),
            "period": shown["period"],
            "geography": shown["geography"],
            "value": [
                (NO_FIGURE if pd.isna(v) else f"{v:,g}") + ("" if pd.isna(q) else f" ({q.replace('_', ' ')})")
                for v, q in zip(shown["value"], shown["qualifier"])
            ],
            "unit": shown["unit"].str.replace("_", " "),
            "source": shown["source_id"],
            "discrepancy": shown["discrepancy_id"].fillna("-"),
        }
    ).reset_index(drop=True)
