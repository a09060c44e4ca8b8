"""Rebuild published rates from their numerators and denominators, with Wilson intervals.

A report publishes "864 of 2,335 (37%)". The ledger holds the three numbers as separate figures;
:func:`headline_table` pairs them again (within one report, version, population, period and place),
recomputes the rate with a Wilson interval from statsmodels, and says whether the rate rounds to the
published percentage.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from helpers.ledger.checks import POPULATION_KEY, consensus_values
from helpers.ledger.errors import ParameterError
from helpers.stats.rounding import computed_value, is_consistent

# (numerator measure, denominator measure, published percentage measure)
PAIRS = [
    ("went_missing", "in_care", "went_missing_pct"),
    ("not_found", "went_missing", "not_found_pct"),
]
HEADLINE_COLUMNS = [
    "report_id",
    "version",
    "group",
    "period",
    "year",
    "geography",
    "measure",
    "numerator",
    "denominator",
    "rate",
    "ci_low",
    "ci_high",
    "published_pct",
    "published_qualifier",
    "rounds_to_published",
    "discrepancy_id",
    "numerator_figure_id",
    "denominator_figure_id",
    "source_ids",
    "comparability",
]
# Pairs whose numerator and denominator were counted over different sets of councils: no rate, no interval.
# figures.csv flags them in its `comparability` column (e.g. Heading Back to Harm's 207 children not found,
# from the 45 councils that could say, against 760 who went missing from about 200 councils).
DIFFERENT_COUNCIL_SET = "different_council_set"


def wilson_interval(count, nobs, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for count/nobs (arrays allowed), via statsmodels.

    The Wilson interval stays inside 0..1 and keeps close to its nominal coverage for small counts,
    unlike the normal ('Wald') interval that ``proportion_confint`` uses by default.

    Returns
    -------
    tuple of (float or ndarray, float or ndarray)
        The lower and upper limits, as fractions in 0..1 (arrays when ``count`` and ``nobs`` are).

    References
    ----------
    Wilson EB (1927). Probable inference, the law of succession, and statistical inference.
    *Journal of the American Statistical Association* 22:209-212.
    """
    check_alpha(alpha)
    low, high = proportion_confint(np.asarray(count), np.asarray(nobs), alpha=alpha, method="wilson")
    return low, high


def check_alpha(alpha: float) -> float:
    """alpha must lie strictly between 0 and 1 (0.05 gives 95% intervals)."""
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise ParameterError(
            f"alpha must be a number strictly between 0 and 1 (e.g. 0.05 for 95% intervals); got {alpha!r}"
        )
    return float(alpha)


def period_year(period: str) -> int:
    """The calendar year a period label ends in: '2014-09/2015-09' -> 2015, '2020' -> 2020."""
    years = re.findall(r"\d{4}", str(period))
    if not years:
        raise ParameterError(f"period {period!r} holds no four-digit year")
    return int(years[-1])


def rounds_to(numerator: int, denominator: int, published_pct: float, qualifier: str | None = None) -> bool:
    """Does numerator/denominator agree with the published percentage as it was worded?

    Uses the claims checker's exact arithmetic and rules: an unqualified figure must be the rate rounded
    to the published precision (half-up or half-even, so 593 of 4,744, exactly 12.5%, rounds to 12 and
    13); "almost 20%" (qualifier nearly) must be at most 20% and at least 18%; and so on.
    """
    computed = computed_value("proportion", int(numerator), int(denominator))
    wording = qualifier if isinstance(qualifier, str) and qualifier else "exact"
    return bool(is_consistent("proportion", computed, f"{published_pct:g}", wording))


def _published(figures: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Published percentages per population, preferring the exact value sources agree on."""
    rows = consensus_values(figures[figures["measure"] == measure])
    rows = rows[POPULATION_KEY + ["value", "qualifier", "figure_id", "discrepancy_id", "source_id"]]
    return rows.rename(
        columns={
            "value": "published_pct",
            "qualifier": "published_qualifier",
            "figure_id": "pct_figure_id",
            "discrepancy_id": "pct_discrepancy",
            "source_id": "pct_source",
        }
    )


def headline_table(figures: pd.DataFrame, report_id: str | None = None, alpha: float = 0.05) -> pd.DataFrame:
    """Every published numerator/denominator pair, rebuilt as a rate with a Wilson interval.

    One row per pair, in the order of the ledger. ``rate``, ``ci_low`` and ``ci_high`` are fractions
    in 0..1; ``published_pct`` is the percentage published beside the pair (0-100), when there is one;
    ``discrepancy_id`` joins the known discrepancies any of the three figures takes part in.
    ``comparability`` is "different_council_set" for a pair whose two counts come from different sets of
    councils; such a pair gets no interval (the share cannot be computed). ``ci_low`` and ``ci_high`` are
    a 95% CI (sampling only) at the default alpha; for clustering in councils see
    :func:`helpers.stats.clustering.with_sensitivity`.

    Returns
    -------
    pandas.DataFrame
        One row per numerator/denominator pair: report_id, version, group, period, year, geography,
        measure, numerator, denominator, rate, ci_low, ci_high, published_pct, published_qualifier,
        rounds_to_published, discrepancy_id, numerator_figure_id, denominator_figure_id, source_ids and
        comparability.

    References
    ----------
    Wilson EB (1927), as for :func:`wilson_interval`.
    """
    check_alpha(alpha)
    if report_id is not None:
        figures = figures[figures["report_id"] == report_id]
    values = consensus_values(figures)
    parts = []
    for part, whole, pct in PAIRS:
        merged = values[values["measure"] == part].merge(
            values[values["measure"] == whole], on=POPULATION_KEY, suffixes=("_num", "_den")
        )
        merged = merged.merge(_published(figures, pct), on=POPULATION_KEY, how="left")
        merged["measure"] = part
        parts.append(merged)
    pairs = pd.concat(parts, ignore_index=True)
    if pairs.empty:
        return pd.DataFrame(columns=HEADLINE_COLUMNS)
    out = pd.DataFrame({key: pairs[key] for key in POPULATION_KEY})
    out["year"] = pairs["period"].map(period_year)
    out["measure"] = pairs["measure"]
    out["numerator"] = pairs["value_num"].astype("int64")
    out["denominator"] = pairs["value_den"].astype("int64")
    out["rate"] = out["numerator"] / out["denominator"]
    out["ci_low"], out["ci_high"] = wilson_interval(out["numerator"], out["denominator"], alpha)
    out["published_pct"] = pairs["published_pct"]
    out["published_qualifier"] = pairs["published_qualifier"]
    out["rounds_to_published"] = [
        pd.NA if pd.isna(pub) else rounds_to(num, den, pub, qual)
        for num, den, pub, qual in zip(
            out["numerator"], out["denominator"], out["published_pct"], pairs["published_qualifier"]
        )
    ]
    out["rounds_to_published"] = out["rounds_to_published"].astype("boolean")
    out["discrepancy_id"] = [
        ";".join(sorted({d for d in (a, b) if isinstance(d, str) and d} | set(filter(None, str(c).split(";")))))
        for a, b, c in zip(
            pairs["discrepancy_id_num"], pairs["discrepancy_id_den"], pairs["pct_discrepancy"].fillna("")
        )
    ]
    out["numerator_figure_id"] = pairs["figure_id_num"]
    out["denominator_figure_id"] = pairs["figure_id_den"]
    out["source_ids"] = [
        ";".join(dict.fromkeys(s for s in (a, b, c) if isinstance(s, str)))
        for a, b, c in zip(pairs["source_id_num"], pairs["source_id_den"], pairs["pct_source"])
    ]
    # a ledger without the column declares no such pair
    has_flags = "comparability" in figures.columns
    flags = dict(zip(figures["figure_id"], figures["comparability"].fillna(""))) if has_flags else {}
    different = [
        DIFFERENT_COUNCIL_SET in (flags.get(a, ""), flags.get(b, ""))
        for a, b in zip(out["numerator_figure_id"], out["denominator_figure_id"])
    ]
    different = np.asarray(different, dtype=bool)
    out["comparability"] = np.where(different, DIFFERENT_COUNCIL_SET, "")
    out.loc[different, ["ci_low", "ci_high"]] = np.nan
    return out[HEADLINE_COLUMNS].reset_index(drop=True)
