"""Inputs for the worked examples of ``05_methods`` and ``90_exercises``, read from the ledger.

The worked examples do their arithmetic by hand in the notebook; these functions only fetch the counts,
so that no figure is typed into a notebook.
"""

from __future__ import annotations

from helpers.claims.check import read_claims
from helpers.ledger.errors import ParameterError
from helpers.ledger.tables import Ledger


def claim_counts(ledger: Ledger, claim_id: str) -> tuple[int, int, str]:
    """(a, b, stated) of one claim in ``data/claims.csv``, a and b as whole numbers.

    An unknown id raises ParameterError naming the file and a few valid ids.
    """
    claims = read_claims(ledger.data_dir / "claims.csv").set_index("claim_id")
    if claim_id not in claims.index:
        raise ParameterError(
            f"claim_id {claim_id!r} is not in data/claims.csv; valid ids include {', '.join(list(claims.index[:5]))}"
        )
    row = claims.loc[claim_id]
    return int(row["a_value"]), int(row["b_value"]), str(row["stated"])


def points_and_per_cent(first: float, second: float) -> dict[str, float]:
    """The change from rate ``first`` to rate ``second`` (both fractions) two ways.

    ``points``: the difference in percentage points, 100 * (second - first); ``per_cent``: the relative
    change, 100 * (second - first) / first.
    """
    if first == 0:
        raise ValueError("a relative change from a rate of 0 is undefined")
    return {"points": 100 * (second - first), "per_cent": 100 * (second - first) / first}
