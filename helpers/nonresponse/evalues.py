"""Selection-bias E-values: how strong selection would have to be to explain a contrast of two rates away.

Smith LH, VanderWeele TJ. Bounding bias due to selection. *Epidemiology* 2019;30(4):509-516.

Their bounding factor for one group, with RR_UY the largest risk ratio between an unmeasured factor U and
the outcome (here: the factor's effect on a child being recorded as missing) and RR_SU the largest ratio
relating U to selection (here: the factor's association with the council answering), is

    BF = RR_UY x RR_SU / (RR_UY + RR_SU - 1).

An observed risk ratio RR can be explained away by selection only if the bias factor reaches RR. With
both parameters equal to E, BF = E^2 / (2E - 1), and BF = RR gives E^2 - 2 RR E + RR = 0, whose larger
root is

    E = RR + sqrt(RR (RR - 1))                  (two parameters: selection biases one side only).

When selection may bias both rates (the general case: four parameters, one pair per group, and the total
bias is the product of two factors), each factor need only reach sqrt(RR):

    E = sqrt(RR) + sqrt(sqrt(RR) (sqrt(RR) - 1))  (four parameters, all equal).

Both rates of a comparison of two groups rest on the councils that answered, so the four-parameter
value is the general case and leads; the two-parameter value applies where the comparator is a census
(DfE's rate for England) that answering cannot move.

An E-value of the point estimate says how strong selection must be to move the risk ratio to 1; the
E-value **at the interval limit** (the limit nearer 1) says how strong it must be to move the interval so
that it includes 1 (VanderWeele and Ding's convention for confounding, carried over). A contrast whose
interval already includes no change needs no selection at all: its E-value at the limit is 1.

A risk ratio below 1 is inverted first. NumPy only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.ledger.errors import ParameterError

CITATION = "Smith and VanderWeele (2019), Bounding bias due to selection, Epidemiology 30(4):509-516"


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


def risk_ratio_interval(x1, n1, x2, n2, alpha: float = 0.05, tau2: float = 0.0, df: int | None = None):
    """(x1/n1) / (x2/n2) with its interval on the log scale; n2 = None holds the second rate fixed at x2.

    var log p = (1 - p)^2 (1/x + 1/(n - x) + tau2) for each rate that moves (Katz's (1 - p)/x when tau2
    = 0; ``tau2`` is a between-report variance on the logit scale, added when the two rates come from two
    reports). The reference is normal, or t on ``df`` degrees of freedom. Returns (rr, low, high).
    """
    from scipy import stats

    from helpers.stats.rates import check_alpha

    alpha = check_alpha(alpha)
    moving = [(x1, n1)] + ([] if n2 is None else [(x2, n2)])
    for x, n in moving:
        if not 0 < x < n:
            raise ParameterError(f"each count must lie strictly between 0 and its total; got {x!r} of {n!r}")
    p1 = x1 / n1
    p2 = float(x2) if n2 is None else x2 / n2
    var = sum((1 - x / n) ** 2 * (1 / x + 1 / (n - x) + tau2) for x, n in moving)
    q = stats.norm.ppf(1 - alpha / 2) if df is None else stats.t.ppf(1 - alpha / 2, df)
    rr = p1 / p2
    half = q * np.sqrt(var)
    return rr, float(np.exp(np.log(rr) - half)), float(np.exp(np.log(rr) + half))


def limit_nearer_one(low: float, high: float) -> float:
    """The limit of a risk-ratio interval nearer 1, or 1 itself when the interval includes 1."""
    if low <= 1 <= high:
        return 1.0
    return low if low > 1 else high


EVALUE_COLUMNS = [
    "conclusion",
    "risk_ratio",
    "rr_low",
    "rr_high",
    "interval",
    "evalue_both_sides",
    "evalue_one_side",
    "evalue_limit_both_sides",
    "evalue_limit_one_side",
    "includes_no_change",
]


def evalue_table(two_sided: pd.DataFrame, intervals: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per conclusion comparing two rates: risk ratio, its interval and the E-values at both.

    ``two_sided`` is :func:`helpers.nonresponse.two_sided.two_sided_table`; ``intervals`` (optional) is
    :func:`contrast_intervals` (without it the interval columns are empty). Comparators that are censuses,
    such as DfE's rate, are selected only on the observed side, so their four-parameter columns are NaN.
    Where the interval includes a risk ratio of 1 (``includes_no_change``) the E-values at the limit are 1.
    Columns: EVALUE_COLUMNS.
    """
    limits = (
        {}
        if intervals is None
        else {r[0]: r[1:] for r in intervals[["conclusion", "rr_low", "rr_high", "interval"]].itertuples(index=False)}
    )
    rows = []
    for c in two_sided.itertuples(index=False):
        rr = c.observed / c.comparator
        low, high, interval = limits.get(c.conclusion, (np.nan, np.nan, ""))
        at_limit = np.nan if np.isnan(low) else limit_nearer_one(low, high)
        both = bool(c.comparator_moves)
        rows.append(
            {
                "conclusion": c.conclusion,
                "risk_ratio": rr,
                "rr_low": low,
                "rr_high": high,
                "interval": interval,
                "evalue_both_sides": float(selection_evalue(rr, 4)) if both else np.nan,
                "evalue_one_side": float(selection_evalue(rr, 2)),
                "evalue_limit_both_sides": float(selection_evalue(at_limit, 4))
                if both and at_limit == at_limit
                else np.nan,
                "evalue_limit_one_side": float(selection_evalue(at_limit, 2)) if at_limit == at_limit else np.nan,
                "includes_no_change": bool(at_limit == 1.0),
            }
        )
    return pd.DataFrame(rows, columns=EVALUE_COLUMNS)


def _counts(ledger, report_id: str, group: str, rate: float, alpha: float) -> tuple[int, int] | None:
    """The published count pair (recorded as missing, in care) behind one rate of a report's headlines."""
    from helpers.stats.rates import headline_table

    head = headline_table(ledger.figures, report_id, alpha)
    head = head[(head["measure"] == "went_missing") & (head["group"] == group)]
    head = head[np.isclose(head["rate"], rate)]
    if head.empty:
        return None
    return int(head["numerator"].iloc[0]), int(head["denominator"].iloc[0])


def contrast_intervals(ledger, view) -> pd.DataFrame:
    """The interval of each conclusion's risk ratio, of the kind that suits where its two rates come from.

    - same report (same councils): sampling only, normal reference (Katz's log interval);
    - two reports (different councils): the between-report variance of the group's random-effects trend
      added to each side, t reference on its degrees of freedom (as
      :func:`helpers.stats.comparisons.with_between_report_interval`); sampling only when no trend exists;
    - DfE's census as comparator: held fixed, only the report's rate moves.

    ``view`` is the report's :class:`helpers.stats.report_view.ReportView` (its alpha sets the level).
    Columns: conclusion, rr_low, rr_high, interval (in words). Conclusions whose counts are not held are
    left out.
    """
    from helpers.nonresponse.tipping import report_conclusions
    from helpers.stats.random_effects import between_report_variance

    alpha = view.alpha
    level = f"{1 - alpha:.0%}"
    conclusions = report_conclusions(ledger.figures, ledger.reports, ledger.england_national, view)
    rows = []
    for c in conclusions.to_dict("records"):
        first = _counts(ledger, c["observed_report"], c["observed_group"], c["observed"], alpha)
        if first is None:
            continue
        other = c["comparator_report"]
        if other is None or pd.isna(other):
            _, low, high = risk_ratio_interval(*first, c["comparator"], None, alpha)
            what = f"{level} CI (sampling only; DfE's census rate held fixed)"
        else:
            second = _counts(ledger, other, c["comparator_group"], c["comparator"], alpha)
            if second is None:
                continue
            tau2, df, what = 0.0, None, f"{level} CI (sampling only, same councils)"
            if other != c["observed_report"]:
                variance = between_report_variance(ledger.figures, ledger.reports, [c["observed_group"]])
                if c["observed_group"] in variance:
                    tau2, df = variance[c["observed_group"]]
                    what = f"{level} CI between reports (between-report variance added, t on {df} df)"
                else:
                    what = f"{level} CI (sampling only; no between-report variance could be estimated)"
            _, low, high = risk_ratio_interval(*first, *second, alpha, tau2, df)
        rows.append({"conclusion": c["conclusion"], "rr_low": low, "rr_high": high, "interval": what})
    return pd.DataFrame(rows, columns=["conclusion", "rr_low", "rr_high", "interval"])
