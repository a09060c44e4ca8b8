"""Ratios to DfE's rate in words, under both DfE years where the choice of year matters.

The numbers come from :func:`helpers.stats.dfe_years.dfe_year_table` (a report rate over DfE's rate for the
paired year and for the next) and :func:`helpers.nonresponse.dfe_evalues.dfe_year_evalues` (the E-value
against DfE under each year). Where the next year moves a ratio by more than
``helpers.stats.dfe_years.YEAR_CHOICE_MATTERS`` both are stated; otherwise one sentence says so.
"""

from __future__ import annotations

import pandas as pd

from helpers.ledger.vocabulary import GROUP_LABELS, period_words, version_label
from helpers.present.glossary import term_link
from helpers.stats.dfe_years import YEAR_CHOICE_MATTERS


def _year(year: int) -> str:
    return f"DfE's rate for the year to March {year}"


def _rate_label(row) -> str:
    text = f"{GROUP_LABELS.get(row.group, row.group)}, {period_words(row.period)}"
    if row.version != "single":
        text += f", {version_label(row.version)}"
    return text


def dfe_year_sentences(table: pd.DataFrame, threshold: float = YEAR_CHOICE_MATTERS) -> list[str]:
    """What the choice of DfE year does to each ratio of a :func:`dfe_year_table`, in sentences.

    One sentence per rate whose ratio moves by more than ``threshold`` (the table's ``matters``), giving
    both years; else one sentence saying no ratio moves that much (or that DfE's next year is not held).
    """
    rule = term_link("dfe-year", "the pairing rule")
    if table.empty:
        return ["DfE has no year matching this report's figures, so no ratio to DfE is shown."]
    matters = table[table["matters"]]
    if matters.empty:
        held = table[table["other_rate"].notna()]
        if held.empty:
            years = ", ".join(sorted({str(y) for y in table["other_year"]}))
            return [
                f"Each rate is set beside {_year(int(table['dfe_year'].iloc[0]))} by {rule}; the round also "
                f"overlaps DfE's year to March {years}, which the ledger does not hold yet, so only one year "
                "can be shown."
            ]
        largest = held["change"].abs().max()
        return [
            f"Each rate is set beside {_year(int(table['dfe_year'].iloc[0]))} by {rule}; using the next DfE "
            f"year, which the round also overlaps, would move no ratio by more than {threshold:.0%} "
            f"(at most {largest:.0%}), so one year is shown."
        ]
    out = []
    for row in matters.itertuples(index=False):
        label = _rate_label(row)
        out.append(
            f"{label[:1].upper() + label[1:]}: {row.rate:.1%} is about {row.ratio:.1f} times "
            f"{_year(row.dfe_year)} ({row.dfe_rate:.1%}), the year {rule} sets beside it, and about "
            f"{row.other_ratio:.1f} times {_year(row.other_year)} ({row.other_rate:.1%}), which the round "
            f"also overlaps: the choice of year moves the ratio by {abs(row.change):.0%}."
        )
    return out


def dfe_evalue_sentence(table: pd.DataFrame, matters: bool) -> str:
    """The E-value against DfE's rate under both DfE years (a :func:`dfe_year_evalues` table) in words."""
    if table.empty:
        return "No conclusion of this report is set against DfE's rate, so the choice of DfE year moves nothing here."
    evalue = term_link("e-value", "E-value")
    first = table.iloc[0]
    text = (
        f"Against {_year(int(first['dfe_year']))} ({first['dfe_rate']:.1%}), the year "
        f"{term_link('dfe-year', 'the pairing rule')} uses, the trafficked rate ({first['rate']:.1%}) is "
        f"{first['risk_ratio']:.1f} times DfE's and its {evalue} is {first['evalue_one_side']:.2f}"
    )
    if len(table) < 2:
        return text + "; DfE's next year, which the round also overlaps, is not in the ledger yet."
    second = table.iloc[1]
    against = (
        f"against {_year(int(second['dfe_year']))} ({second['dfe_rate']:.1%}), which the round also overlaps, "
        f"it is {second['risk_ratio']:.1f} times and the E-value {second['evalue_one_side']:.2f}"
    )
    if matters:
        return f"{text}; {against}. The choice of DfE year moves them by more than {YEAR_CHOICE_MATTERS:.0%}, so both are shown."
    return f"{text}; {against}, within {YEAR_CHOICE_MATTERS:.0%} of the first."
