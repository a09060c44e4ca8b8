"""A displayed table as data: what the site's "Download this table (CSV)" holds.

A table on the page is text for reading ("2,335", "37.0%", "35.1% to 39.0%", "–", "<0.001"). Its CSV
holds the same values as numbers a spreadsheet or pandas reads without cleaning:

- counts as integers (``2335``), other numbers as decimals;
- per cent as proportions (``37.0%`` -> ``0.37``; the header says "(proportion)");
- an interval in two columns (``35.1% to 39.0%`` -> "..., from" and "..., to"), an estimate with its
  interval in three, "1.14 ± 0.03" in two (the value and its "±"), and a note in brackets after a
  number ("4 (more than)", "(d = 1.18)") in a column of its own ("..., note");
- empty cells empty (the dash, and in a column of numbers the words that stand for no number, such as
  "not computable" or "no % published");
- a bound such as "<0.001" as its number, the header saying what that number means.

A column is converted only when every cell that is not empty has one of these shapes; any other
column (names, sentences, claims as stated) and periods and years stay text as shown.
"""

from __future__ import annotations

import re

#: What an empty cell reads as on the page (``tables.MISSING_TEXT`` and the dashes older helpers use).
EMPTY_MARKS = {"", "–", "-", "—"}
#: Words that stand for "no number here" in a column of numbers.
NO_NUMBER_WORDS = {
    "none",
    "no % published",
    "not computable",
    "not computable (two council sets)",
    "no published figure",
    "no interval",
    "no council count published",
    "reference",
}

_NUMBER = r"[+\-−]?\d[\d,]*(?:\.\d+)?(?:%| points)?"
_X = f"({_NUMBER})"
# the shapes of a cell of numbers, each naming its parts; any of them may end in a note in brackets
_SHAPES = [
    (re.compile(rf"^{_X} \({_X} to {_X}\)$"), ("value", "from", "to")),
    (re.compile(rf"^{_X} to {_X}$"), ("from", "to")),
    (re.compile(rf"^{_X} ± {_X}$"), ("value", "±")),
    (re.compile(rf"^<\s?{_X}$"), ("bound",)),
    (re.compile(rf"^{_X}$"), ("value",)),
]
_NOTE = re.compile(r"^(.*?) \(([^()]*)\)$")
_QUALIFIER = re.compile(r"^(more than|less than|about|nearly|almost|at least|over|under) (.+)$")
#: The data columns a displayed column becomes, in this order, and what each adds to its header.
PART_SUFFIX = {"value": "", "from": ", from", "to": ", to", "±": ", ±", "note": ", note"}
#: Columns whose values are labels even when they look like numbers or intervals (a period, a year).
TEXT_HEADERS = re.compile(r"((headline|data) )?period|year", re.I)


def number(text: str, points_as_proportion: bool = False) -> int | float:
    """A number as shown -> its value: "2,335" -> 2335, "37.0%" -> 0.37, "+3.0 points" -> 3.0 (0.03 with
    ``points_as_proportion``, in a column of proportions), "−1" -> -1."""
    text = text.strip().replace("−", "-").replace(",", "")
    if text.endswith("%") or (points_as_proportion and text.endswith(" points")):
        digits = text.removesuffix("%").removesuffix(" points")
        places = len(digits.split(".")[1]) if "." in digits else 0
        return round(float(digits) / 100, places + 2)
    text = text.removesuffix(" points")
    return int(text) if re.fullmatch(r"[+-]?\d+", text) else float(text)


def _no_number(cell: str) -> bool:
    """Words that say a cell of a column of numbers has none ("not computable", "none: different councils")."""
    text = cell.strip().lower()
    return text in NO_NUMBER_WORDS or text.startswith(("none:", "not computable", "no "))


def cell_parts(cell: str) -> dict[str, str] | None:
    """The parts of a cell of numbers as text ({"value": "0.81", "from": "0.29", "to": "2.23"}), a note
    in brackets after them or a qualifier before them as "note" ("4 (more than)", "more than 200",
    "46.5% to 50.3% (d = 1.18)"); None for other text."""
    for pattern, names in _SHAPES:
        match = pattern.match(cell)
        if match:
            return dict(zip(names, match.groups()))
    qualified = _QUALIFIER.match(cell)
    if qualified:
        match = _SHAPES[-1][0].match(qualified.group(2))
        if match:
            return {"value": match.group(1), "note": qualified.group(1)}
    noted = _NOTE.match(cell)
    if noted:
        for pattern, names in _SHAPES:
            match = pattern.match(noted.group(1))
            if match:
                return {**dict(zip(names, match.groups())), "note": noted.group(2)}
    return None


def _column(header: str, cells: list[str]) -> list[tuple[str, list]]:
    """One displayed column -> its data columns, as (header, values) pairs (None for an empty cell)."""
    as_text = [(header, [None if c.strip() in EMPTY_MARKS else c for c in cells])]
    if TEXT_HEADERS.fullmatch(header):
        return as_text
    blank = [c.strip() in EMPTY_MARKS or _no_number(c) for c in cells]
    parts = [None if b else cell_parts(c.strip()) for c, b in zip(cells, blank)]
    if any(p is None and not b for p, b in zip(parts, blank)) or not any(parts):
        return as_text  # text: only the dash means empty here (words like "none" are what the cell says)
    bounds = set()  # "<0.001", perhaps with a note after it ("<0.001 (d 1.1–1.2)"): the bound alone
    for cell_parts_ in parts:
        if cell_parts_ and "bound" in cell_parts_:
            cell_parts_["value"] = cell_parts_.pop("bound")
            bounds.add(number(cell_parts_["value"]))
    bounds = sorted(bounds)
    texts = [text for p in parts if p for name, text in p.items() if name != "note"]
    percent = any(t.endswith("%") for t in texts)
    # per cent beside percentage points ("96.0% ± 0.6 points") is one unit, both as proportions; per
    # cent beside plain numbers (claims as stated) has no one unit, and the column stays text
    if percent and not all(t.endswith(("%", " points")) for t in texts):
        return as_text
    unit = " (proportion)" if percent and "proportion" not in header else ""
    name = header.removesuffix(" %") if unit else header  # "published %" holds proportions now
    spread = re.fullmatch(r"(.*) ± (.+)", name)  # "bias, points ± MCSE": the value, then its MCSE
    names = {"±": f"{spread.group(1)}, {spread.group(2)}"} if spread else {}
    name = spread.group(1) if spread else name
    out = []
    for part, suffix in PART_SUFFIX.items():
        if not any(p and part in p for p in parts):
            continue
        if part == "note":
            out.append((f"{name}{suffix}", [p.get("note") if p else None for p in parts]))
            continue
        values = [number(p[part], percent) if p and part in p else None for p in parts]
        label = names.get(part, f"{name}{suffix}") + unit
        if part == "value" and bounds:
            label += f" ({', '.join(f'{b:g}' for b in bounds)}: below that value)"
        out.append((label, values))
    return out


def table_data(rows: list[list[str]]) -> list[list]:
    """A displayed table (header row, then rows of cell text, as ``site.table_rows`` reads them) as data:
    the header row, then rows of numbers, text and None (an empty cell)."""
    if not rows:
        return []
    header, body = rows[0], rows[1:]
    width = len(header)
    body = [row + [""] * (width - len(row)) for row in body]
    columns = []
    for index, name in enumerate(header):
        columns += _column(name, [row[index] for row in body])
    headers = [name for name, _ in columns]
    return [headers] + [list(values) for values in zip(*(values for _, values in columns))]
