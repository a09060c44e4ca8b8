"""Connect the claims checker to the ledger: the other denominators each report publishes."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from helpers.ledger.errors import DataError
from helpers.ledger.vocabulary import version_label

DENOMINATOR_MEASURES = ("in_care", "went_missing")


def denominators_by_report(figures: pd.DataFrame) -> dict[str, list[tuple[str, float]]]:
    """report_id -> [(label, value)] for every published count that can be a rate's denominator."""
    rows = figures[figures["measure"].isin(DENOMINATOR_MEASURES) & figures["value"].notna()]
    found: dict[str, dict[float, str]] = {}
    for row in rows.itertuples():
        label = f"{row.group.replace('_', ' ')} {row.measure.replace('_', ' ')} in {row.period}"
        if row.version != "single":
            label += f" as counted by {version_label(row.version)}"
        found.setdefault(row.report_id, {}).setdefault(row.value, label)
    return {rid: [(label, value) for value, label in values.items()] for rid, values in found.items()}


def alternatives_from(figures: pd.DataFrame) -> Callable[[dict], list[tuple[str, float]]]:
    """A function of a claim row giving the other denominators its report publishes.

    When the claim names the figure holding b (``figure_b``), only the same count for the same group
    and period counts as another denominator (the same population as published by another version or
    source, e.g. 2,335 against 2,638 trafficked children in care); otherwise every count of the claim's
    report that could be a denominator. A claim without ``report_id`` gets none.
    """
    table = denominators_by_report(figures)
    by_id = figures.set_index("figure_id")

    def alternatives(row) -> list[tuple[str, float]]:
        report_id = row.get("report_id", "") if hasattr(row, "get") else ""
        figure_b = row.get("figure_b", "") if hasattr(row, "get") else ""
        if isinstance(figure_b, str) and figure_b in by_id.index:
            b = by_id.loc[figure_b]
            same = figures[
                (figures["report_id"] == b["report_id"])
                & (figures["group"] == b["group"])
                & (figures["measure"] == b["measure"])
                & (figures["period"] == b["period"])
                & figures["value"].notna()
                & (figures["value"] != b["value"])
            ]
            return list(denominators_by_report(same).get(b["report_id"], []))
        return table.get(report_id, []) if isinstance(report_id, str) else []

    return alternatives


def ledger_alternatives(data_dir=None) -> Callable[[dict], list[tuple[str, float]]]:
    """Alternatives from the project's ledger; a broken ledger gives none rather than hiding the claims."""
    from helpers.ledger.tables import load_ledger

    try:
        return alternatives_from(load_ledger(data_dir).figures)
    except DataError:
        return lambda row: []
