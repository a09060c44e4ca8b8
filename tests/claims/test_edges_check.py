"""Edges of helpers/claims/check.py: each diagnosis word for word, every input check on both sides of
its limit, the reader's file problems and the command's summary lines.

The figures in the sentences are worked out by hand in the comments.
"""

import io

import pandas as pd
import pytest

from helpers.claims.check import (
    COMPARABILITY,
    REQUIRED,
    check_claims,
    diagnose,
    format_table,
    read_claims,
    validate_claims,
)
from helpers.ledger.errors import DataError
from helpers.run.claims_cli import claims_command

HEADER = "claim_id,kind,a,b,stated,qualifier"


def frame(*rows, **extra):
    data = pd.DataFrame([list(r) for r in rows], columns=list(REQUIRED), dtype=str)
    return data.assign(**extra)


def row(kind, a, b, stated, qualifier=""):
    return pd.Series({"claim_id": "c1", "kind": kind, "a": a, "b": b, "stated": stated, "qualifier": qualifier})


# ---------------------------------------------------------------- diagnoses, word for word


@pytest.mark.parametrize(
    ("claim", "alternatives", "code", "sentence"),
    [
        # 960 -> 1,231: the change 271 is 28.2% of 960 but 22.0% of 1,231
        (
            row("percent_change", "960", "1231", "22"),
            None,
            "change_over_later_value",
            "The change 271 was divided by the later value 1,231 (22.0%), not by the earlier value 960 (28.2%).",
        ),
        # 11% -> 13%: 2 points, a rise of 18.2%
        (
            row("percent_change", "11", "13", "2"),
            None,
            "points_read_as_percent",
            "The difference of 2 percentage points (11% to 13%) was reported as a per cent change; the change is 18.2%.",
        ),
        # 11.5% -> 13%: 1.5 points shown to one decimal more than the claim's "1.5"
        (
            row("percent_change", "11.5", "13", "1.5"),
            None,
            "points_read_as_percent",
            "The difference of 1.50 percentage points (11.5% to 13%) was reported as a per cent change; "
            "the change is 13.04%.",
        ),
        # 708 / 4,749 = 14.908%: cut to 14, rounds to 15
        (
            row("proportion", "708", "4749", "14"),
            None,
            "truncated_not_rounded",
            "The figure was cut off rather than rounded: 14.91% rounds to 15%.",
        ),
        # one decimal: 1 / 6 = 16.667%: cut to 16.6, rounds to 16.7
        (
            row("proportion", "1", "6", "16.6"),
            None,
            "truncated_not_rounded",
            "The figure was cut off rather than rounded: 16.667% rounds to 16.7%.",
        ),
        # 4,744 / 593 = 800%; swapped 593 / 4,744 = 12.5%
        (
            row("proportion", "4744", "593", "13"),
            None,
            "a_b_swapped",
            "The claim holds with a and b swapped (a=593, b=4,744), giving 12.5%; as written it gives 800%.",
        ),
        # one in N: 986 / 5,873 = 0.17; swapped 5,873 / 986 = 5.96, "one in six"
        (
            row("one_in_n", "5873", "986", "6"),
            None,
            "a_b_swapped",
            "The claim holds with a and b swapped (a=986, b=5,873), giving 6.0; as written it gives 0.2.",
        ),
        # 590 -> 1,015: a rise of 72.0%; 590 is 58.1% of 1,015
        (
            row("percent_change", "590", "1015", "58"),
            None,
            "share_not_change",
            "The figure is the earlier value as a share of the later (590 is 58.1% of 1,015), not the change "
            "between them (72.0%).",
        ),
        # 167 + 593 = 760; 593 alone is nearly 600
        (
            row("total", "167", "593", "600", "nearly"),
            None,
            "part_for_whole",
            "The figure fits one part alone (593), not the total 167 + 593 = 760.",
        ),
        # the first part fits too: 600 + 50 = 650 is not nearly 600, 600 alone is
        (
            row("total", "600", "50", "600", "nearly"),
            None,
            "part_for_whole",
            "The figure fits one part alone (600), not the total 600 + 50 = 650.",
        ),
        # 864 / 2,638 = 32.8%; over 2,335 it is 37.0%
        (
            row("proportion", "864", "2638", "37"),
            {"c1": [("nothing", 9000), ("children looked after", 2335)]},
            "other_denominator",
            "The figure fits 864 over another denominator, children looked after (2,335), giving 37.0%; "
            "over 2,638 it is 32.8%.",
        ),
        # one in N over another denominator: 3,000 / 500 = 6
        (
            row("one_in_n", "500", "2000", "6"),
            {"c1": [("all episodes", "3000")]},
            "other_denominator",
            "The figure fits 500 over another denominator, all episodes (3,000), giving 6; over 2,000 it is 4.",
        ),
    ],
)
def test_each_diagnosis_word_for_word(claim, alternatives, code, sentence):
    assert diagnose(claim, alternatives) == (code, sentence)


def test_diagnoses_that_do_not_apply():
    # a percentage change over 100 cannot be points; a total with no b has no parts
    assert diagnose(row("percent_change", "120", "126", "6")) == ("", "")  # 6 points, but 120 is no per cent
    assert diagnose(row("total", "600", "", "500", "nearly")) == ("", "")
    # a total's swap is no slip (a + b = b + a); a share below one is not swapped
    assert diagnose(row("proportion", "10", "100", "5")) == ("", "")
    # other denominators are tried only for shares and "one in N", and only when one fits
    assert diagnose(row("total", "5", "5", "12"), {"c1": [("x", 12)]}) == ("", "")
    assert diagnose(row("proportion", "864", "2638", "37"), {"c1": [("zero", 0)]}) == ("", "")
    assert diagnose(row("proportion", "864", "2638", "37"), lambda r: None) == ("", "")
    # the later value of a change to 0 is undefined, not a fit (and 150 cannot be a percentage)
    assert diagnose(row("percent_change", "150", "0", "-50")) == ("", "")


def test_a_qualified_claim_is_never_called_truncated():
    # 708 / 4,749 = 14.9% is "more than 14" anyway; "at least 15" is simply wrong
    assert diagnose(row("proportion", "708", "4749", "15", "at_least")) == ("", "")


def test_a_fall_read_as_points_and_over_the_later_value():
    # 13% -> 11%: 2 points down; stated -2 fits the points
    assert diagnose(row("percent_change", "13", "11", "-2"))[0] == "points_read_as_percent"
    # 0 and 100 are valid percentages for the points check
    assert diagnose(row("percent_change", "100", "90", "-10"))[0] == "points_read_as_percent"
    assert diagnose(row("percent_change", "20", "0", "-20"))[0] == "points_read_as_percent"
    # so is a percentage below 1: 0.5% -> 2.5% is 2 points (a 400% change, 80% over the later value)
    assert diagnose(row("percent_change", "0.5", "2.5", "2"))[0] == "points_read_as_percent"
    # 50 -> 100 is +50 over the later value (and +50 points): the later value is tried first
    assert diagnose(row("percent_change", "50", "100", "50"))[0] == "change_over_later_value"


# ---------------------------------------------------------------- input checks


def problems(*rows, source="c.csv", **extra):
    return validate_claims(frame(*rows, **extra), source)


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        (("c1", "total", "1000000000", "0", "1", ""), []),  # at the limit
        (
            ("c1", "total", "1000000001", "0", "1", ""),
            [
                "c.csv line 2 (claim_id c1): column 'a': 1000000001 is too large; numbers above 1,000,000,000 are not accepted"
            ],
        ),
        (
            ("c1", "total", "1", "-1000000001", "1", ""),
            [
                "c.csv line 2 (claim_id c1): column 'b': -1000000001 is too large; numbers above 1,000,000,000 are not accepted"
            ],
        ),
        (
            ("c1", "total", "1", "2", "1" * 21, ""),
            [
                "c.csv line 2 (claim_id c1): column 'stated': 111111111111... (21 characters) is too large; "
                "numbers above 1,000,000,000 are not accepted"
            ],
        ),
        (
            ("c1", "total", "1", "2", "1" * 10 + ".0000000001", ""),
            [
                "c.csv line 2 (claim_id c1): column 'stated': 1111111111.0... (21 characters) is too large; "
                "numbers above 1,000,000,000 are not accepted"
            ],
        ),
        (
            ("c1", "total", "1", "2", "12345678901.5", ""),
            [
                "c.csv line 2 (claim_id c1): column 'stated': 12345678901.5 is too large; "
                "numbers above 1,000,000,000 are not accepted"
            ],
        ),
        (("c1", "proportion", "0", "5", "0", ""), []),
        (("c1", "proportion", "5", "5", "100", ""), []),
        (
            ("c1", "proportion", "5", "5", "100.1", ""),
            [
                "c.csv line 2 (claim_id c1): column 'stated': 100.1 is outside 0 to 100; a share is a per cent of a whole"
            ],
        ),
        (
            ("c1", "proportion", "0", "5", "-0.1", ""),
            ["c.csv line 2 (claim_id c1): column 'stated': -0.1 is outside 0 to 100; a share is a per cent of a whole"],
        ),
        (
            ("c1", "proportion", "-1", "5", "20", ""),
            ["c.csv line 2 (claim_id c1): column 'a': -1 is negative, but a count cannot be"],
        ),
        (
            ("c1", "percent_change", "5", "-2", "20", ""),
            ["c.csv line 2 (claim_id c1): column 'b': -2 is negative, but a count cannot be"],
        ),
        (("c1", "percent_change", "5", "0", "-100", ""), []),  # everyone gone: a fall of 100%
        (
            ("c1", "one_in_n", "1", "5", "-5", ""),
            ["c.csv line 2 (claim_id c1): column 'stated': -5 is negative; 'one in N' needs N above 0"],
        ),
        (
            ("c1", "one_in_n", "1", "0", "5", ""),
            ["c.csv line 2 (claim_id c1): column 'b': 0; 'a of b is one in N' needs b above 0"],
        ),
        (
            ("c1", "one_in_n", "1", "5", "0", ""),
            ["c.csv line 2 (claim_id c1): column 'stated': 0; 'one in 0' has no meaning"],
        ),
        (("c1", "one_in_n", "1", "5", "5", ""), []),
        (
            ("c1", "total", "-5", "", "-5", ""),
            ["c.csv line 2 (claim_id c1): column 'a': -5 is negative, but a count cannot be"],
        ),
        (("c1", "total", "5", "", "5", "about"), []),
        (
            ("c1", "total", "5", "", "", ""),
            ["c.csv line 2 (claim_id c1): column 'stated': empty; a number is required"],
        ),
    ],
)
def test_each_input_check_on_both_sides_of_its_limit(claim, expected):
    assert problems(claim) == expected


def test_an_unknown_kind_skips_the_kind_checks():
    assert problems(("c1", "ratio", "-1", "", "200", "")) == [
        "c.csv line 2 (claim_id c1): column 'kind': 'ratio' is not a valid kind; "
        "valid kinds: proportion, percent_change, one_in_n, total"
    ]


def test_comparability_values():
    assert problems(("c1", "total", "1", "2", "3", ""), comparability=["different_council_set"]) == []
    assert problems(("c1", "total", "1", "2", "3", ""), comparability=[""]) == []
    assert problems(("c1", "total", "1", "2", "3", ""), comparability=["other"]) == [
        "c.csv line 2 (claim_id c1): column 'comparability': 'other' is not a valid comparability; "
        "valid values: different_council_set (empty means a and b are comparable)"
    ]


def test_line_numbers_come_from_a_line_index():
    data = frame(("c1", "total", "1", "2", "3", ""), ("c1", "total", "1", "2", "3", ""))
    data.index = pd.Index([7, 9], name="line")
    assert validate_claims(data) == [
        "claims.csv line 9 (claim_id c1): column 'claim_id': 'c1' duplicates line 7; ids must be unique"
    ]
    data.index = pd.Index([7, 9], name="row")  # any other index: lines counted from 2
    assert validate_claims(data)[0].startswith("claims.csv line 3 (claim_id c1)")


def test_a_frame_without_claim_id_or_kind_reports_only_the_missing_columns():
    data = pd.DataFrame({"a": ["1"], "b": ["2"], "stated": ["3"]}, dtype=str)
    assert validate_claims(data, "x.csv") == [
        "x.csv: missing required column(s) 'claim_id', 'kind', 'qualifier'; required: "
        "claim_id, kind, a, b, stated, qualifier"
    ]


# ---------------------------------------------------------------- reading files


def write(tmp_path, text, name="claims.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def read_problems(path):
    with pytest.raises(DataError) as caught:
        read_claims(path)
    return caught.value.problems


def test_file_problems_each_in_one_line(tmp_path):
    assert read_problems(tmp_path) == [f"{tmp_path}: is a folder, not a claims CSV file"]
    assert read_problems(write(tmp_path, "a\0b")) == ["claims.csv: binary data (NUL bytes), not a CSV text file"]
    assert read_problems(write(tmp_path, "")) == [
        "claims.csv: empty file; the header must name claim_id, kind, a, b, stated, qualifier"
    ]
    path = tmp_path / "latin.csv"
    path.write_bytes(HEADER.encode() + b"\nc1,total,1,2,3,caf\xe9\n")
    (problem,) = read_problems(path)
    assert problem.startswith("latin.csv: not a readable UTF-8 CSV file (") and problem.endswith(")")


def test_header_problems(tmp_path):
    assert read_problems(write(tmp_path, "claim_id,,kind,a,b,stated,qualifier,a\n")) == [
        "claims.csv header: column 2 has no name; every column needs one",
        "claims.csv header: column 'a' appears twice (columns 4 and 8); column names must be unique",
    ]


def test_too_many_fields_is_one_line_for_the_file(tmp_path):
    rows = "".join(f"c{i},total,1,2,3,,extra\n" for i in range(12))
    assert read_problems(write(tmp_path, HEADER + "\n" + rows)) == [
        "claims.csv line(s) 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 2 more: more fields than the header's 6 columns; "
        "name every column in the header (or quote values that contain commas)"
    ]
    assert read_problems(write(tmp_path, HEADER + "\nc1,total,1,2,3,,x\nc2,total,1,2,3,\n")) == [
        "claims.csv line(s) 2: more fields than the header's 6 columns; "
        "name every column in the header (or quote values that contain commas)"
    ]


def test_short_rows_are_padded_and_empty_extra_cells_ignored(tmp_path):
    data = read_claims(write(tmp_path, "\ufeff" + HEADER + "\n c1 ,total, 1 ,,3\nc2,total,1,2,3,, ,\n"))
    assert list(data["claim_id"]) == ["c1", "c2"] and list(data["qualifier"]) == ["", ""]
    assert list(data.index) == [2, 3] and data.index.name == "line"
    assert data["b_value"].isna().tolist() == [True, False] and list(data["a_value"]) == [1.0, 1.0]
    assert list(data["stated_value"]) == [3.0, 3.0]


def test_a_quoted_line_break_keeps_the_true_line_numbers(tmp_path):
    text = HEADER + ',note\nc1,total,1,2,3,,"two\nlines"\n\nc2,total,1,2,x,\n'
    assert read_problems(write(tmp_path, text)) == [
        "claims.csv line 5 (claim_id c2): column 'stated': 'x' is not a number; write plain digits such as 2400 or 13.8"
    ]


# ---------------------------------------------------------------- checking and the table


def test_check_claims_columns_verdicts_and_not_checkable():
    data = frame(
        ("c1", "proportion", "207", "760", "27", ""),
        ("c2", "proportion", "864", "2638", "37", ""),
        ("c3", "total", "5", "", "5", ""),
        comparability=["different_council_set", "", ""],
        note=["x", "y", "z"],
        verdict=["old", "old", "old"],
        a_value=[0.0, 0.0, 0.0],
    )
    out = check_claims(data)
    assert list(out.columns) == list(REQUIRED) + ["computed", "verdict", "diagnosis", "explanation"] + [
        "comparability",
        "note",
    ]
    assert out["computed"].tolist() == pytest.approx([100 * 207 / 760, 100 * 864 / 2638, 5.0])
    assert out["verdict"].tolist() == ["not_checkable", "inconsistent", "consistent"]
    assert out["diagnosis"].tolist() == ["", "", ""]
    assert out["explanation"].tolist() == [f"Not checkable: {COMPARABILITY['different_council_set']}.", "", ""]
    assert out["explanation"][0].startswith("Not checkable: a and b come from different sets of councils")


def test_check_claims_refuses_invalid_rows_with_every_problem():
    with pytest.raises(DataError) as caught:
        check_claims(frame(("", "total", "1", "2", "3", "")))
    assert caught.value.problems == ["claims.csv line 2: column 'claim_id': empty; every claim needs a unique id"]


def test_format_table_word_for_word():
    verdicts = check_claims(
        frame(
            ("p", "proportion", "864", "2638", "37", "more_than"),
            ("t", "total", "1234", "1", "1235", ""),
            ("o", "one_in_n", "1", "3", "3.1", "about"),
            ("q", "proportion", "1", "3", "33.3", ""),
        )
    )
    lines = format_table(verdicts).splitlines()
    assert lines[0].split() == ["claim_id", "kind", "stated", "computed", "verdict", "diagnosis"]
    assert lines[1].split() == ["p", "proportion", "more", "than", "37", "32.8%", "inconsistent"]
    assert lines[2].split() == ["t", "total", "1235", "1,235", "consistent"]
    assert lines[3].split() == ["o", "one_in_n", "about", "3.1", "3", "consistent"]
    assert lines[4].split() == ["q", "proportion", "33.3", "33.33%", "consistent"]
    assert format_table(verdicts.iloc[:0]) == "no claims"


# ---------------------------------------------------------------- the command


def run(path, **kwargs):
    out, err = io.StringIO(), io.StringIO()
    code = claims_command(path, stream=out, err_stream=err, **kwargs)
    return code, out.getvalue(), err.getvalue()


def test_command_summary_counts_inconsistent_and_not_checkable(tmp_path):
    path = write(
        tmp_path,
        HEADER + ",comparability\nc1,proportion,207,760,27,,different_council_set\nc2,proportion,1,3,34,,\n"
        "c3,total,1,2,3,,\n",
    )
    code, out, err = run(path)
    assert code == 0 and err == ""
    assert out.splitlines()[-1] == "3 claims checked, 1 inconsistent, 1 not checkable"
    code, out, _ = run(write(tmp_path, HEADER + "\nc3,total,1,2,3,\n", name="one.csv"))
    assert out.splitlines()[-1] == "1 claims checked, 0 inconsistent"


def test_command_writes_and_says_where(tmp_path):
    out_path = tmp_path / "v.csv"
    code, out, err = run(write(tmp_path, HEADER + "\nc3,total,1,2,3,\n"), out=out_path)
    assert code == 0 and err == ""
    assert out.splitlines()[-1] == f"verdicts written to {out_path}"
    assert pd.read_csv(out_path)["verdict"].tolist() == ["consistent"]


def test_command_refuses_to_overwrite_its_input(tmp_path):
    path = write(tmp_path, HEADER + "\nc3,total,1,2,3,\n")
    code, out, err = run(path, out=path)
    assert code == 2 and out == ""
    assert err.startswith("mfc claims: ") and len(err.splitlines()) == 1
    assert path.read_text() == HEADER + "\nc3,total,1,2,3,\n"


def test_command_reports_a_write_failure_in_one_line(tmp_path, monkeypatch):
    from helpers.claims import check

    def fail(verdicts, out_path):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(check, "write_verdicts", fail)
    out_path = tmp_path / "v.csv"
    code, _, err = run(write(tmp_path, HEADER + "\nc3,total,1,2,3,\n"), out=out_path)
    assert code == 2
    assert err == f"{out_path}: could not write the verdicts (Permission denied)\n"


# ---------------------------------------------------------------- found by mutation testing


def test_alternatives_for_other_claims_or_given_as_fractions():
    from fractions import Fraction

    claim = row("proportion", "864", "2638", "37")
    assert diagnose(claim, {"other-claim": [("x", 2335)]}) == ("", "")
    assert diagnose(claim, {"c1": [("tenths", Fraction(23351, 10))]})[0] == "other_denominator"  # 2,335.1


def test_a_one_in_n_comparison_over_another_denominator_keeps_its_kind_and_qualifier():
    # one in 5 is not "more than one in three"; over 2 (one in 2) it is
    assert diagnose(row("one_in_n", "1", "5", "3", "more_than"), {"c1": [("x", 2)]})[0] == "other_denominator"


def test_truncation_is_diagnosed_for_exact_wording_and_rounds_half_up_in_the_sentence():
    assert diagnose(row("proportion", "708", "4749", "14", "exact"))[0] == "truncated_not_rounded"
    # 65 / 400 = 16.25% exactly: cut to 16.2, and half-up gives 16.3 (not the float's 16.2)
    assert diagnose(row("proportion", "65", "400", "16.2"))[1] == (
        "The figure was cut off rather than rounded: 16.250% rounds to 16.3%."
    )


def test_a_fall_stated_as_the_reverse_change_is_a_swap():
    # 100 -> 125 is +25%; -20% is the change from 125 back to 100
    assert diagnose(row("percent_change", "100", "125", "-20"))[0] == "a_b_swapped"


def test_part_for_whole_with_a_part_of_one_and_a_total_without_b():
    assert diagnose(row("total", "599", "1", "599"))[0] == "part_for_whole"
    assert diagnose(row("total", "5", "", "6")) == ("", "")  # an empty b is 0, not 1


@pytest.mark.parametrize(
    ("a", "b", "stated"),
    [
        ("11", "13", "50"),  # in range, but 2 points is not 50
        ("100.5", "90.5", "-10"),  # 100.5 is no percentage
        ("90.9", "100.9", "10.0"),  # 100.9 is no percentage
    ],
)
def test_points_need_both_values_within_zero_to_one_hundred_and_a_fit(a, b, stated):
    assert diagnose(row("percent_change", a, b, stated)) == ("", "")


def test_input_checks_without_some_columns():
    data = pd.DataFrame({"kind": ["ratio"], "b": ["2"], "stated": ["x"], "qualifier": [""]}, dtype=str)
    # no claim_id column: the line is named alone; no a column: b and stated are still read
    assert validate_claims(data, "f.csv")[1:] == [
        "f.csv line 2: column 'kind': 'ratio' is not a valid kind; valid kinds: proportion, percent_change, one_in_n, total",
        "f.csv line 2: column 'stated': 'x' is not a number; write plain digits such as 2400 or 13.8",
    ]
    assert problems(("c1", "one_in_n", "1", "5", "x", "")) == [
        "c.csv line 2 (claim_id c1): column 'stated': 'x' is not a number; write plain digits such as 2400 or 13.8"
    ]


def test_a_number_of_exactly_twenty_characters_is_shown_whole():
    text = "1234567890123456.789"
    assert problems(("c1", "total", "1", "2", text, "")) == [
        f"c.csv line 2 (claim_id c1): column 'stated': {text} is too large; numbers above 1,000,000,000 are not accepted"
    ]


def test_the_checkers_own_columns_in_the_header_are_refused(tmp_path):
    assert read_problems(write(tmp_path, HEADER + ",verdict,a_value\n")) == [
        "claims.csv header: column(s) verdict, a_value are written by the checker "
        "(computed, verdict, diagnosis, explanation); rename yours (e.g. 'your_verdict') so neither is lost"
    ]


@pytest.mark.parametrize(
    ("count", "shown"), [(10, "2, 3, 4, 5, 6, 7, 8, 9, 10, 11"), (11, "2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 1 more")]
)
def test_ten_long_lines_are_all_named_and_the_eleventh_counted(tmp_path, count, shown):
    rows = "".join(f"c{i},total,1,2,3,,extra\n" for i in range(count))
    (problem,) = read_problems(write(tmp_path, HEADER + "\n" + rows))
    assert problem.startswith(f"claims.csv line(s) {shown}: more fields")


def test_row_problems_name_the_file_read(tmp_path):
    assert read_problems(write(tmp_path, HEADER + "\nc1,ratio,1,2,3,\n", name="mine.csv"))[0].startswith(
        "mine.csv line 2 (claim_id c1): column 'kind'"
    )


def test_a_quoted_windows_line_break_is_kept_as_written(tmp_path):
    path = tmp_path / "crlf.csv"
    path.write_bytes((HEADER + ',note\r\nc1,total,1,2,3,,"two\r\nlines"\r\n').encode())
    data = read_claims(path)
    assert data["note"].tolist() == ["two\r\nlines"] and list(data.index) == [2]


def test_an_unreadable_file_is_one_line(tmp_path, monkeypatch):
    from helpers.claims import check

    path = write(tmp_path, HEADER + "\n")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(check, "open", refuse, raising=False)
    assert read_problems(path) == [f"{path}: cannot be read (Permission denied)"]


def test_written_verdicts_have_no_index_column(tmp_path):
    out_path = tmp_path / "v.csv"
    run(write(tmp_path, HEADER + "\nc3,total,1,2,3,\n"), out=out_path)
    assert (
        out_path.read_text().splitlines()[0]
        == "claim_id,kind,a,b,stated,qualifier,computed,verdict,diagnosis,explanation"
    )
