"""Who was asked and who answered: the council frame of an FOI year and the published response counts.

The reports never name the councils that answered, only how many did (and not always that). This module
gathers what the ledger does say (councils asked, councils answering each question, councils able to say
how many children were never found) and sets it beside the frame of councils that existed in the FOI
year, taken from ``data/context/councils.csv`` and the boundary-change flags of ``council_years.csv``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.ledger.errors import ParameterError
from helpers.stats.rates import period_year

# Measures of the ledger that count councils, and what each says about response.
COUNCIL_MEASURES = {
    "councils_asked": "asked",
    "councils_answering": "answering",
    "councils_reporting_not_found": "answering the not-found question",
}
RESPONSE_COLUMNS = [
    "report_id",
    "version",
    "group",
    "period",
    "measure",
    "councils",
    "qualifier",
    "status",
    "councils_asked",
    "frame_councils",
    "share_of_asked",
    "share_of_frame",
    "figure_id",
    "source_id",
]
AUXILIARIES = ["uasc_at_31_march", "cla_at_31_march", "cla_during_year", "children_missing", "population_0_17"]
# What each auxiliary can and cannot stand for, in plain words (shown beside every use of it).
AUXILIARY_LIMITS = {
    "uasc_at_31_march": "unaccompanied children looked after on one day (31 March), England only; the FOI counts "
    "children looked after at any time in a year, so it understates the year's count",
    "cla_at_31_march": "all looked-after children on 31 March, England only; most are neither trafficked nor "
    "unaccompanied, so it measures a council's size, not its share of these groups",
    "cla_during_year": "all children looked after at any time in the DfE year (April to March), England only; "
    "closer to the FOI's 'during a year' count but for all children in care",
    "children_missing": "all looked-after children with at least one missing incident, England only; "
    "DfE's rate covers every child in care, not trafficked children",
    "population_0_17": "children aged 0 to 17 living in the council's area (ONS mid-year estimate), England only; "
    "a measure of size that says nothing about care or asylum",
}


PAIRING_RULE = (
    "An FOI round counting calendar year Y is paired with DfE's year ending 31 March Y; they share three "
    "months (January to March of Y), and a round counting the year to September Y shares seven."
)


def dfe_year(period: str, available: pd.Series) -> int:
    """The DfE year (ending 31 March) set beside an FOI period: its last year, capped to the years held.

    The pairing rule, word for word as in the glossary's "DfE year-ends" (a test holds the two together):
    PAIRING_RULE. Where the data stop earlier than the FOI year, the latest year held is used.
    """
    years = sorted(int(y) for y in pd.unique(available))
    year = period_year(period)
    return min(max(year, years[0]), years[-1])


def council_frame(councils: pd.DataFrame, council_years: pd.DataFrame, year: int) -> pd.DataFrame:
    """Every council that existed in DfE year ``year``, one row each, with its auxiliaries for that year.

    Councils flagged ``boundary_change`` in that year (created later by a merger or split) are left out;
    their predecessors are not in the frame, so the frame of an early year is a few councils short of the
    number then asked (stated beside every response rate). Auxiliaries are NaN where DfE suppressed them
    or outside England. Columns: council_code, name, nation, region, england, and one per auxiliary.
    """
    years = council_years[council_years["year"] == year]
    if years.empty:
        raise ParameterError(
            f"year={year!r} is not in council_years; valid years: "
            f"{', '.join(map(str, sorted(council_years['year'].unique())))}"
        )
    gone = set(years.loc[years["value_flag"] == "boundary_change", "council_code"])
    wide = years.pivot_table(index="council_code", columns="measure", values="value", aggfunc="first")
    frame = councils.loc[~councils["council_code"].isin(gone), ["council_code", "name", "nation", "region"]].copy()
    frame = frame.merge(wide.reindex(columns=AUXILIARIES), left_on="council_code", right_index=True, how="left")
    frame["england"] = frame["nation"] == "England"
    for col in AUXILIARIES:
        frame[col] = frame[col].astype("float64")
    return frame.reset_index(drop=True)


def response_table(figures: pd.DataFrame, report_id: str, frame_councils: int) -> pd.DataFrame:
    """The ledger's council counts for one report, as response rates.

    One row per published count of councils (asked, answering, answering the not-found question), by
    version and question (group). Counts looked for and not found stay in the table with status
    ``not found`` and no rate. ``share_of_asked`` divides by the published number asked (when there is
    one), ``share_of_frame`` by the number of councils in the frame of the FOI year.
    """
    rows = figures[(figures["report_id"] == report_id) & figures["measure"].isin(COUNCIL_MEASURES)].copy()
    if frame_councils < 1:
        raise ParameterError(f"frame_councils must be at least 1; got {frame_councils!r}")
    asked = rows.loc[(rows["measure"] == "councils_asked") & rows["value"].notna(), "value"]
    n_asked = float(asked.max()) if len(asked) else np.nan
    answering = rows[(rows["measure"] != "councils_asked") & rows["value"].notna()]
    for row in answering[answering["value"] > n_asked].itertuples(index=False):
        raise ParameterError(
            f"figure_id {row.figure_id}: {row.measure}={row.value:g} exceeds councils asked="
            f"{n_asked:g}; valid range 0 to {n_asked:g}"
        )
    rows = rows.drop_duplicates(["version", "group", "period", "measure", "value", "qualifier", "value_flag"])
    out = pd.DataFrame(
        {
            "report_id": rows["report_id"],
            "version": rows["version"],
            "group": rows["group"],
            "period": rows["period"],
            "measure": rows["measure"],
            "councils": rows["value"].astype("float64"),
            "qualifier": rows["qualifier"].fillna(""),
            "status": np.where(rows["value"].notna(), "published", "not found"),
        }
    )
    out["councils_asked"] = n_asked
    out["frame_councils"] = frame_councils
    out["share_of_asked"] = out["councils"] / n_asked
    out["share_of_frame"] = out["councils"] / frame_councils
    out["figure_id"] = rows["figure_id"].to_numpy()
    out["source_id"] = rows["source_id"].to_numpy()
    return out[RESPONSE_COLUMNS].reset_index(drop=True)


def answering_councils(figures: pd.DataFrame, report_id: str, group: str) -> tuple[int | None, str]:
    """The published number of councils answering on ``group`` (else on the report as a whole), and its wording.

    Counts that take part in a known discrepancy (e.g. a blog reading 45 councils as all that replied)
    are skipped. Returns (count, qualifier) or (None, reason) when no count was found.
    """
    rows = figures[
        (figures["report_id"] == report_id)
        & (figures["measure"] == "councils_answering")
        & figures["value"].notna()
        & figures["discrepancy_id"].isna()
    ]
    for wanted in (group, "councils"):
        hit = rows[rows["group"] == wanted]
        exact = hit[hit["qualifier"].isna()]
        if len(exact):
            return int(exact["value"].mode().iloc[0]), "exact"
        if len(hit):
            return int(hit["value"].iloc[0]), str(hit["qualifier"].iloc[0])
    return None, "no count of answering councils found in the ledger"


def auxiliary_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Each auxiliary: councils with a value, councils without one (suppressed or outside England), the
    total over the frame, and what it can and cannot stand for."""
    rows = []
    for col in AUXILIARIES:
        rows.append(
            {
                "auxiliary": col,
                "councils_with_value": int(frame[col].notna().sum()),
                "councils_without": int(frame[col].isna().sum()),
                "total": float(frame[col].sum()),
                "what_it_can_and_cannot_stand_for": AUXILIARY_LIMITS[col],
            }
        )
    return pd.DataFrame(rows)


def compare_answering(councils: pd.DataFrame) -> pd.DataFrame:
    """Answering against silent councils of one scenario on what is known of every council (medians)."""
    known = councils.assign(answered=np.where(councils["responded"], "answering", "silent"))
    out = known.groupby("answered")[["aux", "dfe_rate"]].median()
    out.insert(0, "councils", known.groupby("answered").size())
    out = out.rename(columns={"aux": "median UASC at 31 March + 1", "dfe_rate": "median DfE missing rate"})
    return out.rename_axis("which councils").reset_index()  # a column, not a pandas index, for readers


def official_comparison(pairs: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """Each published total in care beside the official count closest to it, summed over England's councils.

    Unaccompanied children are set beside DfE's UASC looked after at 31 March; other groups beside all
    children looked after during the year (a ceiling, not a match). ``ratio`` is published / official. The
    FOI counts cover four nations and a whole year; DfE's cover England and, for UASC, one day; so a ratio
    above 1 is expected and neither figure bounds the other.
    """
    rows = []
    for p in pairs.itertuples(index=False):
        measure = "uasc_at_31_march" if p.group == "unaccompanied" else "cla_during_year"
        official = float(frame.loc[frame["england"], measure].sum())
        rows.append(
            {
                "version": p.version,
                "group": p.group,
                "published_in_care": int(p.denominator),
                "official_measure": measure,
                "official_england": official,
                "councils_suppressed": int(frame.loc[frame["england"], measure].isna().sum()),
                "ratio": p.denominator / official if official else np.nan,
            }
        )
    return pd.DataFrame(rows)
