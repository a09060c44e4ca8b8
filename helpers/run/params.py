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


def check_parameters(namespace: dict, notebook: str) -> None:
    """The validation cell of every notebook: ``check_parameters(globals(), "10_report")``.

    Refuses, in one line and before any work, a parameter the notebook does not declare and a value
    outside its declared type, range or choices (``notebooks/parameters.yaml``). When the parameters are
    good and the cell runs in a kernel, it shows one line saying which run this is
    (:func:`run_statement`), so a copy exported with its code hidden still says so.
    """
    from helpers.ledger.parameters import check_namespace, declared_parameters

    declared = declared_parameters(notebook)
    reject_unknown_parameters(namespace, declared)
    check_namespace(namespace, notebook)
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing to show
        return
    if get_ipython() is not None:
        from IPython.display import Markdown, display

        from helpers.ledger.paths import NOTEBOOKS_DIR
        from helpers.run.one_run import notebook_defaults

        source = NOTEBOOKS_DIR / f"{notebook}.ipynb"
        defaults = notebook_defaults(source) if source.is_file() else {}
        display(Markdown(run_statement({name: namespace.get(name) for name in declared}, defaults)))


def run_statement(values: dict, defaults: dict) -> str:
    """One line naming the parameters of this run that differ from the notebook's defaults.

    >>> run_statement({"report_id": "heading-back-to-harm", "seed": 7, "alpha": 0.05},
    ...               {"report_id": "until-harm-ends", "seed": 1, "alpha": 0.05})
    '**This run:** report_id = heading-back-to-harm, seed = 7; every other parameter at its default.'
    """
    from helpers.present.escape import md_text

    changed = [f"{md_text(name)} = {md_text(value)}" for name, value in values.items() if defaults.get(name) != value]
    if not changed:
        return "**This run:** the notebook's default parameters."
    return f"**This run:** {', '.join(changed)}; every other parameter at its default."


def option_type(spec: dict, option: str):
    """An argparse ``type=`` that parses an option and checks it against its declaration.

    A refused value becomes argparse's one-line usage error, exit 2, before any work starts.
    """
    import argparse

    from helpers.ledger.parameters import check_value

    def parse(text: str):
        if spec["type"] == "list" and not text.lstrip().startswith("["):
            return [item.strip() for item in text.split(",") if item.strip()]  # --mechanisms mcar,mnar
        if spec["type"] in ("list", "dict"):
            import yaml

            from helpers.ledger.bounded_yaml import load_bounded

            try:
                return load_bounded(text)  # --strengths '{mnar: -1}', as papermill reads -y
            except ParameterError as exc:
                raise argparse.ArgumentTypeError(f"the value {exc}") from None
            except yaml.YAMLError:
                raise ValueError(text) from None
        return {"int": int, "float": float}.get(spec["type"], str)(text)

    def convert(text: str):
        try:
            value = parse(text)
        except ValueError:
            from helpers.ledger.bounded_yaml import brief

            raise argparse.ArgumentTypeError(f"{brief(text)} is not a {spec['type']}") from None
        try:
            return check_value(option, value, spec)
        except ParameterError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = spec["type"]
    return convert


def add_declared_option(parser, flag: str, owner: str, name: str, default, text: str, command: bool = False) -> None:
    """Add an mfc option whose type and range come from ``notebooks/parameters.yaml``.

    ``owner`` is a notebook stem (the option mirrors that notebook's parameter ``name``) or, with
    ``command``, an mfc command whose own option is declared there. The help text shows the range.
    A missing or broken declaration does not stop other commands: the option is still added, and only a
    command that uses it stops, with the one-line DataError naming the entry (exit 1).
    """
    from helpers.ledger.errors import DataError
    from helpers.ledger.parameters import command_option, declared_parameters, describe_range

    try:
        spec = command_option(owner, name) if command else _notebook_option(declared_parameters(owner), owner, name)
    except (DataError, ParameterError) as exc:
        parser.add_argument(flag, type=_broken_declaration(exc), default=str(default), help=f"{text} (unavailable)")
        return
    parser.add_argument(
        flag,
        type=option_type(spec, flag),
        default=default,
        metavar=spec["type"].upper(),
        help=f"{text} (default {default}; valid {describe_range(spec)})",
    )


def _notebook_option(declared: dict, owner: str, name: str) -> dict:
    from helpers.ledger.errors import DataError

    if name not in declared:
        raise DataError(
            f"notebooks/parameters.yaml: notebooks.{owner}.{name} is missing; declare it under "
            f"'notebooks: {owner}:' with its type and range"
        )
    return declared[name]


def _broken_declaration(exc: Exception):
    """An argparse ``type=`` that raises the declaration's error when the option is used.

    argparse converts a text default only when the command that owns the option is parsed, so a command
    without this option never meets the error; a DataError is not one argparse catches, so ``mfc``
    prints it as one line.
    """
    from helpers.ledger.errors import DataError

    def refuse(text: str):
        raise DataError(str(exc)) from None

    refuse.__name__ = "declaration"
    return refuse
