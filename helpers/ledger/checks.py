"""Checks that span rows or tables, which a per-column schema cannot express.

Each check returns lines of the form ``data/figures.csv line 12 (figure_id x): column 'value': ...``.
Line numbers count the header as line 1, so the first data row is line 2.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

# (numerator measure, denominator measure): a count that can never exceed the other for one population.
NESTED_MEASURES = [("went_missing", "in_care"), ("not_found", "went_missing")]
SHARE_MEASURES = {"went_missing_pct", "not_found_pct", "regional_share_pct", "share_of_council_care_pct"}
FIGURE_KEY = ["report_id", "version", "group", "measure", "period", "geography"]
POPULATION_KEY = ["report_id", "version", "group", "period", "geography"]


def _line(index: int) -> int:
    return int(index) + 2


def value_flag_problems(figures: pd.DataFrame, where: str) -> list[str]:
    """A figure has either a value or a flag saying why it is missing, never both or neither."""
    problems = []
    for idx, row in figures.iterrows():
        has_value, has_flag = pd.notna(row["value"]), pd.notna(row["value_flag"])
        if has_value == has_flag:
            state = "both a value and a flag" if has_value else "neither a value nor a flag"
            problems.append(
                f"{where} line {_line(idx)} (figure_id {row['figure_id']}): column 'value_flag': "
                f"has {state}; an empty value needs value_flag not_found or suppressed"
            )
    return problems


COUNT_UNITS = {"children", "councils", "episodes", "episodes_per_child"}


def negative_count_problems(figures: pd.DataFrame, where: str) -> list[str]:
    """Counts of children, councils and episodes are never negative (changes may be)."""
    bad = figures[figures["unit"].isin(COUNT_UNITS) & (figures["value"] < 0)]
    return [
        f"{where} line {_line(i)} (figure_id {r['figure_id']}): column 'value': {r['value']:g} is negative, "
        f"but a count of {r['unit'].replace('_', ' ')} cannot be"
        for i, r in bad.iterrows()
    ]


def zero_count_problems(figures: pd.DataFrame, where: str) -> list[str]:
    """A count of 0 in the ledger is almost always a suppressed or missing figure typed as zero.

    The reports never publish a zero count; a figure that truly is zero must say so in its note (the
    word "zero"), so that a 0 typed in place of an empty value and its flag cannot pass unnoticed.
    """
    note = figures["note"].fillna("").str.lower() if "note" in figures else pd.Series("", index=figures.index)
    bad = figures[figures["unit"].isin(COUNT_UNITS) & (figures["value"] == 0) & ~note.str.contains("zero")]
    return [
        f"{where} line {_line(i)} (figure_id {r['figure_id']}): column 'value': 0 without a value_flag; a "
        "suppressed or unknown figure is left empty with value_flag suppressed or not_found (a true zero "
        "says 'zero' in its note)"
        for i, r in bad.iterrows()
    ]


def share_range_problems(figures: pd.DataFrame, where: str) -> list[str]:
    """Shares of a whole lie between 0 and 100 per cent."""
    shares = figures[figures["measure"].isin(SHARE_MEASURES) & (figures["value"] > 100)]
    return [
        f"{where} line {_line(i)} (figure_id {r['figure_id']}): column 'value': {r['value']:g} is above 100 "
        f"for the share measure {r['measure']}"
        for i, r in shares.iterrows()
    ]


def agreement_problems(figures: pd.DataFrame, where: str) -> list[str]:
    """Rows for the same figure (same report, version, group, measure, period, place) agree.

    A row that takes part in a known discrepancy (discrepancy_id set) may disagree: that is why it is
    flagged; so may a qualified wording ("more than 200"). Anything else is a typing slip or a missing
    version label.
    """
    # Approximate wordings ("more than 200") are not the figure itself, so they are not compared.
    exact = figures["qualifier"].isna() | (figures["qualifier"] == "exact")
    clean = figures[figures["discrepancy_id"].isna() & figures["value"].notna() & exact]
    problems = []
    for key, rows in clean.groupby(FIGURE_KEY, sort=False):
        if rows["value"].nunique() > 1:
            first = rows.index[0]
            for idx, row in rows.iloc[1:].iterrows():
                if row["value"] != rows.loc[first, "value"]:
                    problems.append(
                        f"{where} line {_line(idx)} (figure_id {row['figure_id']}): column 'value': "
                        f"{row['value']:g} disagrees with {rows.loc[first, 'value']:g} on line {_line(first)} for "
                        f"the same {'/'.join(map(str, key))}; give one a version or a discrepancy_id"
                    )
    return problems


def consensus_values(figures: pd.DataFrame) -> pd.DataFrame:
    """One value per figure key: the value the non-discrepant sources agree on.

    Where every source of a figure is flagged as discrepant, the first such value stands (it is still
    what was published); rows without a value are dropped.
    """
    known = figures[figures["value"].notna()].copy()
    # Prefer exact, undisputed rows: a source that agrees with the others and states the figure itself.
    known["_discrepant"] = known["discrepancy_id"].notna() | ~(
        known["qualifier"].isna() | (known["qualifier"] == "exact")
    )
    known = known.sort_values("_discrepant", kind="stable")
    # drop_duplicates keeps whole rows; groupby().first() would mix columns from different rows.
    first = known.drop_duplicates(FIGURE_KEY, keep="first").sort_index()
    return first.drop(columns="_discrepant")


def nesting_problems(figures: pd.DataFrame, where: str) -> list[str]:
    """Children who went missing cannot outnumber children in care; not found cannot outnumber missing."""
    values = consensus_values(figures)
    problems = []
    for part, whole in NESTED_MEASURES:
        merged = values[values["measure"] == part].merge(
            values[values["measure"] == whole], on=POPULATION_KEY, suffixes=("_part", "_whole")
        )
        for _, row in merged[merged["value_part"] > merged["value_whole"]].iterrows():
            idx = figures.index[figures["figure_id"] == row["figure_id_part"]][0]
            problems.append(
                f"{where} line {_line(idx)} (figure_id {row['figure_id_part']}): column 'value': "
                f"{part} {row['value_part']:g} exceeds {whole} {row['value_whole']:g} "
                f"(figure_id {row['figure_id_whole']}) for {row['group']} in {row['period']}"
            )
    return problems


def list_reference_problems(table: pd.DataFrame, column: str, valid: set[str], where: str, key: str) -> list[str]:
    """Semicolon-separated identifiers in ``column`` must all exist in ``valid``."""
    problems = []
    for idx, row in table.iterrows():
        for ident in str(row[column]).split(";"):
            ident = ident.strip()
            if ident and ident not in valid:
                problems.append(
                    f"{where} line {_line(idx)} ({key} {row[key]}): column '{column}': "
                    f"'{ident}' is not a source_id in sources.csv"
                )
    return problems


def headline_period_problems(reports: pd.DataFrame, figures: pd.DataFrame, where: str) -> list[str]:
    """Each report's headline period has figures in the ledger."""
    problems = []
    for idx, row in reports.iterrows():
        mine = figures[(figures["report_id"] == row["report_id"]) & (figures["period"] == row["headline_period"])]
        if mine.empty:
            problems.append(
                f"{where} line {_line(idx)} (report_id {row['report_id']}): column 'headline_period': "
                f"no figures in figures.csv for period {row['headline_period']}"
            )
    return problems


def claim_operand_problems(claims: pd.DataFrame, figures: pd.DataFrame, where: str) -> list[str]:
    """A claim that names the figure holding an operand uses that figure's value."""
    values = figures.set_index("figure_id")["value"]
    problems = []
    for idx, row in claims.iterrows():
        for operand in ("a", "b"):
            fid = row[f"figure_{operand}"]
            if pd.notna(fid) and fid in values.index and pd.notna(values[fid]) and values[fid] != row[operand]:
                problems.append(
                    f"{where} line {_line(idx)} (claim_id {row['claim_id']}): column '{operand}': "
                    f"{row[operand]:g} differs from {values[fid]:g} in figure {fid}"
                )
    return problems


def claim_comparability_problems(claims: pd.DataFrame, figures: pd.DataFrame, where: str) -> list[str]:
    """A claim is marked not comparable exactly when its two figures carry different comparability marks.

    A claim dividing a figure marked (say) different_council_set by one without the mark cannot be
    checked, so it must say so; a claim whose figures agree must not. Tables without the columns pass.
    """
    if "comparability" not in claims.columns or "comparability" not in figures.columns:
        return []
    marks = figures.set_index("figure_id")["comparability"].fillna("")
    problems = []
    for idx, row in claims.iterrows():
        fa, fb = row["figure_a"], row["figure_b"]
        if pd.isna(fa) or pd.isna(fb) or fa not in marks.index or fb not in marks.index:
            continue
        mixed = marks[fa] != marks[fb]
        expected = (marks[fa] or marks[fb]) if mixed else ""
        stated = "" if pd.isna(row["comparability"]) else row["comparability"]
        if stated != expected:
            reason = f"figures {fa} ({marks[fa] or 'unmarked'}) and {fb} ({marks[fb] or 'unmarked'}) " + (
                "differ, so the claim cannot be checked" if mixed else "are comparable"
            )
            problems.append(
                f"{where} line {_line(idx)} (claim_id {row['claim_id']}): column 'comparability': "
                f"{stated or 'empty'!r} should be {expected or 'empty'!r}: {reason}"
            )
    return problems


def version_problems(versions: pd.DataFrame, figures: pd.DataFrame, where: str, figures_where: str) -> list[str]:
    """Every version a figure names is declared in versions.csv, and each report there has one default.

    ``single`` (figures shared by every version of a report, or a report with one set of figures) needs
    no row; it is reserved, so versions.csv may not declare it either.
    """
    from helpers.ledger.versions import SINGLE

    problems = []
    declared = set(zip(versions["report_id"], versions["version"]))
    for idx, row in figures.iterrows():
        if row["version"] != SINGLE and (row["report_id"], row["version"]) not in declared:
            valid = sorted(v for r, v in declared if r == row["report_id"])
            problems.append(
                f"{figures_where} line {_line(idx)} (figure_id {row['figure_id']}): column 'version': "
                f"{row['version']!r} is not a version of {row['report_id']} in versions.csv (declared: "
                f"{', '.join([SINGLE, *valid])}); add a row to versions.csv or use {SINGLE}"
            )
    for idx, row in versions[versions["version"] == SINGLE].iterrows():
        problems.append(
            f"{where} line {_line(idx)} (report_id {row['report_id']}): column 'version': {SINGLE} is reserved "
            "for figures shared by every version; give the version its own name"
        )
    for report_id, part in versions.groupby("report_id", sort=False):
        defaults = int(part["is_default"].fillna(False).astype(bool).sum())
        if defaults != 1:
            problems.append(
                f"{where} line {_line(part.index[0])} (report_id {report_id}): column 'is_default': "
                f"{defaults} default versions ({', '.join(part['version'])}); exactly one must be true"
            )
    return problems


def cross_table_problems(tables: dict[str, pd.DataFrame], display: Callable[[str], str]) -> list[str]:
    """Run every cross-row and cross-table check on typed tables; ``display`` names a table's file."""
    problems: list[str] = []
    figures = tables.get("figures")
    if figures is not None:
        where = display("figures")
        problems += value_flag_problems(figures, where)
        problems += negative_count_problems(figures, where)
        problems += zero_count_problems(figures, where)
        problems += share_range_problems(figures, where)
        problems += agreement_problems(figures, where)
        problems += nesting_problems(figures, where)
    if "reports" in tables and figures is not None:
        problems += headline_period_problems(tables["reports"], figures, display("reports"))
    if tables.get("versions") is not None and figures is not None:
        problems += version_problems(tables["versions"], figures, display("versions"), display("figures"))
    if "discrepancies" in tables and "sources" in tables:
        problems += list_reference_problems(
            tables["discrepancies"],
            "source_ids",
            set(tables["sources"]["source_id"]),
            display("discrepancies"),
            "discrepancy_id",
        )
    if "claims" in tables and figures is not None:
        problems += claim_operand_problems(tables["claims"], figures, display("claims"))
        problems += claim_comparability_problems(tables["claims"], figures, display("claims"))
    return problems
