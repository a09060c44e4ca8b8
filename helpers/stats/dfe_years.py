"""The two DfE years an FOI round overlaps, and how much a ratio to DfE's rate depends on the choice.

The collection pairs a round counting year Y with DfE's year ending 31 March Y (the rule is stated once, in
``helpers.nonresponse.frame.PAIRING_RULE`` and the glossary). The round also overlaps DfE's year ending
31 March Y + 1: by nine months when it counts calendar year Y, by about six when it counts the year to
September Y. Where DfE's rate moved between those two years, a report's rate divided by DfE's depends on
which year stands beside it. ``dfe_year_table`` gives the ratio under both years and says whether the
choice moves it by more than ``YEAR_CHOICE_MATTERS`` (10%), the point at which both are shown.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: A ratio that moves by more than this share when the other DfE year is used is shown under both years.
YEAR_CHOICE_MATTERS = 0.10

DFE_YEAR_COLUMNS = [
    "group",
    "period",
    "version",
    "rate",
    "dfe_year",
    "dfe_rate",
    "ratio",
    "other_year",
    "other_rate",
    "other_ratio",
    "change",
    "matters",
]


def dfe_rates(national: pd.DataFrame) -> pd.Series:
    """DfE's share of children looked after during the year (England) recorded as missing, by year end."""
    from helpers.stats.series import england_baseline

    baseline = england_baseline(national)
    return pd.Series(baseline["rate"].to_numpy(float), index=baseline["year"].astype(int), name="dfe_rate")


def ratio_change(ratio: float, other_ratio: float) -> float:
    """How far the other year moves the ratio, as a share of the paired year's ratio (NaN if not held)."""
    return other_ratio / ratio - 1 if np.isfinite(other_ratio) else float("nan")


def dfe_year_table(rates: pd.DataFrame, dfe: pd.Series, threshold: float = YEAR_CHOICE_MATTERS) -> pd.DataFrame:
    """Each report rate over DfE's rate for the paired year (year ending March Y) and for the next (Y + 1).

    Parameters
    ----------
    rates : DataFrame
        Report rates with ``group``, ``period``, ``version``, ``year`` and ``rate`` (a headline table).
        Rows whose paired DfE year is not held are left out, as in the report's benchmark table.
    dfe : Series
        DfE's rate by year end (:func:`dfe_rates`).
    threshold : float
        ``matters`` is True where the other year moves the ratio by more than this share of it.

    Returns
    -------
    DataFrame
        DFE_YEAR_COLUMNS; ``other_*`` are NaN (and ``matters`` False) where DfE's next year is not held.
    """
    rows = []
    for row in rates.itertuples(index=False):
        year = int(row.year)
        if year not in dfe.index:
            continue
        other = year + 1
        other_rate = float(dfe[other]) if other in dfe.index else float("nan")
        ratio = row.rate / float(dfe[year])
        other_ratio = row.rate / other_rate
        change = ratio_change(ratio, other_ratio)
        rows.append(
            {
                "group": row.group,
                "period": row.period,
                "version": row.version,
                "rate": float(row.rate),
                "dfe_year": year,
                "dfe_rate": float(dfe[year]),
                "ratio": ratio,
                "other_year": other,
                "other_rate": other_rate,
                "other_ratio": other_ratio,
                "change": change,
                "matters": bool(np.isfinite(change) and abs(change) > threshold),
            }
        )
    return pd.DataFrame(rows, columns=DFE_YEAR_COLUMNS)
