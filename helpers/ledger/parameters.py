"""The declared parameters (``notebooks/parameters.yaml``): each one's type, range or choices.

One checker serves the notebooks' validation cells and ``mfc``'s options, so a value is refused the same
way everywhere: one line naming the parameter, the value and the valid range or values. Choices may come
from the data (``choices_from: reports.report_id``), so a new report needs no edit here.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import pandas as pd
import yaml

from helpers.ledger.bounded_yaml import brief, load_bounded, read_bounded
from helpers.ledger.errors import DataError, ParameterError
from helpers.ledger.paths import NOTEBOOKS_DIR

PARAMETERS_PATH = NOTEBOOKS_DIR / "parameters.yaml"
TYPES = {"str", "int", "float", "bool", "list", "dict", "path"}


SPEC_KEYS = {
    "type",
    "nullable",
    "min",
    "max",
    "above",
    "choices",
    "choices_from",
    "keys_from",
    "values_from",
    "items",
    "min_items",
    "try",
    "depends_on",
    "why",
    "help",
}  # the keys of an entry, as listed at the top of parameters.yaml
ITEM_TYPES = {"str", "int", "float", "bool"}
TOP_KEYS = {"common", "notebooks", "commands"}


def _shown_path(path: Path | str) -> str:
    """The declarations file as the user knows it (``notebooks/parameters.yaml``), else as given."""
    from helpers.ledger.paths import PROJECT_ROOT

    path = Path(path)
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT.resolve()))
    except ValueError:
        return str(path)


@cache
def _load(path: str) -> dict:
    """The declarations file, parsed once; only its outline is checked here (each entry when it is used)."""
    where = _shown_path(path)
    try:
        doc = load_bounded(read_bounded(path))
    except ParameterError as exc:  # too large, too deep, or aliases expanding without end
        raise DataError(f"{where}: {exc}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError(f"{where}: cannot read the parameter declarations ({first})") from None
    if not isinstance(doc, dict):
        raise DataError(f"{where}: expected a mapping with 'notebooks' and 'commands' at the top")
    unknown = sorted(map(str, set(doc) - TOP_KEYS))
    if unknown:
        raise DataError(
            f"{where}: unknown top-level key(s) {', '.join(unknown)}; the top level holds only "
            f"{', '.join(sorted(TOP_KEYS))}{_did_you_mean(unknown[0], TOP_KEYS)}"
        )
    for section in ("notebooks", "commands"):
        if not isinstance(doc.get(section) or {}, dict):
            raise DataError(f"{where}: {section}: expected a mapping of name to parameters")
    return doc


def _did_you_mean(word: str, valid) -> str:
    import difflib
    import os.path

    close = difflib.get_close_matches(str(word), sorted(valid), n=3)
    # the longest shared start wins, then the shortest key: 'minimum' means 'min', not 'min_items'
    close.sort(key=lambda key: (-len(os.path.commonprefix([key, str(word)])), len(key)))
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_spec(spec, key: str, where: str = "notebooks/parameters.yaml") -> dict:
    """Return one declaration if it follows the file's own schema; else DataError in one line.

    ``key`` names the entry (``commands.run.jobs``); the message names it and says how to put it right.
    """
    at = f"{where}: {key}"
    if not isinstance(spec, dict):
        raise DataError(f"{at}: expected a mapping such as {{type: int, min: 1}}; got {type(spec).__name__}")
    unknown = sorted(map(str, set(spec) - SPEC_KEYS))
    if unknown:
        raise DataError(
            f"{at}: unknown key {unknown[0]!r}{_did_you_mean(unknown[0], SPEC_KEYS)}; "
            f"an entry's keys are: {', '.join(sorted(SPEC_KEYS))}"
        )
    if spec.get("type") not in TYPES:
        raise DataError(f"{at}: 'type' must be one of {', '.join(sorted(TYPES))}; got {spec.get('type')!r}")
    for bound in ("min", "max", "above"):
        value = spec.get(bound)
        if bound in spec and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise DataError(f"{at}: {bound!r} must be a number, e.g. {bound}: 1; got {value!r}")
    if "min_items" in spec and (isinstance(spec["min_items"], bool) or not isinstance(spec["min_items"], int)):
        raise DataError(f"{at}: 'min_items' must be a whole number, e.g. min_items: 1; got {spec['min_items']!r}")
    for listed in ("choices", "try"):
        if listed in spec and not isinstance(spec[listed], list):
            raise DataError(f"{at}: {listed!r} must be a list, e.g. {listed}: [a, b]; got {spec[listed]!r}")
    for column in ("choices_from", "keys_from", "values_from"):
        value = spec.get(column)
        if column in spec and not (isinstance(value, str) and value.count(".") == 1 and "" not in value.split(".")):
            raise DataError(f"{at}: {column!r} must be TABLE.COLUMN, e.g. reports.report_id; got {value!r}")
    if ("keys_from" in spec) != ("values_from" in spec):
        raise DataError(f"{at}: 'keys_from' and 'values_from' go together; give both or neither")
    if "items" in spec and spec["items"] not in ITEM_TYPES:
        raise DataError(f"{at}: 'items' must be one of {', '.join(sorted(ITEM_TYPES))}; got {spec['items']!r}")
    for flag in ("nullable",):
        if flag in spec and not isinstance(spec[flag], bool):
            raise DataError(f"{at}: {flag!r} must be true or false; got {spec[flag]!r}")
    return spec


def declared_parameters(notebook: str, path: Path | str | None = None) -> dict[str, dict]:
    """The parameters of one notebook (its stem, e.g. ``"10_report"``), in declaration order.

    Each of its entries is checked against the file's schema here, so a broken entry stops only the
    notebooks and options that use it.
    """
    path = PARAMETERS_PATH if path is None else path
    doc = _load(str(path))
    stem = Path(notebook).stem
    notebooks = doc.get("notebooks") or {}
    if stem not in notebooks:
        raise ParameterError(f"notebook {stem!r} declares no parameters in {Path(path).name}")
    params = notebooks[stem]
    where = _shown_path(path)
    if not isinstance(params, dict):
        raise DataError(f"{where}: notebooks.{stem}: expected a mapping of parameter name to its declaration")
    return {name: check_spec(spec, f"notebooks.{stem}.{name}", where) for name, spec in params.items()}


def command_option(command: str, option: str, path: Path | str | None = None) -> dict:
    """The declaration of an ``mfc`` option that is not a notebook parameter (``run``, ``timeout``)."""
    path = PARAMETERS_PATH if path is None else path
    doc = _load(str(path))
    options = (doc.get("commands") or {}).get(command)
    where = _shown_path(path)
    if not isinstance(options, dict) or option not in options:
        raise DataError(
            f"{where}: commands.{command}.{option} is missing; declare it under 'commands: {command}:' "
            f"with its type and range, e.g. {option}: {{type: int, min: 1, max: 64}}"
        )
    return check_spec(options[option], f"commands.{command}.{option}", where)


def data_choices(spec: dict, data_dir=None) -> list | None:
    """The valid values of a parameter: its ``choices``, or the column named by ``choices_from``."""
    if "choices" in spec:
        return list(spec["choices"])
    if "choices_from" not in spec:
        return None
    table, column = spec["choices_from"].split(".")
    ledger = _ledger(str(data_dir) if data_dir is not None else None)
    if table not in ledger.tables:
        raise ParameterError(
            f"the valid values come from table {table!r}, which {ledger.data_dir} does not have "
            f"(its tables: {', '.join(ledger.tables)})"
        )
    frame = ledger[table]
    if "series_order" in frame.columns:  # reports in the order of the series
        frame = frame.sort_values("series_order")
    values = frame[column].dropna().drop_duplicates().tolist()
    return [int(v) if spec["type"] == "int" else v for v in values]


def _ledger(data_dir: str | None):
    """The ledger the choices come from, read once per check (a notebook may take several from it)."""
    from helpers.ledger.tables import load_ledger

    if "ledger" not in _LEDGERS or _LEDGERS["key"] != data_dir:
        _LEDGERS.update(key=data_dir, ledger=load_ledger(data_dir))
    return _LEDGERS["ledger"]


_LEDGERS: dict = {}


def describe_range(spec: dict, choices: list | None = None) -> str:
    """The valid range or values in words, for messages and ``--help``."""
    if choices is not None:
        shown = ", ".join(map(str, choices))
        return f"one of: {shown}" if spec["type"] not in ("list", "dict") else f"each one of: {shown}"
    parts = []
    if "above" in spec:
        parts.append(f"above {spec['above']}")
    if "min" in spec:
        parts.append(f"from {spec['min']}")
    if "max" in spec:
        parts.append(f"to {spec['max']}")
    return " ".join(parts) if parts else f"a {spec['type']}"


def _number(name: str, value, kind: str, spec: dict, where: str) -> None:
    """A number of the declared kind within the declared bounds."""
    ok_type = isinstance(value, int) if kind == "int" else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok_type or (kind == "float" and not math.isfinite(value)):
        whole = "a whole number" if kind == "int" else "a finite number"
        raise ParameterError(f"{name}{where}={brief(value)} is not {whole}; valid: {describe_range(spec)}")
    low_ok = ("min" not in spec or value >= spec["min"]) and ("above" not in spec or value > spec["above"])
    if not low_ok or ("max" in spec and value > spec["max"]):
        why = f" ({spec['why']})" if "why" in spec else ""
        raise ParameterError(f"{name}{where}={brief(value)} is outside the valid range {describe_range(spec)}{why}")


def _element(name: str, value, kind: str, spec: dict, choices: list | None, where: str = "") -> None:
    if kind in ("int", "float"):
        _number(name, value, kind, spec, where)
    elif kind in ("str", "path") and not isinstance(value, str):
        raise ParameterError(f"{name}{where}={brief(value)} must be text; valid: {describe_range(spec, choices)}")
    elif kind == "bool" and not isinstance(value, bool):
        raise ParameterError(f"{name}{where}={brief(value)} must be True or False")
    if choices is not None and kind != "dict" and value not in choices:
        raise ParameterError(f"{name}{where}={brief(value)} is not valid; valid values: {', '.join(map(str, choices))}")


def check_value(name: str, value, spec: dict, data_dir=None):
    """Return ``value`` if it is valid for ``spec``; otherwise raise ParameterError in one line."""
    kind = spec["type"]
    if value is None:
        if spec.get("nullable"):
            return value
        raise ParameterError(f"{name}=None is not valid; valid: {describe_range(spec, data_choices(spec, data_dir))}")
    choices = data_choices(spec, data_dir)
    if kind == "list":
        if not isinstance(value, (list, tuple)):
            raise ParameterError(
                f"{name} must be a list (pass it with papermill -y '{name}: [...]' or mfc run -f); got {brief(value)}"
            )
        if len(value) < spec.get("min_items", 0):
            raise ParameterError(f"{name} must hold at least {spec['min_items']} value(s); got {brief(value)}")
        for index, item in enumerate(value):
            _element(name, item, spec.get("items", "str"), spec, choices, f"[{index}]")
        return list(value)
    if kind == "dict" and "keys_from" in spec:
        return _mapping(name, value, spec, data_dir)
    if kind == "dict":
        if not isinstance(value, dict):
            raise ParameterError(
                f"{name} must be a mapping such as {{{(choices or ['key'])[0]}: 1.0}}; got {brief(value)}"
            )
        for key, item in value.items():
            if choices is not None and key not in choices:
                raise ParameterError(f"{name} has key {brief(key)}; valid keys: {', '.join(map(str, choices))}")
            _element(name, item, spec.get("items", "float"), spec, None, f"[{brief(key)}]")
        return dict(value)
    _element(name, value, kind, spec, choices)
    if kind == "path" and not Path(value).exists():
        raise ParameterError(f"{name}={brief(value)}: no such file or folder")
    return value


def _mapping(name: str, value, spec: dict, data_dir=None) -> dict:
    """A mapping whose keys and values both come from one ledger table (``keys_from``, ``values_from``).

    Each key's valid values are those of the rows holding that key, e.g. ``{until-harm-ends: independent}``
    with ``keys_from: versions.report_id`` and ``values_from: versions.version``.
    """
    table, key_column = spec["keys_from"].split(".")
    _, value_column = spec["values_from"].split(".")
    ledger = _ledger(str(data_dir) if data_dir is not None else None)
    frame = ledger.tables.get(table)
    frame = frame if frame is not None else pd.DataFrame(columns=[key_column, value_column])
    valid = {key: part[value_column].tolist() for key, part in frame.groupby(key_column, sort=False)}
    shown = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in valid.items()) or "none in the data"
    if not isinstance(value, dict):
        raise ParameterError(
            f"{name} must be a mapping such as {{}} (the defaults); got {brief(value)}; valid: {shown}"
        )
    for key, item in value.items():
        if key not in valid:
            raise ParameterError(
                f"{name} has key {brief(key)}; valid keys: {', '.join(valid) or 'none'} (valid: {shown})"
            )
        if item not in valid[key]:
            raise ParameterError(
                f"{name}[{brief(key)}]={brief(item)} is not valid; valid values: {', '.join(valid[key])}"
            )
    return dict(value)


def check_namespace(namespace: dict, notebook: str, path: Path | str | None = None) -> dict:
    """Check every declared parameter of ``notebook`` as set in ``namespace``; return their values.

    ``data_dir``, when declared, is checked first, because other parameters take their choices from it.
    """
    declared = declared_parameters(notebook, path)
    values = {name: namespace.get(name) for name in declared}
    _LEDGERS.clear()  # data may have changed since the last check: read them again, once
    order = sorted(declared, key=lambda n: n != "data_dir")
    for name in order:
        check_value(name, values[name], declared[name], data_dir=values.get("data_dir"))
    return values


def matrix_values(spec: dict, data_dir=None) -> list:
    """The values of a parameter the matrix test runs: its ``try`` list, or else every choice."""
    if "try" in spec:
        return list(spec["try"])
    return data_choices(spec, data_dir) or []
