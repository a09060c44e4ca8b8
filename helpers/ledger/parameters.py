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

from helpers.ledger.errors import DataError, ParameterError
from helpers.ledger.paths import NOTEBOOKS_DIR

PARAMETERS_PATH = NOTEBOOKS_DIR / "parameters.yaml"
TYPES = {"str", "int", "float", "bool", "list", "dict", "path"}


@cache
def _load(path: str) -> dict:
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"{path}: cannot read the parameter declarations ({exc})") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("notebooks"), dict):
        raise DataError(f"{path}: expected a 'notebooks' mapping of notebook stem to parameters")
    for section in ("notebooks", "commands"):
        for owner, params in (doc.get(section) or {}).items():
            for name, spec in params.items():
                if not isinstance(spec, dict) or spec.get("type") not in TYPES:
                    raise DataError(f"{path}: {section}.{owner}.{name}: 'type' must be one of {sorted(TYPES)}")
    return doc


def declared_parameters(notebook: str, path: Path | str = PARAMETERS_PATH) -> dict[str, dict]:
    """The parameters of one notebook (its stem, e.g. ``"10_report"``), in declaration order."""
    doc = _load(str(path))
    stem = Path(notebook).stem
    if stem not in doc["notebooks"]:
        raise ParameterError(f"notebook {stem!r} declares no parameters in {Path(path).name}")
    return doc["notebooks"][stem]


def command_option(command: str, option: str, path: Path | str = PARAMETERS_PATH) -> dict:
    """The declaration of an ``mfc`` option that is not a notebook parameter (``run``, ``timeout``)."""
    return _load(str(path))["commands"][command][option]


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
        raise ParameterError(f"{name}{where}={value!r} is not {whole}; valid: {describe_range(spec)}")
    low_ok = ("min" not in spec or value >= spec["min"]) and ("above" not in spec or value > spec["above"])
    if not low_ok or ("max" in spec and value > spec["max"]):
        why = f" ({spec['why']})" if "why" in spec else ""
        raise ParameterError(f"{name}{where}={value!r} is outside the valid range {describe_range(spec)}{why}")


def _element(name: str, value, kind: str, spec: dict, choices: list | None, where: str = "") -> None:
    if kind in ("int", "float"):
        _number(name, value, kind, spec, where)
    elif kind in ("str", "path") and not isinstance(value, str):
        raise ParameterError(f"{name}{where}={value!r} must be text; valid: {describe_range(spec, choices)}")
    elif kind == "bool" and not isinstance(value, bool):
        raise ParameterError(f"{name}{where}={value!r} must be True or False")
    if choices is not None and kind != "dict" and value not in choices:
        raise ParameterError(f"{name}{where}={value!r} is not valid; valid values: {', '.join(map(str, choices))}")


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
                f"{name} must be a list (pass it with papermill -y '{name}: [...]' or mfc run -f); got {value!r}"
            )
        if len(value) < spec.get("min_items", 0):
            raise ParameterError(f"{name} must hold at least {spec['min_items']} value(s); got {value!r}")
        for index, item in enumerate(value):
            _element(name, item, spec.get("items", "str"), spec, choices, f"[{index}]")
        return list(value)
    if kind == "dict" and "keys_from" in spec:
        return _mapping(name, value, spec, data_dir)
    if kind == "dict":
        if not isinstance(value, dict):
            raise ParameterError(f"{name} must be a mapping such as {{{(choices or ['key'])[0]}: 1.0}}; got {value!r}")
        for key, item in value.items():
            if choices is not None and key not in choices:
                raise ParameterError(f"{name} has key {key!r}; valid keys: {', '.join(map(str, choices))}")
            _element(name, item, spec.get("items", "float"), spec, None, f"[{key!r}]")
        return dict(value)
    _element(name, value, kind, spec, choices)
    if kind == "path" and not Path(value).exists():
        raise ParameterError(f"{name}={value!r}: no such file or folder")
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
        raise ParameterError(f"{name} must be a mapping such as {{}} (the defaults); got {value!r}; valid: {shown}")
    for key, item in value.items():
        if key not in valid:
            raise ParameterError(f"{name} has key {key!r}; valid keys: {', '.join(valid) or 'none'} (valid: {shown})")
        if item not in valid[key]:
            raise ParameterError(f"{name}[{key!r}]={item!r} is not valid; valid values: {', '.join(valid[key])}")
    return dict(value)


def check_namespace(namespace: dict, notebook: str, path: Path | str = PARAMETERS_PATH) -> dict:
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
