"""The one CSV writer: every CSV the project writes goes through :func:`write_csv` (or
:func:`write_csv_file`): ``mfc claims --out``, ``mfc ... --csv``, the site's table downloads, a readable
table's ``to_csv`` and the context tables.

Two rules make a file safe to open in a spreadsheet:

- **Quoting.** A cell holding the delimiter, a quote, a line feed *or a carriage return* is quoted.
  Python's ``csv`` module (and pandas) quote a carriage return only when it is part of the line
  terminator, so with Unix line ends a lone CR was written bare and a spreadsheet started a new row
  there. Here rows are written with ``\\r\\n`` as the terminator (so both characters count) and the
  terminator is then written as ``\\n``.
- **Formulas** (OWASP's advice on CSV injection). A text cell that starts with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return, or with one of them after leading white space, gets a leading
  ``'``, so it is shown as text instead of run. A plain number such as ``-22`` is left as it is.
  Tables of data the project reads back (``data/context/``) are written with ``neutralise=False``:
  their values are data, and they never reach a spreadsheet before the project has checked them.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from pathlib import Path

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_plain_number(text: str) -> bool:
    """Text a spreadsheet reads as a finite number (``-22``, ``1.5e3``), not as a formula."""
    if "_" in text:  # Python reads 1_000 as a number; a spreadsheet does not
        return False
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def neutralise_formula(value):
    """Prefix ``'`` to text a spreadsheet would run as a formula: it starts with = + - @ tab or CR,
    at once or after white space. Other values, plain numbers included, are returned as they are."""
    if not isinstance(value, str) or _is_plain_number(value):
        return value
    if value.startswith(FORMULA_STARTS) or value.lstrip().startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_formulas(table):
    """A copy of a pandas table with every text cell (and header) passed through :func:`neutralise_formula`."""
    out = table.copy()
    for column in out.columns:
        if out[column].dtype == object or str(out[column].dtype) in ("string", "str"):
            out[column] = out[column].map(neutralise_formula)
    out.columns = [neutralise_formula(str(c)) for c in out.columns]
    return out


def cell_text(value, float_format: str | None = None) -> str:
    """One cell as text: empty for a missing value, ``float_format`` (or ``repr``) for a float."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if type(value).__name__ in ("NAType", "NaTType"):
        return ""
    if isinstance(value, float) or type(value).__name__ in ("float64", "float32", "float16"):
        value = float(value)
        return "" if value != value else (float_format % value if float_format else repr(value))
    return str(value)


def table_rows(table, float_format: str | None = None) -> list[list[str]]:
    """The header and rows of a pandas table as text cells (no index)."""
    rows = [[str(c) for c in table.columns]]
    rows += [[cell_text(v, float_format) for v in row] for row in table.itertuples(index=False, name=None)]
    return rows


class _UnixLineEnds:
    """A stream adaptor for ``csv.writer``: it writes each row in one call ending in ``\\r\\n``;
    the row's end is written as ``\\n`` (a CR or LF inside a cell is quoted, so never at the end)."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, line: str):
        return self.stream.write(line[:-2] + "\n" if line.endswith("\r\n") else line)


def write_csv(table_or_rows, stream, *, float_format: str | None = None, neutralise: bool = True) -> None:
    """Write a pandas table (header and rows, no index) or a list of rows to ``stream`` as CSV.

    Cells holding a comma, a quote, CR or LF are quoted; lines end in ``\\n``; with ``neutralise``
    (the default) a text cell a spreadsheet would run as a formula gets a leading ``'``.
    """
    rows: Iterable = table_or_rows if isinstance(table_or_rows, list) else table_rows(table_or_rows, float_format)
    writer = csv.writer(_UnixLineEnds(stream), lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in rows:
        cells = ["" if cell is None else str(cell) for cell in row]
        writer.writerow([neutralise_formula(cell) for cell in cells] if neutralise else cells)


def write_csv_file(path: Path | str, table_or_rows, *, float_format: str | None = None, neutralise: bool = True):
    """Write a CSV file atomically with :func:`write_csv` (a failure leaves the old file as it was)."""
    from helpers.ledger.files import write_atomically

    return write_atomically(
        path,
        lambda stream: write_csv(table_or_rows, stream, float_format=float_format, neutralise=neutralise),
        newline="",
    )
