"""Load and validate the tables in data/.

The frictionless descriptor ``data/datapackage.yaml`` is the one source of truth for every table's
columns, types and constraints: :func:`validate_data_dir` checks each file against it with the
frictionless library (types, required values, enums, ranges, unique and foreign keys), recomputes each
file's sha256, then runs the checks that span rows and tables (:mod:`helpers.ledger_checks`).
:func:`load_ledger` reads every table with pandas dtypes derived from the same schema, after
validation, so a notebook stops in its first cell with the same message ``mfc check-data`` prints.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from helpers.errors import DataError
from helpers.paths import DATA_DIR, DESCRIPTOR_NAME

# Pandas dtypes for frictionless field types. Nullable integers keep "missing" distinct from 0.
PANDAS_DTYPES = {
    "string": "str",
    "integer": "Int64",
    "number": "float64",
    "boolean": "boolean",
    "year": "Int64",
}
DATE_TYPES = {"date", "datetime"}


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_descriptor(data_dir: Path | str | None = None) -> dict:
    """Parse ``datapackage.yaml`` in ``data_dir``; a missing or broken file raises DataError."""
    path = Path(data_dir or DATA_DIR) / DESCRIPTOR_NAME
    if not path.is_file():
        raise DataError(f"{path}: data package descriptor not found")
    try:
        descriptor = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DataError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise DataError(f"{path}: descriptor has no 'resources' list")
    return descriptor


def resource_names(data_dir: Path | str | None = None) -> list[str]:
    """Names of the tables the descriptor declares, in its order."""
    return [r["name"] for r in read_descriptor(data_dir)["resources"]]


def _display(data_dir: Path, relpath: str) -> str:
    return f"{data_dir.name}/{relpath}"


def _hash_problems(data_dir: Path, resources: list[dict]) -> list[str]:
    problems = []
    for res in resources:
        path = data_dir / res["path"]
        if not path.is_file():
            problems.append(f"{_display(data_dir, res['path'])}: file not found (declared by resource '{res['name']}')")
            continue
        declared = str(res.get("hash", "")).removeprefix("sha256:")
        if declared != sha256_of(path):
            problems.append(
                f"{_display(data_dir, res['path'])}: sha256 differs from {DESCRIPTOR_NAME} "
                "(the file changed since the descriptor was updated; run `mfc rehash` after a deliberate edit)"
            )
    return problems


def _frictionless_problems(data_dir: Path, descriptor: dict) -> list[str]:
    """Schema, type, constraint and key problems, one line each, from frictionless."""
    from frictionless import Package

    present = dict(descriptor)
    # Hashes are checked separately (with a clearer message); missing files were reported already.
    present["resources"] = [
        {k: v for k, v in res.items() if k not in ("hash", "bytes")}
        for res in descriptor["resources"]
        if (data_dir / res["path"]).is_file()
    ]
    try:
        report = Package(present, basepath=str(data_dir)).validate()
    except Exception as exc:  # frictionless raises its own errors for a broken descriptor
        return [f"{_display(data_dir, DESCRIPTOR_NAME)}: {exc}"]
    paths = {res["name"]: res["path"] for res in present["resources"]}
    keys = {res["name"]: (res.get("schema", {}).get("primaryKey") or [None])[0] for res in present["resources"]}
    problems = []
    for task in report.tasks:
        where = _display(data_dir, paths.get(task.name, task.name))
        for error in task.errors:
            problems.append(_describe_error(where, error, keys.get(task.name)))
    return problems


def _describe_error(where: str, error, key_field: str | None) -> str:
    row = getattr(error, "row_number", None)
    column = getattr(error, "field_name", None) or getattr(error, "label", None)
    note = getattr(error, "note", "") or error.message
    cells = getattr(error, "cells", None) or []
    ident = ""
    if key_field and row and cells and getattr(error, "field_number", None) != 1:
        ident = f" ({key_field} {cells[0]})" if cells[0] else ""
    if error.type in ("missing-label", "blank-label", "duplicate-label", "incorrect-label", "extra-label"):
        return f"{where} header: column '{column}': {error.title.lower()}: {note}"
    if error.type in ("foreign-key", "primary-key"):
        fields = re.findall(r'"([^"]+)"', note) or [column]
        return f"{where} line {row}{ident}: column '{fields[0]}': {error.title.lower()}: {note}"
    if error.type == "type-error" and row is not None:
        found = re.search(r'type is "(\w+)', note)  # frictionless notes read: type is "number/default"
        kind = found.group(1) if found else "value"
        return f"{where} line {row}{ident}: column '{column}': {getattr(error, 'cell', '')!r} is not a valid {kind}"
    if row is not None and column:
        cell = getattr(error, "cell", None)
        shown = f" value {cell!r}" if cell not in (None, "") else ""
        return f"{where} line {row}{ident}: column '{column}':{shown} {note}"
    if row is not None:
        return f"{where} line {row}{ident}: {note}"
    return f"{where}: {note}"


def validate_data_dir(data_dir: Path | str | None = None) -> list[str]:
    """Every problem in a data directory, one line each (empty list: valid).

    Order: descriptor, files and hashes (the ledger's, then the official raw files' in ``raw/``),
    frictionless schema validation, then cross-table checks (only once every table parses, since
    they need typed values).
    """
    from helpers.ledger_checks import cross_table_problems
    from helpers.raw import raw_problems

    data_dir = Path(data_dir or DATA_DIR)
    try:
        descriptor = read_descriptor(data_dir)
    except DataError as exc:
        return exc.problems
    problems = _hash_problems(data_dir, descriptor["resources"]) + raw_problems(data_dir)
    schema_problems = _frictionless_problems(data_dir, descriptor)
    problems += schema_problems
    if not schema_problems and not any("file not found" in p for p in problems):
        tables = _read_tables(data_dir, descriptor)
        problems += cross_table_problems(tables, display=lambda name: _display(data_dir, _path_of(descriptor, name)))
    return problems


def _path_of(descriptor: dict, name: str) -> str:
    return next(r["path"] for r in descriptor["resources"] if r["name"] == name)


def _read_table(data_dir: Path, resource: dict) -> pd.DataFrame:
    fields = resource["schema"]["fields"]
    dtypes = {f["name"]: PANDAS_DTYPES.get(f.get("type", "string"), "str") for f in fields if f.get("type") not in DATE_TYPES}
    missing = resource["schema"].get("missingValues", [""])
    frame = pd.read_csv(
        data_dir / resource["path"],
        dtype=dtypes,
        keep_default_na=False,
        na_values=missing,
        encoding="utf-8",
    )
    for f in fields:
        if f.get("type") in DATE_TYPES:
            frame[f["name"]] = pd.to_datetime(frame[f["name"]], format="ISO8601")
    return frame[[f["name"] for f in fields]]


def _read_tables(data_dir: Path, descriptor: dict) -> dict[str, pd.DataFrame]:
    return {res["name"]: _read_table(data_dir, res) for res in descriptor["resources"]}


@dataclass
class Ledger:
    """Every table of a validated data directory, as typed DataFrames keyed by resource name."""

    data_dir: Path
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(f"no table {name!r}; tables: {', '.join(tables)}")

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]


def load_ledger(data_dir: Path | str | None = None, validate: bool = True) -> Ledger:
    """Validate ``data_dir`` (default: the project's data/) and load every table.

    Raises DataError listing every problem, each naming the file, the line and the column, so that
    notebooks and the command line stop with the same message.
    """
    data_dir = Path(data_dir or DATA_DIR)
    if validate:
        problems = validate_data_dir(data_dir)
        if problems:
            raise DataError(problems)
    descriptor = read_descriptor(data_dir)
    return Ledger(data_dir=data_dir, tables=_read_tables(data_dir, descriptor))


_RESOURCE_LINE = re.compile(r"^  (path|hash|bytes): (.*)$")


def rehash(data_dir: Path | str | None = None) -> list[str]:
    """Rewrite the sha256 and byte count of every resource in the descriptor; return what changed.

    Edits the YAML line by line so the hand-written layout and descriptions stay as they are.
    """
    data_dir = Path(data_dir or DATA_DIR)
    path = data_dir / DESCRIPTOR_NAME
    read_descriptor(data_dir)  # fail clearly on a broken descriptor before touching it
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    current, changed, out = None, [], []
    for line in lines:
        match = _RESOURCE_LINE.match(line.rstrip("\n"))
        if match and match.group(1) == "path":
            current = data_dir / match.group(2).strip()
        elif match and current is not None and current.is_file():
            key = match.group(1)
            new = f"sha256:{sha256_of(current)}" if key == "hash" else str(current.stat().st_size)
            if match.group(2).strip() != new:
                changed.append(f"{_display(data_dir, str(current.relative_to(data_dir)))}: {key} updated")
                line = f"  {key}: {new}\n"
        out.append(line)
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text("".join(out), encoding="utf-8")
    tmp.replace(path)
    return changed
