"""Check quantitative claims made in words (like statcheck or GRIM, for percentages, ratios and totals).

Each row of a claims CSV (claim_id, kind, a, b, stated, qualifier) is recomputed from a and b, given a
verdict and, when inconsistent, a diagnosis of the likeliest slip. Arithmetic is exact (Fractions built
from the text of each number), so a tie such as 593 of 4,744 = 12.5% is a tie, not 12.4999...
"""

import csv
import math
from fractions import Fraction

import pandas as pd

from helpers.ledger.errors import DataError
from helpers.stats.rounding import (
    _NUMBER,
    KINDS,
    QUALIFIERS,
    _round_half_up,
    computed_value,
    decimals,
    is_consistent,
    parse_number,
)

REQUIRED = ("claim_id", "kind", "a", "b", "stated", "qualifier")
RESULT_COLUMNS = ("computed", "verdict", "diagnosis", "explanation")
# Optional column: why a claim's a and b cannot be compared, so no verdict on its arithmetic is possible.
COMPARABILITY = {
    "different_council_set": "a and b come from different sets of councils (for example children not "
    "found in the councils able to say, over children missing in all that "
    "answered), so a over b is not a share of one group"
}
PARSED_COLUMNS = ("a_value", "b_value", "stated_value")
# Larger numbers than any count of children or councils are typing slips (or a 400-digit paste) and
# would overflow a float; they are rejected with the column named.
MAX_MAGNITUDE = 10**9
# Kinds whose a and b are counts (of children, episodes, councils), so never negative.
COUNT_KINDS = ("proportion", "one_in_n", "total", "percent_change")


def _fmt(value, places=1, kind=None):
    """A figure for people: whole numbers as 2,335, others to `places` decimals, per cents with %."""
    text = f"{int(value):,}" if value == int(value) else f"{float(value):,.{places}f}"
    return text + "%" if kind in ("proportion", "percent_change") else text


def _alternatives_for(row, alternatives):
    if alternatives is None:
        return []
    if callable(alternatives):
        return list(alternatives(row) or [])
    return list(alternatives.get(row["claim_id"], []))


def _as_fraction(number):
    return Fraction(number) if isinstance(number, (int, Fraction)) else parse_number(str(number))


def _safe(kind, a, b):
    try:
        return computed_value(kind, a, b)
    except ZeroDivisionError:
        return None


def diagnose(row, alternatives=None):
    """Name the likeliest slip behind a claim already found inconsistent: ``(code, sentence)``.

    `row` holds the text columns kind, a, b, stated, qualifier and claim_id. Checks run in this order
    and the first that fits wins: change_over_later_value, points_read_as_percent,
    truncated_not_rounded, a_b_swapped, share_not_change, part_for_whole, other_denominator.
    `alternatives` maps claim_id to a list of (label, denominator) pairs, or is a function of the row
    returning such a list (other denominators the ledger holds for the same report). Returns ("", "")
    when nothing fits.
    """
    kind, stated, qualifier = row["kind"], row["stated"], row["qualifier"]
    a = parse_number(row["a"])
    b = parse_number(row["b"]) if row["b"] != "" else Fraction(0)
    places = decimals(stated) + 1
    computed = computed_value(kind, a, b)

    def fits(value):
        return value is not None and is_consistent(kind, value, stated, qualifier)

    if kind == "percent_change":
        later = 100 * (b - a) / b if b != 0 else None
        if fits(later):
            return (
                "change_over_later_value",
                f"The change {_fmt(b - a)} was divided by the later value {_fmt(b)} "
                f"({_fmt(later, places, kind)}), not by the earlier value {_fmt(a)} "
                f"({_fmt(computed, places, kind)}).",
            )
        if 0 <= a <= 100 and 0 <= b <= 100 and fits(b - a):
            return (
                "points_read_as_percent",
                f"The difference of {_fmt(b - a, places)} percentage points ({_fmt(a)}% to "
                f"{_fmt(b)}%) was reported as a per cent change; the change is "
                f"{_fmt(computed, places, kind)}.",
            )
    scale = Fraction(10) ** (places - 1)
    if qualifier in ("", "exact") and parse_number(stated) == math.trunc(computed * scale) / scale:
        return (
            "truncated_not_rounded",
            f"The figure was cut off rather than rounded: {_fmt(computed, places + 1, kind)} "
            f"rounds to {_fmt(_round_half_up(computed, places - 1), places - 1, kind)}.",
        )
    # As written a share above one (a > b) is what betrays a swap; a swap that turns a sensible share
    # into one above one would "explain" any "more than" claim.
    plausible_swap = kind == "percent_change" or (kind != "total" and a > b)
    swapped = _safe(kind, b, a) if plausible_swap else None
    if fits(swapped):
        return (
            "a_b_swapped",
            f"The claim holds with a and b swapped (a={_fmt(b)}, b={_fmt(a)}), giving "
            f"{_fmt(swapped, places, kind)}; as written it gives {_fmt(computed, places, kind)}.",
        )
    if kind == "percent_change" and fits(100 * a / b if b else None):
        return (
            "share_not_change",
            f"The figure is the earlier value as a share of the later ({_fmt(a)} is "
            f"{_fmt(100 * a / b, places, 'proportion')} of {_fmt(b)}), not the change between them "
            f"({_fmt(computed, places, kind)}).",
        )
    if kind == "total" and b != 0:
        for part in (a, b):
            if is_consistent("total", part, stated, qualifier):
                return (
                    "part_for_whole",
                    f"The figure fits one part alone ({_fmt(part)}), not the total {_fmt(a)} + {_fmt(b)} = "
                    f"{_fmt(computed)}.",
                )
    if kind in ("proportion", "one_in_n"):
        for label, denominator in _alternatives_for(row, alternatives):
            denominator = _as_fraction(denominator)
            other = _safe(kind, a, denominator)
            if fits(other):
                return (
                    "other_denominator",
                    f"The figure fits {_fmt(a)} over another denominator, {label} "
                    f"({_fmt(denominator)}), giving {_fmt(other, places, kind)}; "
                    f"over {_fmt(b)} it is {_fmt(computed, places, kind)}.",
                )
    return ("", "")


def _row_problems(row, line, source_name, seen):
    """Every problem with one row, each as a line naming the file, the line, the claim and the column."""
    claim_id = row.get("claim_id", "")
    where = f"{source_name} line {line}" + (f" (claim_id {claim_id})" if claim_id else "")
    problems = []

    def say(column, message):
        problems.append(f"{where}: column '{column}': {message}")

    if "claim_id" in row:
        if claim_id == "":
            say("claim_id", "empty; every claim needs a unique id")
        elif claim_id in seen:
            say("claim_id", f"{claim_id!r} duplicates line {seen[claim_id]}; ids must be unique")
        else:
            seen[claim_id] = line
    kind = row.get("kind")
    if kind is not None and kind not in KINDS:
        say("kind", f"{kind!r} is not a valid kind; valid kinds: {', '.join(KINDS)}")
    if "comparability" in row and row["comparability"] not in ("", *COMPARABILITY):
        say(
            "comparability",
            f"{row['comparability']!r} is not a valid comparability; valid values: "
            f"{', '.join(COMPARABILITY)} (empty means a and b are comparable)",
        )
    if "qualifier" in row and row["qualifier"] not in ("",) + QUALIFIERS:
        say(
            "qualifier",
            f"{row['qualifier']!r} is not a valid qualifier; valid qualifiers: "
            f"{', '.join(QUALIFIERS)} (empty means exact)",
        )
    values = {}
    for column in ("a", "b", "stated"):
        if column not in row:
            continue
        text = str(row[column]).strip()
        if column == "b" and text == "":
            if kind in KINDS and kind != "total":
                say("b", f"empty; kind {kind} needs b (only a total may leave b empty)")
        elif text == "":
            say(column, "empty; a number is required")
        elif not _NUMBER.fullmatch(text):
            say(column, f"{text!r} is not a number; write plain digits such as 2400 or 13.8")
        elif abs(parse_number(text)) > MAX_MAGNITUDE:
            shown = text if len(text) <= 20 else f"{text[:12]}... ({len(text)} characters)"
            say(column, f"{shown} is too large; numbers above {MAX_MAGNITUDE:,} are not accepted")
        else:
            values[column] = parse_number(text)
    if kind in COUNT_KINDS:
        for column in ("a", "b"):
            if values.get(column, 0) < 0:
                say(column, f"{row[column].strip()} is negative, but a count cannot be")
    if kind == "proportion" and "stated" in values and not 0 <= values["stated"] <= 100:
        say("stated", f"{row['stated'].strip()} is outside 0 to 100; a share is a per cent of a whole")
    if kind == "one_in_n" and values.get("stated", 1) < 0:
        say("stated", f"{row['stated'].strip()} is negative; 'one in N' needs N above 0")
    zero = {
        "proportion": ("b", "a proportion"),
        "percent_change": ("a", "a per cent change"),
        "one_in_n": ("a", "'one in N'"),
    }
    if kind in zero and values.get(zero[kind][0]) == 0:
        say(zero[kind][0], f"0; {zero[kind][1]} divides by it")
    if kind == "one_in_n" and values.get("b") == 0:
        say("b", "0; 'a of b is one in N' needs b above 0")
    if kind == "one_in_n" and values.get("stated") == 0:
        say("stated", "0; 'one in 0' has no meaning")
    return problems


def validate_claims(frame, source_name="claims.csv"):
    """Every problem with a claims frame of text columns, one line each (an empty list when valid).

    Line numbers come from an index named "line" (as read_claims builds it); otherwise the first
    data row is line 2, after the header.
    """
    problems = []
    missing = [column for column in REQUIRED if column not in frame.columns]
    if missing:
        problems.append(
            f"{source_name}: missing required column(s) "
            f"{', '.join(repr(c) for c in missing)}; required: {', '.join(REQUIRED)}"
        )
    lines = frame.index if frame.index.name == "line" else range(2, len(frame) + 2)
    seen = {}
    for line, (_, row) in zip(lines, frame.iterrows()):
        problems += _row_problems(row, line, source_name, seen)
    return problems


def _header_problems(source_name, header):
    """A header naming a column twice, or leaving one unnamed, cannot be read unambiguously."""
    problems = []
    for number, name in enumerate(header, start=1):
        if name == "":
            problems.append(f"{source_name} header: column {number} has no name; every column needs one")
        elif header.index(name) + 1 != number:
            problems.append(
                f"{source_name} header: column '{name}' appears twice (columns "
                f"{header.index(name) + 1} and {number}); column names must be unique"
            )
    return problems


def read_claims(path):
    """Read and validate a claims CSV; raise DataError listing every problem found.

    Returns a frame of the original text (whitespace stripped, index "line" = line in the file) plus
    float columns a_value, b_value, stated_value. Other columns pass through untouched.
    """
    from helpers.ledger.files import check_input_path

    path = check_input_path(path, "claims CSV file")
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            if "\0" in handle.read(8192):
                raise DataError(f"{path.name}: binary data (NUL bytes), not a CSV text file")
            handle.seek(0)
            # csv rather than pandas so that each row keeps its true line number (blank lines and
            # quoted line breaks would otherwise shift them).
            reader = csv.reader(handle)
            header = [cell.strip() for cell in next(reader, [])]
            records, lines, too_long, start = [], [], [], reader.line_num + 1
            for record in reader:
                if any(cell.strip() for cell in record):
                    if len(record) > len(header) and any(cell.strip() for cell in record[len(header) :]):
                        too_long.append(start)
                    cells = [cell.strip() for cell in record][: len(header)]
                    records.append(cells + [""] * (len(header) - len(cells)))
                    lines.append(start)
                start = reader.line_num + 1
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise DataError(f"{path.name}: not a readable UTF-8 CSV file ({error})") from None
    except OSError as error:
        raise DataError(f"{path}: cannot be read ({error.strerror or error})") from None
    if not header:
        raise DataError(f"{path.name}: empty file; the header must name {', '.join(REQUIRED)}")
    problems = _header_problems(path.name, header)
    clash = [name for name in header if name in RESULT_COLUMNS + PARSED_COLUMNS]
    if clash:
        problems.append(
            f"{path.name} header: column(s) {', '.join(clash)} are written by the checker "
            f"({', '.join(RESULT_COLUMNS)}); rename yours (e.g. 'your_{clash[0]}') so neither is lost"
        )
    if problems:
        raise DataError(problems)
    if too_long:
        # One line for the whole file, not one per row: the cause is the same each time.
        shown = ", ".join(map(str, too_long[:10])) + (f" and {len(too_long) - 10} more" if len(too_long) > 10 else "")
        problems.append(
            f"{path.name} line(s) {shown}: more fields than the header's {len(header)} columns; "
            "name every column in the header (or quote values that contain commas)"
        )
    frame = pd.DataFrame(records, columns=header, index=pd.Index(lines, name="line"), dtype=str)
    problems += validate_claims(frame, path.name)
    if problems:
        raise DataError(problems)
    for column, parsed in zip(("a", "b", "stated"), PARSED_COLUMNS):
        frame[parsed] = [float(parse_number(text)) if text else float("nan") for text in frame[column]]
    return frame


def check_claims(frame, alternatives=None):
    """Recompute every claim: a frame with claim_id, kind, a, b, stated, qualifier, computed (float),
    verdict ("consistent" / "inconsistent", or "not_checkable" when an optional ``comparability``
    column says a and b cannot be compared), diagnosis (code or ""), explanation (sentence or "") and
    the passthrough columns. `alternatives` is as for diagnose. Raises DataError on invalid input.
    """
    problems = validate_claims(frame)
    if problems:
        raise DataError(problems)
    out = frame.drop(columns=[c for c in PARSED_COLUMNS + RESULT_COLUMNS if c in frame.columns])
    results = []
    for _, row in out.iterrows():
        b = parse_number(row["b"]) if row["b"] != "" else None
        computed = computed_value(row["kind"], parse_number(row["a"]), b)
        reason = COMPARABILITY.get(row.get("comparability", ""), "")
        if reason:
            results.append((float(computed), "not_checkable", "", f"Not checkable: {reason}."))
            continue
        consistent = is_consistent(row["kind"], computed, row["stated"], row["qualifier"])
        code, sentence = ("", "") if consistent else diagnose(row, alternatives)
        results.append((float(computed), "consistent" if consistent else "inconsistent", code, sentence))
    for position, column in enumerate(RESULT_COLUMNS):
        out[column] = [result[position] for result in results]
    rest = [c for c in out.columns if c not in REQUIRED + RESULT_COLUMNS]
    return out[list(REQUIRED + RESULT_COLUMNS) + rest]


def write_verdicts(verdicts, out_path):
    """Write the verdicts as CSV, atomically: a temporary file in the same folder is moved into
    place, so a failure never leaves a partial file behind."""
    from helpers.ledger.csv_out import write_csv_file

    # The file is made to be opened in spreadsheets: the one CSV writer quotes CR and LF and writes a
    # cell that would run as a formula with a leading apostrophe (OWASP's advice on CSV injection).
    write_csv_file(out_path, verdicts)


def format_table(verdicts):
    """A readable table: claim_id, kind, stated (with qualifier), computed, verdict, diagnosis."""
    if verdicts.empty:
        return "no claims"
    table = verdicts[["claim_id", "kind", "stated", "computed", "verdict", "diagnosis"]].copy()
    table["stated"] = [f"{q.replace('_', ' ')} {s}".strip() for q, s in zip(verdicts["qualifier"], verdicts["stated"])]
    # One decimal more than the claim shows: enough to see why it rounds the way it does.
    table["computed"] = [
        _fmt(Fraction(c), decimals(s) + 1, k)
        for k, c, s in zip(verdicts["kind"], verdicts["computed"], verdicts["stated"])
    ]
    return table.to_string(index=False)
