"""Selection-bias E-values: how strong selection would have to be to explain a contrast of two rates away.

Smith LH, VanderWeele TJ. Bounding bias due to selection. *Epidemiology* 2019;30(6):835-837.

Their bounding factor for one group, with RR_UY the largest risk ratio between an unmeasured factor U and
the outcome (here: going missing) and RR_SU the largest ratio relating selection (here: a council
answering) to U, is

    BF = RR_UY x RR_SU / (RR_UY + RR_SU - 1).

An observed risk ratio RR can be explained away by selection only if the bias factor reaches RR. With
both parameters equal to E, BF = E^2 / (2E - 1), and BF = RR gives E^2 - 2 RR E + RR = 0, whose larger
root is

    E = RR + sqrt(RR (RR - 1))                  (two parameters: selection biases one side only).

When selection may bias both rates (the general case: four parameters, one pair per group, and the total
bias is the product of two factors), each factor need only reach sqrt(RR):

    E = sqrt(RR) + sqrt(sqrt(RR) (sqrt(RR) - 1))  (four parameters, all equal).

A risk ratio below 1 is inverted first. NumPy only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.ledger.errors import ParameterError

CITATION = "Smith and VanderWeele (2019), Epidemiology 30(6):835-837"


def _rr(rr) -> np.ndarray:
    rr = np.asarray(rr, float)
    if np.any(~np.isfinite(rr)) or np.any(rr <= 0):
        raise ParameterError(f"risk ratio={rr!r} must be a positive, finite number")
    return np.where(rr < 1, 1 / rr, rr)


def bounding_factor(rr_uy, rr_su):
    """Smith and VanderWeele's bias factor RR_UY x RR_SU / (RR_UY + RR_SU - 1)."""
    rr_uy, rr_su = np.asarray(rr_uy, float), np.asarray(rr_su, float)
    return rr_uy * rr_su / (rr_uy + rr_su - 1)


def selection_evalue(rr, parameters: int = 2):
    """The selection-bias E-value of a risk ratio (see the module docstring); 1 for RR = 1."""
    if parameters not in (2, 4):
        raise ParameterError(f"parameters={parameters!r} is not valid; valid values: 2, 4")
    r = _rr(rr)
    if parameters == 4:
        r = np.sqrt(r)
    return r + np.sqrt(r * (r - 1))


def evalue_table(two_sided: pd.DataFrame) -> pd.DataFrame:
    """One row per conclusion comparing two rates: risk ratio and both E-values (comparators that are
    censuses, such as DfE's rate, are selected too only on the observed side, so they get two parameters).

    Columns: conclusion, risk_ratio, evalue_one_side, evalue_both_sides (NaN where only one side moves).
    """
    rows = []
    for c in two_sided.itertuples(index=False):
        rr = c.observed / c.comparator
        rows.append(
            {
                "conclusion": c.conclusion,
                "risk_ratio": rr,
                "evalue_one_side": float(selection_evalue(rr, 2)),
                "evalue_both_sides": float(selection_evalue(rr, 4)) if c.comparator_moves else np.nan,
            }
        )
    return pd.DataFrame(rows, columns=["conclusion", "risk_ratio", "evalue_one_side", "evalue_both_sides"])
