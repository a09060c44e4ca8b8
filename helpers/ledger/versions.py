"""The published versions of a report's figures, read from ``data/versions.csv``.

A report whose headline figures circulate in more than one form (other denominators, a later revision)
has one row per version there, with its label, a short label, whether it is the default and the source
that publishes it. Everything that offers or names a version (the trend's combinations, the notebooks'
``versions`` parameter, the explorer's menus, labels in tables) reads it from here, so a report with
versions is only data.

* :func:`version_choices` - report id -> its versions, in the table's order.
* :func:`default_versions` - report id -> its default version.
* :func:`version_labels` / :func:`short_version_labels` - version id -> words (``single`` included).
* :func:`check_versions` - a ``{report id: version}`` mapping checked against the table.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from helpers.ledger.errors import ParameterError

#: The version of figures shared by every version of a report (or of a report with one set of figures).
SINGLE = "single"
SINGLE_LABEL = "as published"
VERSION_COLUMNS = ["report_id", "version", "label", "short_label", "is_default"]


def _table(source) -> pd.DataFrame:
    """The versions table of a Ledger, a frame itself, or (None) the one of the last ledger loaded."""
    if source is None:
        return _remembered()
    if isinstance(source, pd.DataFrame):
        return source
    table = getattr(source, "versions", None)
    return table if table is not None else pd.DataFrame(columns=VERSION_COLUMNS)


_LOADED: dict[str, pd.DataFrame] = {}


def remember(table: pd.DataFrame | None) -> None:
    """Make ``table`` the versions whose labels :func:`version_label` uses when given no ledger.

    :func:`helpers.ledger.tables.load_ledger` calls this, so a notebook run on another data folder labels
    that folder's versions.
    """
    if table is not None:
        _LOADED["table"] = table


@cache
def _project_table() -> pd.DataFrame:
    from helpers.ledger.paths import DATA_DIR

    path = Path(DATA_DIR) / "versions.csv"
    if not path.is_file():
        return pd.DataFrame(columns=VERSION_COLUMNS)
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    return table.assign(is_default=table["is_default"].str.lower().eq("true"))


def _remembered() -> pd.DataFrame:
    return _LOADED.get("table", _project_table())


def version_choices(source=None) -> dict[str, list[str]]:
    """Report id -> its declared versions, in the order of ``versions.csv``.

    ``source`` is a Ledger or its versions table; None reads the last ledger loaded (else data/).
    """
    table = _table(source)
    return {r: list(part["version"]) for r, part in table.groupby("report_id", sort=False)}


def default_versions(source=None) -> dict[str, str]:
    """Report id -> the version the notebooks use unless told otherwise (``is_default``)."""
    table = _table(source)
    chosen = table[table["is_default"].astype(bool)]
    return dict(zip(chosen["report_id"], chosen["version"]))


def version_labels(source=None) -> dict[str, str]:
    """Version id -> its label in words, ``single`` first (it reads "as published")."""
    table = _table(source)
    return {SINGLE: SINGLE_LABEL, **dict(zip(table["version"], table["label"]))}


def short_version_labels(source=None) -> dict[str, str]:
    """Version id -> its short label (two or three words, for chart ticks)."""
    table = _table(source)
    return dict(zip(table["version"], table["short_label"]))


def check_versions(versions: dict[str, str], source=None) -> dict[str, str]:
    """The defaults updated with ``versions``; a report or version not in ``versions.csv`` raises ParameterError.

    The message names every valid report and its versions, so a reader can correct the call.
    """
    choices = version_choices(source)
    valid = "; ".join(f"{r}: {', '.join(v)}" for r, v in choices.items()) or "no report has versions"
    if not isinstance(versions, dict):
        raise ParameterError(f"versions must be a mapping of report id to version; got {versions!r}; valid: {valid}")
    for report_id, version in versions.items():
        if report_id not in choices:
            raise ParameterError(f"versions has report {report_id!r}, which has no versions; valid: {valid}")
        if version not in choices[report_id]:
            raise ParameterError(
                f"versions[{report_id!r}]={version!r} is not valid; valid values: {', '.join(choices[report_id])}"
            )
    return {**default_versions(source), **versions}


def version_column(report_id: str) -> str:
    """The column that names a report's version in a table of combinations (``until_harm_ends_version``)."""
    return f"{report_id.replace('-', '_')}_version"
