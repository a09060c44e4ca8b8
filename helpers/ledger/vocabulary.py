"""What the ledger's ids mean in words: published versions (words from data/versions.csv) and groups.

The ids in ``data/`` stay as they are; every layer that shows an id to a reader (a table, a chart
legend, a sentence) takes its words from here, so one id always reads the same way.
"""

from __future__ import annotations

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
