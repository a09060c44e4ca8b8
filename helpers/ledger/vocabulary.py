"""What the ledger's ids mean in words: versions (words from data/versions.csv), groups, measures, periods.

The ids in ``data/`` stay as they are; every layer that shows an id to a reader (a table, a chart
legend, a sentence) takes its words from here, so one id always reads the same way.
"""

from __future__ import annotations

import re

import pandas as pd


def version_label(version: str, source=None) -> str:
    """The readable label of a version id (from ``data/versions.csv``); an unknown id is returned unchanged.

    ``source`` is a Ledger or its versions table; None uses the last ledger loaded (else data/).
    """
    from helpers.ledger.versions import version_labels

    labels = version_labels(source)
    if not isinstance(version, str) or not version:
        raise ValueError(f"a version id must be a non-empty string, got {version!r}; valid ids: {', '.join(labels)}")
    return labels.get(version, version)


def with_version_labels(table: pd.DataFrame, column: str = "version") -> pd.DataFrame:
    """A copy of ``table`` whose ``column`` of version ids reads as labels."""
    out = table.copy()
    out[column] = out[column].map(version_label)
    return out


GROUP_LABELS = {
    "trafficked": "trafficked",
    "unaccompanied": "unaccompanied (UASC)",
    "trafficked_or_unaccompanied": "trafficked or UASC",
    "exploited": "exploited (companion)",
}


#: A figure no source publishes, in the collection's words ("never found" is said only of children).
NO_FIGURE = "no published figure"


#: Every group of data/figures.csv in words: the four groups the reports count (``GROUP_LABELS``, whose
#: order the charts follow) and the comparison groups some reports set beside them.
GROUP_WORDS = {
    **GROUP_LABELS,
    "all_children": "all children",
    "looked_after": "looked-after children",
    "non_exploited_looked_after": "looked-after children not exploited",
    "children_interviewed_on_return": "children interviewed on return",
    "children_not_in_care": "children not in care",
    "councils": "councils",
}

#: Every measure of data/figures.csv in words (the unit column says per cent or one in N).
MEASURE_WORDS = {
    "went_missing": "recorded as missing",
    "in_care": "in care",
    "not_found": "never found (children)",
    "councils_asked": "councils asked",
    "councils_answering": "councils answering",
    "councils_with_missing": "councils with children missing",
    "councils_reporting_not_found": "councils reporting children never found",
    "councils_with_not_found": "councils with children never found",
    "avg_missing_episodes": "missing episodes per child, on average",
    "change_avg_missing_episodes_pct": "change in missing episodes per child",
    "change_in_care_pct": "change in the number in care",
    "change_went_missing_pct": "change in the number recorded as missing",
    "change_went_missing_rate_pct": "change in the share recorded as missing",
    "highest_council_count": "highest count in one council",
    "not_found_pct": "share never found",
    "nrm_referrals": "referrals to the National Referral Mechanism",
    "rate_ratio": "how many times as likely",
    "regional_share_pct": "share in the named regions",
    "sexually_exploited_one_in_n": "sexually exploited, one in N",
    "share_of_council_care_pct": "share of the council's children in care",
    "total_missing_episodes": "missing episodes in all",
    "went_missing_one_in_n": "recorded as missing, one in N",
    "went_missing_pct": "share recorded as missing",
}

#: The official (DfE and ONS) figures of data/context/ in words; "CLA" is DfE's "children looked after".
OFFICIAL_WORDS = {
    "uasc_at_31_march": "unaccompanied children in care on 31 March",
    "cla_at_31_march": "children in care on 31 March",
    "cla_during_year": "children in care at any time in the year",
    "children_missing": "children in care who went missing",
    "population_0_17": "children aged 0 to 17 living in the area",
}

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: A period as data/ writes it: ISO months ("2014-09/2015-09") or years ("2018/2020") joined by a slash.
PERIOD_PATTERN = re.compile(r"\b(\d{4})(?:-(0[1-9]|1[0-2]))?/(\d{4})(?:-(0[1-9]|1[0-2]))?\b")


def _period_match_words(match: re.Match) -> str:
    start_year, start_month, end_year, end_month = match.groups()
    start = f"{_MONTHS[int(start_month) - 1]} {start_year}" if start_month else start_year
    end = f"{_MONTHS[int(end_month) - 1]} {end_year}" if end_month else end_year
    return f"{start} to {end}"


def period_words(text: str) -> str:
    """``text`` with every period written as data/ writes it in words: "2014-09/2015-09" reads
    "Sep 2014 to Sep 2015" and "2018/2020" reads "2018 to 2020"; anything else is left as it is."""
    return PERIOD_PATTERN.sub(_period_match_words, text) if isinstance(text, str) else text
