"""Manski bounds for item non-response: children counted in care whose going-missing answer is unknown.

When a council reports how many trafficked children it looked after but not how many of them went
missing, those children could all have gone missing (best case for the headline's size, worst for the
children) or none of them (the other extreme). With no assumption at all, the true rate lies between

    low  = went_missing / counted
    high = (went_missing + unknown) / counted,   unknown = counted - answered

beside the respondents-only rate went_missing / answered, which assumes the unknown children went
missing as often as the known ones.
"""

from __future__ import annotations

import pandas as pd

from helpers.ledger.checks import consensus_values
from helpers.ledger.errors import ParameterError

BOUNDS_COLUMNS = [
    "report_id",
    "group",
    "period",
    "went_missing",
    "answered",
    "counted",
    "unknown",
    "low",
    "high",
    "respondents_only",
    "answered_version",
    "counted_version",
]


def _count(name: str, value) -> int:
    if isinstance(value, bool) or value is None or pd.isna(value) or float(value) != int(value):
        raise ParameterError(f"{name} must be a whole number of children; got {value!r}")
    if value < 0:
        raise ParameterError(f"{name}={value!r} is negative; a count of children must be 0 or more")
    return int(value)


def manski_bounds(went_missing, answered, counted) -> tuple[float, float, float]:
    """(low, high, respondents-only) rates, as fractions, for item non-response.

    ``went_missing`` of the ``answered`` children went missing; ``counted`` children were in care in all,
    ``counted - answered`` of them with no answer. Raises ParameterError naming the value and the valid
    range for negative counts, more missing than answered, or more answered than counted.
    """
    m, a, n = _count("went_missing", went_missing), _count("answered", answered), _count("counted", counted)
    if n == 0 or a == 0:
        raise ParameterError(f"answered={a} and counted={n} must both be at least 1")
    if m > a:
        raise ParameterError(f"went_missing={m} exceeds answered={a}; valid range 0 to {a}")
    if a > n:
        raise ParameterError(f"answered={a} exceeds counted={n}; valid range 1 to {n}")
    return m / n, (m + n - a) / n, m / a


def item_bounds(figures: pd.DataFrame, report_id: str) -> pd.DataFrame:
    """Bounds for every group of a report where two versions count different totals in care.

    The ledger shows item non-response where versions of one report agree on the number who went missing
    but give two totals in care (for *Until Harm Ends*, 2,335 children with an answer and 2,638 counted;
    discrepancy D1). The smaller total is taken as the children with an answer, the larger as all those
    counted. Groups whose versions also differ in who went missing (a revision, not non-response) are left
    out. Returns an empty table when the ledger holds no such pair.
    """
    values = consensus_values(figures[figures["report_id"] == report_id])
    rows = []
    for (group, period), part in values.groupby(["group", "period"], sort=False):
        missing = part.loc[part["measure"] == "went_missing", ["version", "value"]]
        in_care = part.loc[part["measure"] == "in_care", ["version", "value"]]
        if missing["value"].nunique() != 1 or in_care["value"].nunique() < 2:
            continue
        lo_row = in_care.loc[in_care["value"].idxmin()]
        hi_row = in_care.loc[in_care["value"].idxmax()]
        m, a, n = int(missing["value"].iloc[0]), int(lo_row["value"]), int(hi_row["value"])
        low, high, resp = manski_bounds(m, a, n)
        rows.append(
            {
                "report_id": report_id,
                "group": group,
                "period": period,
                "went_missing": m,
                "answered": a,
                "counted": n,
                "unknown": n - a,
                "low": low,
                "high": high,
                "respondents_only": resp,
                "answered_version": lo_row["version"],
                "counted_version": hi_row["version"],
            }
        )
    return pd.DataFrame(rows, columns=BOUNDS_COLUMNS)


def unit_bounds(rate: float, unknown_share: float) -> tuple[float, float]:
    """Bounds on the rate in all councils when a share ``unknown_share`` of the children is in silent councils.

    With the answering councils' rate ``rate`` and nothing known about the others, the overall rate lies
    between (1 - s) * rate (none of theirs went missing) and (1 - s) * rate + s (all of them did).
    """
    for name, value in (("rate", rate), ("unknown_share", unknown_share)):
        if not 0 <= value <= 1:
            raise ParameterError(f"{name}={value!r} is outside the valid range 0 to 1")
    return (1 - unknown_share) * rate, (1 - unknown_share) * rate + unknown_share
