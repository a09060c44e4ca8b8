"""Validate notebook and command parameters, failing with the list of valid values."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from helpers.errors import ParameterError


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


def injected_parameter_names(namespace: dict) -> list[str]:
    """Names that papermill injected into a running notebook (its cell starts "# Parameters").

    IPython keeps the source of every executed cell in ``In``; papermill's injected cell is found
    there, so the names it set can be told apart from the notebook's own variables.
    """
    import ast

    names = []
    for source in namespace.get("In", None) or []:
        if not isinstance(source, str) or not source.lstrip().startswith("# Parameters"):
            continue
        try:
            body = ast.parse(source).body
        except SyntaxError:
            continue
        for node in body:
            if isinstance(node, ast.Assign):
                names += [t.id for t in node.targets if isinstance(t, ast.Name) and t.id not in names]
    return names


def reject_unknown_parameters(namespace: dict, declared: Iterable[str]) -> None:
    """Fail when a parameter was passed that the notebook does not declare (e.g. ``-p reportid``).

    Call it in the validation cell as ``reject_unknown_parameters(globals(), [...])`` with the names of
    the parameters cell. Without it a typo would silently run the notebook with its defaults.
    """
    declared = list(declared)
    unknown = [name for name in injected_parameter_names(namespace) if name not in declared]
    if unknown:
        raise ParameterError(f"unknown parameter(s) {', '.join(unknown)}; this notebook's parameters are: "
                             f"{', '.join(declared)}")
