"""Validate notebook and command parameters, failing with the list of valid values."""

from __future__ import annotations

from collections.abc import Iterable

from helpers.ledger.choices import check_choice, check_choices, check_report_id  # noqa: F401 (re-exported)
from helpers.ledger.errors import ParameterError


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
        raise ParameterError(
            f"unknown parameter(s) {', '.join(unknown)}; this notebook's parameters are: {', '.join(declared)}"
        )
