"""Load and validate the tables in data/.

The frictionless descriptor ``data/datapackage.yaml`` is the one source of truth for every table's
columns, types and constraints: :func:`validate_data_dir` checks each file against it with the
frictionless library (types, required values, enums, ranges, unique and foreign keys), recomputes each
file's sha256, then runs the checks that span rows and tables (:mod:`helpers.ledger.checks`).
:func:`load_ledger` reads every table with pandas dtypes derived from the same schema, after
validation, so a notebook stops in its first cell with the same message ``mfc check-data`` prints.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from helpers.ledger.descriptor import load_descriptor_file, sha256_of  # noqa: F401 (sha256_of re-exported)
from helpers.ledger.errors import DataError
from helpers.ledger.paths import DATA_DIR, DESCRIPTOR_NAME

# Pandas dtypes for frictionless field types. Nullable integers keep "missing" distinct from 0.
PANDAS_DTYPES = {
    "string": "str",
    "integer": "Int64",
    "number": "float64",
    "boolean": "boolean",
    "year": "Int64",
}
DATE_TYPES = {"date", "datetime"}


def read_descriptor(data_dir: Path | str | None = None) -> dict:
    """Parse ``datapackage.yaml`` in ``data_dir``; a missing or broken file raises DataError."""
    path = Path(data_dir or DATA_DIR) / DESCRIPTOR_NAME
    descriptor = load_descriptor_file(path)
    problems = []
    for number, res in enumerate(descriptor["resources"], start=1):
        name = res.get("name") if isinstance(res, dict) else None
        label = f"resource {number}" + (f" ('{name}')" if isinstance(name, str) else "")
        if not isinstance(res, dict):
            problems.append(f"{path}: {label}: expected a mapping with 'name', 'path' and 'schema'")
            continue
        if not isinstance(name, str) or not name:
            problems.append(f"{path}: {label}: no 'name'; every table needs one")
        rel = res.get("path")
        if not isinstance(rel, str) or not rel.strip():
            problems.append(
                f"{path}: {label}: no 'path'; every table names its CSV file, e.g. path: {name or 'table'}.csv"
            )
        elif Path(rel).is_absolute() or ".." in Path(rel).parts:
            problems.append(f"{path}: {label}: path '{rel}' must be relative and inside the data folder")
        if not isinstance(res.get("schema"), dict) or not isinstance(res["schema"].get("fields"), list):
            problems.append(f"{path}: {label}: no 'schema' with a 'fields' list")
    if problems:
        raise DataError(problems)
    return descriptor


def resource_names(data_dir: Path | str | None = None) -> list[str]:
    """Names of the tables the descriptor declares, in its order."""
    return [r["name"] for r in read_descriptor(data_dir)["resources"]]


def _display(data_dir: Path, relpath: str) -> str:
    return f"{data_dir.name}/{relpath}"


def _hash_problems(data_dir: Path, resources: list[dict]) -> list[str]:
    from helpers.ledger.files import check_input_path

    problems = []
    for res in resources:
        path = data_dir / res["path"]
        try:
            check_input_path(path, "CSV file")  # a folder or FIFO is named as such, and never opened
        except DataError as exc:
            shown = exc.problems[0].replace(str(path), _display(data_dir, res["path"]), 1)
            problems.append(f"{shown} (declared by resource '{res['name']}')")
            continue
        declared = str(res.get("hash", "")).removeprefix("sha256:")
        if declared != sha256_of(path):
            problems.append(
                f"{_display(data_dir, res['path'])}: sha256 differs from {DESCRIPTOR_NAME} "
                "(the file changed since the descriptor was updated; run `mfc rehash` after a deliberate edit)"
            )
    return problems


# Numbers larger than this are not counts, per cents or rates of this ledger: a slip (or 1e308).
MAX_MAGNITUDE = 1e9
NUMERIC_TYPES = {"number", "integer", "year"}


def record_lines(path: Path, keep_blank: bool = False) -> list[int]:
    """The line on which each CSV record starts (index 0: the header, line 1).

    A quoted value may hold line breaks, so record n is not always on line n + 1; messages use these
    true line numbers. Blank lines, which readers skip, are not records, unless ``keep_blank`` (to
    match frictionless, which counts them as rows).
    """
    import csv

    lines = []
    if not is_csv(path):
        return lines
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            start = 1
            for record in reader:
                if record or keep_blank:
                    lines.append(start)
                start = reader.line_num + 1
    except (UnicodeDecodeError, csv.Error):
        return []  # reported by _table_read_problems; messages then fall back to frictionless's row numbers
    return lines


def is_csv(path: Path | str, resource: dict | None = None) -> bool:
    """Whether a table is CSV text (other formats, e.g. a spreadsheet in data/raw/, are left to frictionless)."""
    declared = str((resource or {}).get("format", "")).lower()
    return declared == "csv" or (not declared and str(path).lower().endswith(".csv"))


def _table_read_problems(data_dir: Path, resource: dict) -> tuple[list[str], bool]:
    """Problems visible in a table's text before any typing: ``(problems, readable)``.

    Binary or non-UTF-8 files are not readable (nothing else is checked in them). In readable files,
    every numeric column is checked for values that are not finite numbers (NaN, inf) or are implausibly
    large, which frictionless would accept as numbers.
    """
    import csv
    import math

    path = data_dir / resource["path"]
    where = _display(data_dir, resource["path"])
    if not is_csv(path, resource):
        return [], True
    raw = path.read_bytes()
    if b"\0" in raw[:65536]:
        return [f"{where}: binary data (NUL bytes), not a UTF-8 CSV text file"], False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return [f"{where} line {line}: not valid UTF-8 (byte {raw[exc.start]:#04x}); save the file as UTF-8"], False
    fields = {f["name"]: f.get("type", "string") for f in resource["schema"]["fields"] if isinstance(f, dict)}
    key = (resource["schema"].get("primaryKey") or [None])[0]
    problems = []
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, [])
            numeric = [(i, name) for i, name in enumerate(header) if fields.get(name) in NUMERIC_TYPES]
            start = reader.line_num + 1
            for record in reader:
                for i, name in numeric:
                    text = record[i].strip() if i < len(record) else ""
                    if "_" in text:  # float() reads Python's digit separators ("5_90"); no other reader does
                        ident = f" ({key} {record[header.index(key)]})" if key in header else ""
                        problems.append(
                            f"{where} line {start}{ident}: column '{name}': {text!r} is not a plain number "
                            "(digit separators such as _ are not allowed; write 590)"
                        )
                        continue
                    try:
                        value = float(text) if text else 0.0
                    except ValueError:
                        continue  # not a number at all: frictionless reports the type error
                    if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
                        ident = (
                            f" ({key} {record[header.index(key)]})"
                            if key in header and header.index(key) < len(record)
                            else ""
                        )
                        shown = text if len(text) <= 20 else f"{text[:12]}... ({len(text)} characters)"
                        spelled = any(ch.isalpha() and ch not in "eE" for ch in text)  # nan, inf
                        reason = "is not a finite number" if spelled else f"is too large (above {MAX_MAGNITUDE:,.0f})"
                        problems.append(f"{where} line {start}{ident}: column '{name}': {shown} {reason}")
                start = reader.line_num + 1
        except csv.Error as exc:
            return [f"{where} line {reader.line_num}: not a readable CSV file ({exc})"], False
    return problems, True


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
        lines = record_lines(data_dir / paths[task.name], keep_blank=True) if task.name in paths else []
        extra_rows = []
        for error in task.errors:
            if _blank_row(error):
                continue  # a blank line is skipped by every reader of the ledger: not a problem
            row = getattr(error, "row_number", None)
            if row is not None and 0 < row <= len(lines):
                error.row_number = lines[row - 1]  # frictionless counts records; people count lines
                # A duplicate key names its first occurrence by record position too: give its line.
                error.note = re.sub(
                    r'(?:in the )?row at position "?(\d+)"?',
                    lambda m, lines=lines: (
                        f"on line {lines[int(m.group(1)) - 1]}" if int(m.group(1)) <= len(lines) else m.group(0)
                    ),
                    getattr(error, "note", "") or "",
                )
            if error.type == "extra-cell":
                extra_rows.append(error.row_number)  # the same cause on every row: one line below
                continue
            problems.append(_describe_error(where, error, keys.get(task.name)))
        if extra_rows:
            shown = ", ".join(map(str, extra_rows[:10])) + (
                f" and {len(extra_rows) - 10} more" if len(extra_rows) > 10 else ""
            )
            problems.append(
                f"{where} line(s) {shown}: more cells than the header names; remove them or name "
                "the column in the header and the descriptor"
            )
    return problems


def _blank_row(error) -> bool:
    """A frictionless error caused only by a blank line (a blank row, or its empty primary key)."""
    if error.type == "blank-row":
        return True
    cells = getattr(error, "cells", None)
    return error.type == "primary-key" and cells is not None and not any(str(c).strip() for c in cells)


def _describe_error(where: str, error, key_field: str | None) -> str:
    row = getattr(error, "row_number", None)
    column = getattr(error, "field_name", None) or getattr(error, "label", None)
    note = getattr(error, "note", "") or error.message
    cells = getattr(error, "cells", None) or []
    ident = ""
    if key_field and row and cells and getattr(error, "field_number", None) != 1:
        ident = f" ({key_field} {cells[0]})" if cells[0] else ""
    if error.type == "duplicate-label":
        label = getattr(error, "label", column)
        position = getattr(error, "field_number", None)
        at = f" (column {position})" if position else ""
        return f"{where} header: column '{label}'{at} repeats an earlier column's name; every name must be unique"
    if error.type in ("missing-label", "blank-label", "incorrect-label", "extra-label"):
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
    from helpers.ledger.checks import cross_table_problems
    from helpers.ledger.raw import raw_problems

    data_dir = Path(data_dir or DATA_DIR)
    try:
        descriptor = read_descriptor(data_dir)
    except DataError as exc:
        return exc.problems
    problems = _hash_problems(data_dir, descriptor["resources"]) + raw_problems(data_dir)
    table_problems, unreadable = [], set()
    for res in descriptor["resources"]:
        if (data_dir / res["path"]).is_file():
            found, readable = _table_read_problems(data_dir, res)
            table_problems += found
            if not readable:
                unreadable.add(res["name"])
    problems += table_problems
    # An unreadable table is left out, and so are the keys pointing at it (they would only repeat that).
    checked = dict(
        descriptor,
        resources=[
            dict(
                r,
                schema=dict(
                    r["schema"],
                    foreignKeys=[
                        k
                        for k in r["schema"].get("foreignKeys", [])
                        if k.get("reference", {}).get("resource") not in unreadable
                    ],
                ),
            )
            for r in descriptor["resources"]
            if r["name"] not in unreadable
        ],
    )
    schema_problems = _frictionless_problems(data_dir, checked)
    problems += schema_problems
    file_missing = any("declared by resource" in p for p in problems)  # missing, a folder or a special file
    if not schema_problems and not table_problems and not file_missing:
        tables = _read_tables(data_dir, descriptor)
        for res in descriptor["resources"]:  # index = true line - 2, so messages name the true line
            lines = record_lines(data_dir / res["path"])[1:]
            if len(lines) == len(tables[res["name"]]):
                tables[res["name"]].index = pd.Index([line - 2 for line in lines])
        problems += cross_table_problems(tables, display=lambda name: _display(data_dir, _path_of(descriptor, name)))
    return problems


def _path_of(descriptor: dict, name: str) -> str:
    return next(r["path"] for r in descriptor["resources"] if r["name"] == name)


def _read_table(data_dir: Path, resource: dict) -> pd.DataFrame:
    fields = resource["schema"]["fields"]
    dtypes = {
        f["name"]: PANDAS_DTYPES.get(f.get("type", "string"), "str") for f in fields if f.get("type") not in DATE_TYPES
    }
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
    tables = {}
    for res in descriptor["resources"]:
        try:
            tables[res["name"]] = _read_table(data_dir, res)
        except (OSError, ValueError, pd.errors.ParserError) as exc:
            # A table that changed after validation (being rewritten, or edited meanwhile) reads as junk.
            raise DataError(
                f"{_display(data_dir, res['path'])}: could not be read after validation ({exc}); "
                "if it is being rewritten, wait and try again, then run `mfc check-data`"
            ) from None
    return tables


LEDGER_TABLES = ("sources", "reports", "discrepancies", "figures", "claims")
CONTEXT_TABLES = ("england_national", "nrm_child_referrals", "councils", "council_years")
# Tables a ledger may lack (a data folder in which no report has versions): None when absent.
OPTIONAL_TABLES = ("versions",)


@dataclass(frozen=True, repr=False)
class Ledger:
    """Every table of a validated data directory, as typed DataFrames.

    The ledger's tables are fields (``ledger.figures``, ``ledger.claims`` ...), so tab completion offers
    them; the context tables derived from official statistics are fields too, ``None`` when a data
    directory has none. ``tables`` maps every resource the descriptor declares to its frame, including
    any a user adds, and ``ledger["name"]`` reads the same mapping.
    """

    data_dir: Path
    sources: pd.DataFrame
    reports: pd.DataFrame
    discrepancies: pd.DataFrame
    figures: pd.DataFrame
    claims: pd.DataFrame
    versions: pd.DataFrame | None = None
    england_national: pd.DataFrame | None = None
    nrm_child_referrals: pd.DataFrame | None = None
    councils: pd.DataFrame | None = None
    council_years: pd.DataFrame | None = None
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)

    @classmethod
    def from_tables(cls, data_dir: Path, tables: dict[str, pd.DataFrame]) -> Ledger:
        """A ledger of ``tables`` (resource name -> frame); the ledger's five tables must all be there."""
        missing = [name for name in LEDGER_TABLES if name not in tables]
        if missing:
            raise DataError(
                f"{Path(data_dir) / DESCRIPTOR_NAME}: no resource named {', '.join(missing)}; "
                f"a ledger needs {', '.join(LEDGER_TABLES)}"
            )
        named = {name: tables.get(name) for name in LEDGER_TABLES + OPTIONAL_TABLES + CONTEXT_TABLES}
        return cls(data_dir=Path(data_dir), tables=MappingProxyType(dict(tables)), **named)

    def __getattr__(self, name: str) -> pd.DataFrame:
        # only reached for names that are not fields: a resource a user declared beyond the known ones
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(f"no table {name!r}; tables: {', '.join(tables)}")

    def __getitem__(self, name: str) -> pd.DataFrame:
        try:
            return self.tables[name]
        except KeyError:
            raise KeyError(f"no table {name!r}; tables: {', '.join(self.tables)}") from None

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self.tables))

    def __repr__(self) -> str:
        rows = ", ".join(f"{name} ({len(frame):,} rows)" for name, frame in self.tables.items())
        return f"Ledger({self.data_dir}: {rows})"


def data_fingerprint(data_dir: Path | str | None = None) -> str:
    """sha256 over every file under ``data_dir`` (names and bytes, sub-folders included) and the validator.

    Any edit, added or removed file anywhere under data/ (data/raw/ and data/context/ included), or a
    change to any module of helpers/ (wherever a check lives), gives a new fingerprint.
    """
    from importlib.metadata import version

    data_dir = Path(data_dir or DATA_DIR)
    digest = hashlib.sha256(f"frictionless {version('frictionless')}\n".encode())  # no import: it is slow
    helpers_dir = Path(__file__).resolve().parents[1]
    modules = sorted(helpers_dir.rglob("*.py"))
    for path in modules + sorted(p for p in data_dir.rglob("*") if p.is_file()):
        name = (
            ("helpers/" + path.relative_to(helpers_dir).as_posix())
            if path in modules
            else path.relative_to(data_dir).as_posix()
        )
        digest.update(f"{name}\0{path.stat().st_size}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def stamp_path(fingerprint: str) -> Path:
    """Where the stamp of a successful validation of data with this fingerprint lives."""
    from helpers.ledger.paths import PROJECT_ROOT

    return PROJECT_ROOT / "build" / "validated" / fingerprint


def validate_once(data_dir: Path | str | None = None) -> list[str]:
    """Problems in ``data_dir`` (like :func:`validate_data_dir`), but skip the work if these exact bytes
    passed before: a valid result leaves a stamp named by :func:`data_fingerprint`.

    A stamp is only ever written after a full validation found nothing, and its name covers every byte
    under the data folder, so an edit can never reuse it.
    """
    data_dir = Path(data_dir or DATA_DIR)
    if not data_dir.is_dir():
        return validate_data_dir(data_dir)
    stamp = stamp_path(data_fingerprint(data_dir))
    if stamp.is_file():
        return []
    problems = validate_data_dir(data_dir)
    if not problems:
        try:
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.write_text(f"{data_dir}\n", encoding="utf-8")
        except OSError:
            pass  # a read-only checkout validates every time, which is slower but still correct
    return problems


def load_ledger(data_dir: Path | str | None = None, validate: bool = True) -> Ledger:
    """Validate ``data_dir`` (default: the project's data/) and load every table.

    Raises DataError listing every problem, each naming the file, the line and the column, so that
    notebooks and the command line stop with the same message. Data that validated before (same bytes,
    same validator) are not validated again: a hash check against the stamp suffices.
    """
    data_dir = Path(data_dir or DATA_DIR)
    if validate:
        problems = validate_once(data_dir)
        if problems:
            raise DataError(problems)
    from helpers.ledger.versions import remember

    descriptor = read_descriptor(data_dir)
    ledger = Ledger.from_tables(data_dir, _read_tables(data_dir, descriptor))
    remember(ledger.versions)  # version ids read as this folder's labels wherever no ledger is passed
    return ledger


# A resource's path, hash or bytes line, at any indentation and in block or "- key:" list form.
_RESOURCE_LINE = re.compile(r"^(\s*(?:-\s+)?)(path|hash|bytes):\s*(.*?)\s*$")


def rehash(data_dir: Path | str | None = None) -> list[str]:
    """Rewrite the sha256 and byte count of every resource in the descriptor; return what changed.

    Values are compared as values (a hash with or without its ``sha256:`` prefix, a byte count as a
    number), never as text, so a descriptor re-indented by a YAML tool is still brought up to date. A
    declared table that is missing is named in a DataError and nothing is written. The YAML is edited
    line by line so the hand-written layout and descriptions stay as they are, and written atomically.
    """
    from helpers.ledger.files import write_text_atomically

    data_dir = Path(data_dir or DATA_DIR)
    path = data_dir / DESCRIPTOR_NAME
    descriptor = read_descriptor(data_dir)  # fail clearly on a broken descriptor before touching it
    missing = [
        f"{_display(data_dir, res['path'])}: declared as table '{res.get('name', res['path'])}' in "
        f"{DESCRIPTOR_NAME} but missing; restore it or remove its entry (nothing was rehashed)"
        for res in descriptor["resources"]
        if not (data_dir / res["path"]).is_file()
    ]
    if missing:
        raise DataError(missing)
    wanted = {
        res["path"]: {"hash": sha256_of(data_dir / res["path"]), "bytes": (data_dir / res["path"]).stat().st_size}
        for res in descriptor["resources"]
    }
    current, changed, out = None, [], []
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        match = _RESOURCE_LINE.match(line.rstrip("\n"))
        if match and match.group(2) == "path":
            current = match.group(3).strip("'\"")
        elif match and current in wanted:
            key, text = match.group(2), match.group(3).strip("'\"")
            new = wanted[current][key]
            old = text.removeprefix("sha256:") if key == "hash" else (int(text) if text.isdigit() else text)
            if old != new:
                changed.append(f"{_display(data_dir, current)}: {key} updated")
                line = f"{match.group(1)}{key}: {'sha256:' + new if key == 'hash' else new}\n"
        out.append(line)
    if changed:
        write_text_atomically(path, "".join(out))
    return changed
