"""The report notebook's comparisons and sensitivity intervals in words: tables to read, findings in sentences.

The numbers come from :mod:`helpers.stats.comparisons` and :mod:`helpers.stats.clustering`; this module
only formats them (per cent, percentage points, interval names) and writes the sentences about them.
"""

from __future__ import annotations

import pandas as pd

from helpers.ledger.checks import POPULATION_KEY
from helpers.ledger.tables import Ledger
from helpers.ledger.vocabulary import GROUP_LABELS, MEASURE_WORDS, NO_FIGURE, version_label
from helpers.stats.comparisons import BETWEEN_REPORTS, row_label
from helpers.stats.rates import PAIRS
from helpers.stats.report_view import ReportView


def _p(p) -> str:
    return "-" if pd.isna(p) else (f"{p:.3f}" if p >= 0.001 else "<0.001")


def _p_range(low, high) -> str:
    """Two p-values as a range ('0.030 to 0.109'), or one when they read the same ('<0.001')."""
    return _p(low) if _p(low) == _p(high) else f"{_p(low)} to {_p(high)}"


#: What the sampling-only columns say for a comparison between two reports (different sets of councils).
NOT_BETWEEN_REPORTS = "not shown: different councils"


def display_comparisons(table: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Comparisons formatted for reading: rates as per cent, differences in percentage points.

    With a ``p_holm`` column (from :func:`holm_adjust`) the Holm-adjusted p-value is shown beside the raw one;
    with the columns of :func:`helpers.stats.clustering.with_design_effect_p`, the p-value at both ends of
    the design effects DfE's councils imply.
    Each interval's header names what it is; a comparison between reports shows no sampling-only interval
    or p-value, only the random-effects interval.
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
            # Between reports the councils differ, so a sampling-only interval understates the
            # uncertainty by more than its width: it is not shown there (the random-effects one is).
            f"{level} CI (sampling only), points": [
                NOT_BETWEEN_REPORTS if c == BETWEEN_REPORTS else f"{100 * lo:+.1f} to {100 * hi:+.1f}"
                for lo, hi, c in zip(table["ci_low"], table["ci_high"], table["comparison"])
            ],
            "p-value": [no_p if c == BETWEEN_REPORTS else _p(p) for p, c in zip(table["p_value"], table["comparison"])],
        }
    )
    if "p_holm" in table.columns:
        shown["p-value, Holm-adjusted"] = [
            no_p if c == BETWEEN_REPORTS else _p(p) for p, c in zip(table["p_holm"], table["comparison"])
        ]
    if "p_deff_high" in table.columns and table["p_deff_high"].notna().any():
        shown["p-value at the design effects DfE's councils imply (derived, not measured)"] = [
            "-" if pd.isna(high) else f"{_p_range(low, high)} (d {d1} and {d2})"
            for low, high, d1, d2 in zip(
                table["p_deff_low"], table["p_deff_high"], table["deff_first"], table["deff_second"]
            )
        ]
    if "ci_low_reports" in table.columns and table["ci_low_reports"].notna().any():
        shown[f"{level} CI (random effects, t on k−2 df), points"] = [
            "-" if pd.isna(lo) else f"{100 * lo:+.1f} to {100 * hi:+.1f}"
            for lo, hi in zip(table["ci_low_reports"], table["ci_high_reports"])
        ]
    return shown


def design_effect_p_sentences(tests: pd.DataFrame) -> list[str]:
    """One sentence per year-against-year comparison within one FOI round with p-values at its design effects.

    ``tests`` carries the columns of :func:`helpers.stats.clustering.with_design_effect_p`. The p-value
    treating children as independent is set beside the range it takes when each rate's councils differ
    as much as DfE's do (an assumption, not a measurement).
    """
    if "p_deff_high" not in tests.columns:
        return []
    out = []
    for row in tests[tests["p_deff_high"].notna() & (tests["comparison"] == "year against year")].itertuples():
        out.append(
            f"{row.second[:1].upper() + row.second[1:]} against {row.first} ({row.comparison}, one FOI round): "
            f"{100 * row.difference:+.1f} points, p {_p(row.p_value)} treating the children as independent; "
            f"p {_p_range(row.p_deff_low, row.p_deff_high)} if the councils differ as much as DfE's do (design "
            f"effects {row.deff_first} and {row.deff_second}, derived from DfE's council data, not measured; "
            f"{row.p_deff_basis})."
        )
    return out


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
    headlines: pd.DataFrame,
    tests: pd.DataFrame,
    benchmark: pd.DataFrame,
    headline_period: str,
    alpha: float = 0.05,
    dfe_years: pd.DataFrame | None = None,
) -> list[str]:
    """The report's findings in sentences, computed from its headline table and comparisons.

    One sentence per went-missing rate in the headline period (count, rate, the 95% CI (sampling only), and,
    with the columns of :func:`helpers.stats.clustering.with_sensitivity`, the range of design effects
    DfE's council spread implies with the sensitivity interval at its upper end, and the one for d = 3);
    one on each trafficked-against-unaccompanied comparison (with its p-value at the implied design
    effects, when ``tests`` has them); one on each year-against-year comparison within one FOI round that
    has them (:func:`design_effect_p_sentences`); one on each change from the previous report with its
    between-report interval (when ``tests`` has ``ci_low_reports``); one on the DfE contrast (with
    ``dfe_years``, a :func:`helpers.stats.dfe_years.dfe_year_table`, also the ratios to DfE's next year
    where that year moves them by more than 10%); one on pairs that cannot be computed.
    """
    level = f"{1 - alpha:.0%}"
    out = []
    main = headlines[
        (headlines["measure"] == "went_missing") & (headlines["period"].astype(str) == str(headline_period))
    ]
    for row in main.itertuples():
        label = row_label(row)  # group, period and the version's readable label
        text = (
            f"{label[:1].upper() + label[1:]}: {row.numerator:,} of {row.denominator:,} were recorded by their "
            f"council as missing ({row.rate:.1%}; {level} CI (sampling only) {row.ci_low:.1%} to {row.ci_high:.1%}"
        )
        if pd.notna(getattr(row, "sens_low_deff_implied", float("nan"))):
            text += (
                f"; design effect {deff_range_text(row.deff_low, row.deff_high)} derived from DfE's council data "
                f"(assumed, not measured), sensitivity interval (design effect {row.deff_high:.2f}) "
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
            + (
                f"; p {_p_range(row.p_deff_low, row.p_deff_high)} at the design effects DfE's councils imply"
                if pd.notna(getattr(row, "p_deff_high", float("nan")))
                else ""
            )
            + ")."
        )
    out.extend(design_effect_p_sentences(tests))
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
        other = ""
        if dfe_years is not None and len(dfe_years) and dfe_years["matters"].any():
            moved = dfe_years[dfe_years["matters"]]
            low, high = moved["other_ratio"].min(), moved["other_ratio"].max()
            to = f"about {low:.1f}" if f"{low:.1f}" == f"{high:.1f}" else f"between about {low:.1f} and {high:.1f}"
            other = (
                f" (against DfE's next year, which each round also overlaps, {len(moved)} of them move by more "
                f"than 10%, to {to} times)"
            )
        out.append(
            f"Against all looked-after children in England (DfE), the report's rates are {span} times DfE's{other}; "
            "a contrast between different populations (DfE's count includes the report's children who were in "
            "English care), and council definitions of missing and absent vary, "
            "so no test is applied."
        )
    if "comparability" in headlines.columns and (headlines["comparability"] == "different_council_set").any():
        n = int((headlines["comparability"] == "different_council_set").sum())
        out.append(f"{n} published share(s) divide counts from different sets of councils and cannot be computed.")
    return out


def deff_range_text(low, high) -> str:
    """The implied design effect as a range in words: 1.403, 1.684 -> '1.40–1.68' (one value if they agree)."""
    return f"{low:.2f}" if f"{low:.2f}" == f"{high:.2f}" else f"{low:.2f}–{high:.2f}"


def _span(low, high) -> str:
    return "not computable (two council sets)" if pd.isna(low) else f"{low:.1%} to {high:.1%}"


def display_sensitivity(table: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """A :func:`with_sensitivity` table for reading: each interval named, the DfE-derived design effects marked.

    One row per went-missing or not-found pair; columns: version, group, period, measure, rate,
    "95% CI (sampling only)", one "sensitivity interval (design effect d)" per grid value above 1, and
    the range of design effects DfE's council spread implies (derived, not measured) and the interval at
    its upper end, with that d printed beside it.
    """
    level = f"{1 - alpha:.0%}"  # alpha is checked where the table was computed (with_sensitivity)
    shown = pd.DataFrame(
        {
            "version": table["version"].map(version_label),
            "group": table["group"].map(lambda g: GROUP_LABELS.get(g, g)),
            "period": table["period"],
            "measure": table["measure"].map(lambda m: MEASURE_WORDS.get(m, str(m).replace("_", " "))),
            "rebuilt rate": [
                "not computable" if pd.isna(lo) else f"{r:.1%}" for r, lo in zip(table["rate"], table["ci_low"])
            ],
            f"{level} CI (sampling only)": [_span(lo, hi) for lo, hi in zip(table["ci_low"], table["ci_high"])],
        }
    )
    grid = [c[len("sens_low_deff_") :] for c in table.columns if c.startswith("sens_low_deff_")]
    for label in grid:
        if label in ("1", "implied"):
            continue  # d = 1 is the sampling-only interval; the implied one comes last, marked
        lows, highs = table[f"sens_low_deff_{label}"], table[f"sens_high_deff_{label}"]
        name = label.replace("_", ".")
        shown[f"{level} sensitivity interval (design effect {name})"] = [_span(lo, hi) for lo, hi in zip(lows, highs)]
    if "sens_low_deff_implied" in table.columns:
        # the councils the range rests on sit in its cell, not a column of their own: one column fewer keeps
        # the table within a 1280 px page (tests/present/test_site.py)
        shown["implied design effect (derived, not measured)"] = [
            "-" if pd.isna(high) else f"{deff_range_text(low, high)} (DfE {years}; {_councils_words(n, basis)})"
            for low, high, years, n, basis in zip(
                table["deff_low"], table["deff_high"], table["deff_years"], table["deff_councils"], table["deff_basis"]
            )
        ]
        shown[f"{level} sensitivity interval (top of implied d)"] = [
            "no council count published"
            if pd.isna(d) and pd.notna(c)
            else _span(lo, hi) + ("" if pd.isna(d) else f" (d = {d:.2f})")
            for lo, hi, d, c in zip(
                table["sens_low_deff_implied"], table["sens_high_deff_implied"], table["deff_high"], table["ci_low"]
            )
        ]
    return shown.reset_index(drop=True)


def _councils_words(n, basis: str) -> str:
    """The councils a design effect rests on: "135 councils answering for this group"."""
    return basis if pd.isna(n) else f"{n:,.0f} {basis}"


def other_figures(ledger: Ledger, view: ReportView) -> pd.DataFrame:
    """The report's figures that are not rebuilt as rates or shown as council counts, as published.

    ``view`` is the report's :class:`helpers.stats.report_view.ReportView` (its headline table says which
    figures are rebuilt as rates).
    """
    figures = ledger.figures[ledger.figures["report_id"] == view.report_id]
    pair_measures = {m for pair in PAIRS for m in pair}
    paired = view.headlines[POPULATION_KEY].drop_duplicates()
    pct_measures = {pct for _, _, pct in PAIRS}
    keyed = figures.merge(paired.assign(_paired=True), on=POPULATION_KEY, how="left")
    keep = ~keyed["measure"].isin(pair_measures) & ~keyed["measure"].str.startswith("councils_")
    keep |= keyed["measure"].isin(pct_measures) & keyed["_paired"].isna()
    shown = keyed[keep.to_numpy()]
    return pd.DataFrame(
        {
            "version": shown["version"].map(version_label),
            "group": shown["group"],
            "measure": shown["measure"].map(lambda m: MEASURE_WORDS.get(m, str(m).replace("_", " "))),
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
