"""What the ledger's ids mean in words: published versions and groups of children.

The ids in ``data/`` stay as they are; every layer that shows an id to a reader (a table, a chart
legend, a sentence) takes its words from here, so one id always reads the same way.
"""

from __future__ import annotations

import pandas as pd

# version id -> what the version means, in words, with the outlet or date that names it.
VERSION_LABELS = {
    "single": "as published",
    "guardian": "councils answering each question (Guardian)",
    "independent": "all councils counted (Independent)",
    "original": "first published figures (December 2018)",
    "revised": "revised figures (ECPAT web page now)",
}


def version_label(version: str) -> str:
    """The readable label of a version id; an unknown id is returned unchanged (never a blank)."""
    if not isinstance(version, str) or not version:
        raise ValueError(
            f"a version id must be a non-empty string, got {version!r}; valid ids: {', '.join(VERSION_LABELS)}"
        )
    return VERSION_LABELS.get(version, version)


def with_version_labels(table: pd.DataFrame, column: str = "version") -> pd.DataFrame:
    """A copy of ``table`` whose ``column`` of version ids reads as labels."""
    out = table.copy()
    out[column] = out[column].map(version_label)
    return out


GROUP_ORDER = ["trafficked", "unaccompanied", "trafficked_or_unaccompanied", "exploited"]
GROUP_LABELS = {
    "trafficked": "trafficked",
    "unaccompanied": "unaccompanied (UASC)",
    "trafficked_or_unaccompanied": "trafficked or UASC",
    "exploited": "exploited (companion)",
}


#: A figure no source publishes, in the collection's words ("never found" is said only of children).
NO_FIGURE = "no published figure"
