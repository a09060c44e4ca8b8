"""The selection-bias E-value against DfE's rate under both DfE years a report's round overlaps.

A report's rate set beside DfE's census rate is selected on one side only (DfE's rate does not depend on
which councils answered), so its E-value is the two-parameter RR + √(RR(RR − 1)) of
:mod:`helpers.nonresponse.evalues`. The risk ratio itself depends on the DfE year: the collection pairs
the round with DfE's year ending March Y (``helpers.nonresponse.frame.PAIRING_RULE``) and the round also
overlaps the year ending March Y + 1 (see :mod:`helpers.stats.dfe_years`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.nonresponse.evalues import limit_nearer_one, risk_ratio_interval, selection_evalue
from helpers.stats.dfe_years import YEAR_CHOICE_MATTERS, dfe_rates, ratio_change

DFE_CONCLUSION = "trafficked above all looked-after (DfE)"

DFE_EVALUE_COLUMNS = [
    "dfe_year",
    "paired",
    "dfe_rate",
    "rate",
    "risk_ratio",
    "rr_low",
    "rr_high",
    "evalue_one_side",
    "evalue_limit_one_side",
]


def dfe_year_evalues(ledger, view) -> pd.DataFrame:
    """The E-value of "trafficked above all looked-after (DfE)" with DfE's paired year and with the next.

    The report's rate and counts are those of :func:`helpers.nonresponse.tipping.report_conclusions` (its
    latest year, the version with the smallest denominators); the paired DfE year is the one that
    conclusion uses (capped to the years held). ``view`` is the report's ReportView; its alpha sets the
    interval (sampling only, DfE's rate held fixed). Returns DFE_EVALUE_COLUMNS, one row per DfE year held
    (none when the report has no trafficked rate or the ledger no DfE rate).
    """
    from helpers.nonresponse.evalues import _counts
    from helpers.nonresponse.tipping import report_conclusions

    conclusions = report_conclusions(ledger.figures, ledger.reports, ledger.england_national, view)
    conclusions = conclusions[conclusions["conclusion"] == DFE_CONCLUSION]
    if conclusions.empty:
        return pd.DataFrame(columns=DFE_EVALUE_COLUMNS)
    row = conclusions.iloc[0]
    counts = _counts(ledger, view.report_id, "trafficked", row["observed"], view.alpha)
    dfe = dfe_rates(ledger.england_national)
    if dfe.empty:
        return pd.DataFrame(columns=DFE_EVALUE_COLUMNS)
    # the year report_conclusions pairs: the report's latest year, capped to the DfE years held
    paired = int(min(max(int(view.went_missing["year"].max()), dfe.index.min()), dfe.index.max()))
    rows = []
    for year in (paired, paired + 1):
        if year not in dfe.index:
            continue
        if counts is None:
            rr, low, high = row["observed"] / dfe[year], np.nan, np.nan
        else:
            rr, low, high = risk_ratio_interval(*counts, float(dfe[year]), None, view.alpha)
        limit = np.nan if np.isnan(low) else limit_nearer_one(low, high)
        rows.append(
            {
                "dfe_year": year,
                "paired": year == paired,
                "dfe_rate": float(dfe[year]),
                "rate": float(row["observed"]),
                "risk_ratio": float(rr),
                "rr_low": low,
                "rr_high": high,
                "evalue_one_side": float(selection_evalue(rr, 2)),
                "evalue_limit_one_side": np.nan if np.isnan(limit) else float(selection_evalue(limit, 2)),
            }
        )
    return pd.DataFrame(rows, columns=DFE_EVALUE_COLUMNS)


def dfe_year_matters(table: pd.DataFrame, threshold: float = YEAR_CHOICE_MATTERS) -> bool:
    """True when the next DfE year moves the risk ratio or its E-value by more than ``threshold``."""
    if len(table) < 2:
        return False
    first, second = table.iloc[0], table.iloc[1]
    changes = [ratio_change(first[c], second[c]) for c in ("risk_ratio", "evalue_one_side")]
    return any(abs(c) > threshold for c in changes)
