"""Checks for a value chosen from a declared set (a report id, a version, a mechanism).

Every layer that takes such a value checks it here, so an unknown value always fails the same way:
one line naming the parameter and every valid value.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from helpers.ledger.errors import ParameterError


def check_choice(name: str, value, valid: Iterable) -> object:
    """Return ``value`` if it is one of ``valid``; otherwise raise naming every valid value."""
    valid = list(valid)
    if value not in valid:
        raise ParameterError(f"{name}={value!r} is not valid; valid values: {', '.join(map(str, valid))}")
    return value


def check_choices(name: str, values, valid: Iterable) -> list:
    """Every element of a list parameter must be valid (papermill -p passes lists as strings: use -y)."""
    valid = list(valid)
    if isinstance(values, str) or not isinstance(values, (list, tuple)):
        raise ParameterError(f"{name} must be a list (pass it with papermill -y '{name}: [...]'); got {values!r}")
    if not values:
        raise ParameterError(f"{name} must name at least one of: {', '.join(map(str, valid))}")
    for value in values:
        check_choice(name, value, valid)
    return list(values)


def check_report_id(report_id: str, reports: pd.DataFrame) -> str:
    """A report id that the ledger's reports table holds."""
    return check_choice("report_id", report_id, reports.sort_values("series_order")["report_id"])
