"""Tests for helpers.claims.check. Every expected value below was worked out by hand (shown in comments)."""

import io
from fractions import Fraction

import pandas as pd
import pytest

from helpers.claims import check as claims
from helpers.claims.check import (
    check_claims,
    computed_value,
    diagnose,
    is_consistent,
    read_claims,
    validate_claims,
    write_verdicts,
)
from helpers.ledger.errors import DataError
from helpers.ledger.paths import DATA_DIR
from helpers.run.claims_cli import claims_command

HEADER = "claim_id,kind,a,b,stated,qualifier"


def frame(*rows, extra=None):
    """A claims frame of text cells, as read_claims would give it."""
    data = pd.DataFrame([list(row) for row in rows], columns=list(claims.REQUIRED), dtype=str)
    for column, values in (extra or {}).items():
        data[column] = values
    return data


def verdict(kind, a, b, stated, qualifier="", alternatives=None):
    """The one-row check of a claim: (verdict, diagnosis, explanation)."""
    row = check_claims(frame(("c1", kind, a, b, stated, qualifier)), alternatives).iloc[0]
    return row["verdict"], row["diagnosis"], row["explanation"]


def write(tmp_path, text, name="claims.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- arithmetic -------------------------------------------------------------------------------


def test_computed_value_of_each_kind_is_exact():
    assert computed_value("proportion", 167, 590) == Fraction(16700, 590)  # 28.305...%
    assert computed_value("percent_change", 960, 1231) == Fraction(27100, 960)  # 28.229...%
    assert computed_value("one_in_n", 986, 5873) == Fraction(5873, 986)  # 5.956...
    assert computed_value("total", 864, 1501) == 2365
    assert computed_value("total", 864, None) == 864


def test_numbers_are_read_exactly_from_their_text():
    assert claims.parse_number("12.50") == Fraction(25, 2)
    assert claims.parse_number("-12") == -12
    assert [claims.decimals(t) for t in ("37", "13.8", "12.50")] == [0, 1, 2]
    for bad in ("2,400", "abc", "", "1e3", "12%"):
        with pytest.raises(ValueError):
            claims.parse_number(bad)


# --- the rounding edge ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stated, expected",
    [
        ("12", "consistent"),  # 593/4744 = 0.125 exactly: half-even gives 12
        ("13", "consistent"),  # ... and half-up gives 13
        ("14", "inconsistent"),
        ("12.5", "consistent"),
        ("12.50", "consistent"),
        ("12.4", "inconsistent"),
    ],
)
def test_exact_tie_593_of_4744(stated, expected):
    assert verdict("proportion", "593", "4744", stated)[0] == expected


def test_a_tie_at_13_5_rounds_to_14_either_way():
    # 27/200 = 13.5%: half-up and half-even both give 14, so 13 is a truncation, not a rounding.
    assert verdict("proportion", "27", "200", "14")[0] == "consistent"
    assert verdict("proportion", "27", "200", "13")[:2] == ("inconsistent", "truncated_not_rounded")


def test_ties_that_floats_would_miss():
    # 100*1.005/10 is 10.049999999999999 in floats but exactly 10.05: stated 10.1 is half-up.
    assert verdict("proportion", "1.005", "10", "10.1")[0] == "consistent"
    # 2.675 is a tie at two decimals (floats round it to 2.67); 2.68 is half-up, 2.68 also half-even.
    assert verdict("proportion", "2.675", "100", "2.68")[0] == "consistent"
    # a fall of exactly 12.5% (200 -> 175): -12 (half-even) and -13 (half away from zero) both fine.
    assert verdict("percent_change", "200", "175", "-12")[0] == "consistent"
    assert verdict("percent_change", "200", "175", "-13")[0] == "consistent"
    assert verdict("percent_change", "200", "175", "-14")[0] == "inconsistent"


def test_167_of_590_stated_28_is_consistent():
    assert verdict("proportion", "167", "590", "28") == ("consistent", "", "")  # 28.305%


# --- every kind with every qualifier, a pass and a fail each --------------------------------------

CASES = [
    # proportion 167/590 = 28.305%
    ("proportion", "167", "590", "28", "exact", True),
    ("proportion", "167", "590", "28.3", "", True),
    ("proportion", "167", "590", "29", "exact", False),
    ("proportion", "167", "590", "28.4", "", False),
    ("proportion", "167", "590", "29", "about", True),  # |28.305-29| = 0.695 <= 1.45
    ("proportion", "167", "590", "30", "about", False),  # 1.695 > 1.5
    # proportion 864/2638 = 32.752%
    ("proportion", "864", "2638", "33", "nearly", True),  # 29.7 <= 32.75 <= 33
    ("proportion", "864", "2638", "32", "nearly", False),  # above 32
    ("proportion", "864", "2638", "37", "nearly", False),  # below 33.3
    ("proportion", "864", "2638", "30", "more_than", True),
    ("proportion", "864", "2638", "33", "more_than", False),
    ("proportion", "864", "2638", "32", "at_least", True),
    ("proportion", "864", "2638", "33", "at_least", False),
    ("proportion", "864", "2638", "33", "less_than", True),
    ("proportion", "864", "2638", "32", "less_than", False),
    ("proportion", "593", "4744", "12.5", "at_least", True),  # exactly 12.5
    ("proportion", "593", "4744", "12.5", "more_than", False),
    # percent_change 960 -> 1231 = +28.229%
    ("percent_change", "960", "1231", "28", "", True),
    ("percent_change", "960", "1231", "28.2", "exact", True),
    ("percent_change", "960", "1231", "29", "exact", False),
    ("percent_change", "960", "1231", "27", "about", True),  # 1.229 <= 1.35
    ("percent_change", "960", "1231", "30", "about", False),  # 1.771 > 1.5
    ("percent_change", "960", "1231", "30", "nearly", True),  # 27 <= 28.23 <= 30
    ("percent_change", "960", "1231", "28", "nearly", False),
    ("percent_change", "960", "1231", "25", "more_than", True),
    ("percent_change", "960", "1231", "30", "more_than", False),
    ("percent_change", "960", "1231", "28", "at_least", True),
    ("percent_change", "960", "1231", "29", "at_least", False),
    ("percent_change", "960", "1231", "30", "less_than", True),
    ("percent_change", "960", "1231", "28", "less_than", False),
    # percent_change 1231 -> 960 = -22.015%, a fall stated negative
    ("percent_change", "1231", "960", "-22", "", True),
    ("percent_change", "1231", "960", "22", "", False),
    ("percent_change", "1231", "960", "-20", "more_than", True),  # fell by more than 20%
    ("percent_change", "1231", "960", "-25", "more_than", False),
    ("percent_change", "1231", "960", "-25", "less_than", True),  # fell by less than 25%
    ("percent_change", "1231", "960", "20", "less_than", False),  # it did not rise at all
    ("percent_change", "1231", "960", "-23", "nearly", True),  # 20.7 <= 22.015 <= 23
    ("percent_change", "1231", "960", "-25", "nearly", False),  # 22.015 < 22.5
    # one_in_n: 986/5873 -> N = 5.956, share 0.1679
    ("one_in_n", "986", "5873", "6", "", True),
    ("one_in_n", "986", "5873", "5", "exact", False),
    ("one_in_n", "10", "210", "20", "about", True),  # N = 21, |21-20| = 1 <= 1
    ("one_in_n", "10", "211", "20", "about", False),  # N = 21.1
    ("one_in_n", "10", "32", "3", "nearly", True),  # share 0.3125 in [0.3, 0.3333]
    ("one_in_n", "10", "28", "3", "nearly", False),  # share 0.357, more than a third
    ("one_in_n", "10", "34", "3", "nearly", False),  # share 0.294 < 0.3
    ("one_in_n", "986", "5873", "6", "more_than", True),  # 0.1679 > 1/6 = 0.1667
    ("one_in_n", "246", "1015", "4", "more_than", False),  # 0.2424 < 0.25
    ("one_in_n", "244", "910", "4", "more_than", True),  # 0.2681 > 0.25
    ("one_in_n", "1", "4", "4", "at_least", True),  # 0.25 >= 0.25
    ("one_in_n", "246", "1015", "4", "at_least", False),
    ("one_in_n", "246", "1015", "4", "less_than", True),
    ("one_in_n", "244", "910", "4", "less_than", False),
    # total 864 + 1501 = 2365
    ("total", "864", "1501", "2365", "", True),
    ("total", "864", "1501", "2400", "exact", False),
    ("total", "864", "1501", "2400", "about", True),  # 35 <= 120
    ("total", "864", "1501", "2500", "about", False),  # 135 > 125
    ("total", "864", "1501", "2400", "nearly", True),  # 2160 <= 2365 <= 2400
    ("total", "864", "1501", "2300", "nearly", False),
    ("total", "864", "1501", "2700", "nearly", False),  # 2365 < 2430
    ("total", "864", "1501", "2300", "more_than", True),
    ("total", "864", "1501", "2400", "more_than", False),
    ("total", "864", "1501", "2365", "at_least", True),
    ("total", "864", "1501", "2366", "at_least", False),
    ("total", "864", "1501", "2400", "less_than", True),
    ("total", "864", "1501", "2365", "less_than", False),
    ("total", "864", "", "864", "", True),  # empty b means 0
    ("total", "1.25", "2.5", "3.8", "", True),  # 3.75 rounds half-up to 3.8
    ("total", "1.25", "2.5", "3.7", "", False),  # half-even also gives 3.8
]


@pytest.mark.parametrize("kind, a, b, stated, qualifier, expected", CASES)
def test_kind_and_qualifier(kind, a, b, stated, qualifier, expected):
    assert verdict(kind, a, b, stated, qualifier)[0] == ("consistent" if expected else "inconsistent")


def test_every_kind_and_qualifier_has_a_pass_and_a_fail():
    seen = {(kind, qualifier or "exact", ok) for kind, _, _, _, qualifier, ok in CASES}
    for kind in claims.KINDS:
        for qualifier in claims.QUALIFIERS:
            assert {(kind, qualifier, True), (kind, qualifier, False)} <= seen, (kind, qualifier)


def test_is_consistent_takes_the_stated_text():
    assert is_consistent("proportion", Fraction(593, 4744) * 100, "12.5", "")
    assert not is_consistent("proportion", Fraction(593, 4744) * 100, "12.50", "more_than")


# --- diagnoses ------------------------------------------------------------------------------------


def test_share_not_change():
    # BASW: 590 -> 1,015 "an increase of 58%"; the change is 72.0%, but 590 is 58.1% of 1,015.
    result, code, sentence = verdict("percent_change", "590", "1015", "58")
    assert (result, code) == ("inconsistent", "share_not_change")
    assert "58.1%" in sentence and "72.0%" in sentence


def test_part_for_whole():
    # BBC: "almost 600 disappeared", but 167 + 593 = 760; 593 alone is almost 600.
    result, code, sentence = verdict("total", "167", "593", "600", "nearly")
    assert (result, code) == ("inconsistent", "part_for_whole")
    assert "593" in sentence and "760" in sentence


def test_other_denominator_names_the_denominator_that_fits():
    # 864/2638 = 32.75%, but 864/2335 = 37.002%: the stated 37 used the other denominator.
    alternatives = {"c1": [("all missing episodes", 3000), ("children looked after", 2335)]}
    result, code, sentence = verdict("proportion", "864", "2638", "37", "", alternatives)
    assert (result, code) == ("inconsistent", "other_denominator")
    assert "2,335" in sentence and "children looked after" in sentence and "37.0%" in sentence
    assert "3,000" not in sentence  # 864/3000 = 28.8%, does not fit


def test_other_denominator_accepts_a_function_of_the_row():
    result = verdict(
        "proportion", "864", "2638", "37", "", lambda row: [("same report", "2335")] if row["claim_id"] == "c1" else []
    )
    assert result[1] == "other_denominator"


def test_no_diagnosis_without_a_fitting_alternative():
    assert verdict("proportion", "864", "2638", "37") == ("inconsistent", "", "")
    assert verdict("proportion", "864", "2638", "37", "", {"c1": [("x", 2000)]})[1] == ""


def test_change_over_later_value():
    # (1231-960)/960 = 28.2%, (1231-960)/1231 = 22.01%.
    result, code, sentence = verdict("percent_change", "960", "1231", "22")
    assert (result, code) == ("inconsistent", "change_over_later_value")
    assert "1,231" in sentence and "22.0%" in sentence


def test_points_read_as_percent():
    # 11% -> 13% is a rise of 18.2% but of 2 percentage points.
    result, code, sentence = verdict("percent_change", "11", "13", "2")
    assert (result, code) == ("inconsistent", "points_read_as_percent")
    assert "18.2%" in sentence
    # operands above 100 cannot be percentages
    assert verdict("percent_change", "110", "112", "2")[1] == ""


def test_truncated_not_rounded():
    # 708/4749 = 14.908%: rounds to 15, truncates to 14.
    result, code, sentence = verdict("proportion", "708", "4749", "14")
    assert (result, code) == ("inconsistent", "truncated_not_rounded")
    assert "15%" in sentence


def test_a_b_swapped():
    # 4744/593 = 800%; 593/4744 = 12.5%, which rounds half-up to 13.
    assert verdict("proportion", "4744", "593", "13")[:2] == ("inconsistent", "a_b_swapped")
    # one in N: 5873/986 would be N = 0.17; swapped N = 5.96 -> "one in six"
    assert verdict("one_in_n", "5873", "986", "6")[1] == "a_b_swapped"


def test_a_swap_that_makes_a_share_above_one_explains_nothing():
    # 246/1015 is not "more than one in four"; swapping would give a share of 4.1, not a diagnosis.
    assert verdict("one_in_n", "246", "1015", "4", "more_than") == ("inconsistent", "", "")


def test_first_fitting_diagnosis_wins():
    # 90 -> 100: over the later value (10/100) and in points (100-90) both give 10.
    assert verdict("percent_change", "90", "100", "10")[1] == "change_over_later_value"


def test_diagnose_directly():
    row = pd.Series({"claim_id": "x", "kind": "proportion", "a": "708", "b": "4749", "stated": "14", "qualifier": ""})
    assert diagnose(row)[0] == "truncated_not_rounded"


def test_consistent_claims_get_no_diagnosis():
    assert verdict("total", "864", "1501", "2400", "nearly") == ("consistent", "", "")


# --- reading and validating -----------------------------------------------------------------------


def test_read_claims_keeps_text_and_passes_columns_through(tmp_path):
    path = write(
        tmp_path,
        "claim_id,report_id,kind,a,b,stated,qualifier,description\n"
        "uhe-12,r1,proportion,593,4744,12.50,,share of episodes\n"
        "\n"
        "tot-1,r1,total,864,,864,exact,\n",
    )
    data = read_claims(path)
    assert list(data["stated"]) == ["12.50", "864"]
    assert list(data.index) == [2, 4]  # line numbers in the file, blank line 3 skipped
    assert data["a_value"].tolist() == [593.0, 864.0]
    assert pd.isna(data["b_value"].iloc[1])
    verdicts = check_claims(data)
    assert list(verdicts.columns[:10]) == [
        "claim_id",
        "kind",
        "a",
        "b",
        "stated",
        "qualifier",
        "computed",
        "verdict",
        "diagnosis",
        "explanation",
    ]
    assert verdicts["report_id"].tolist() == ["r1", "r1"]
    assert verdicts["description"].tolist() == ["share of episodes", ""]
    assert verdicts["computed"].tolist() == [12.5, 864.0]
    assert verdicts["verdict"].tolist() == ["consistent", "consistent"]


def problems_of(tmp_path, body, header=HEADER):
    with pytest.raises(DataError) as caught:
        read_claims(write(tmp_path, header + "\n" + body))
    return caught.value.problems


def test_missing_column(tmp_path):
    problems = problems_of(tmp_path, "c1,total,1,2,3\n", header="claim_id,kind,a,b,stated")
    assert problems == [
        "claims.csv: missing required column(s) 'qualifier'; required: claim_id, kind, a, b, stated, qualifier"
    ]


@pytest.mark.parametrize(
    "row, expected",
    [
        (
            "uhe-37,percentage,864,2638,37,",
            "claims.csv line 2 (claim_id uhe-37): column 'kind': 'percentage' is not a valid kind; "
            "valid kinds: proportion, percent_change, one_in_n, total",
        ),
        (
            "c1,proportion,864,2638,37,roughly",
            "claims.csv line 2 (claim_id c1): column 'qualifier': 'roughly' is not a valid qualifier; "
            "valid qualifiers: exact, about, nearly, more_than, at_least, less_than (empty means exact)",
        ),
        (
            "c1,proportion,864,lots,37,",
            "claims.csv line 2 (claim_id c1): column 'b': 'lots' is not a number; "
            "write plain digits such as 2400 or 13.8",
        ),
        ("c1,proportion,,2638,37,", "claims.csv line 2 (claim_id c1): column 'a': empty; a number is required"),
        (
            "c1,proportion,864,,37,",
            "claims.csv line 2 (claim_id c1): column 'b': empty; kind proportion needs b "
            "(only a total may leave b empty)",
        ),
        ("c1,proportion,864,0,37,", "claims.csv line 2 (claim_id c1): column 'b': 0; a proportion divides by it"),
        (
            "c1,percent_change,0,10,5,",
            "claims.csv line 2 (claim_id c1): column 'a': 0; a per cent change divides by it",
        ),
        ("c1,one_in_n,0,10,5,", "claims.csv line 2 (claim_id c1): column 'a': 0; 'one in N' divides by it"),
        (",total,1,2,3,", "claims.csv line 2: column 'claim_id': empty; every claim needs a unique id"),
    ],
)
def test_each_malformed_row_gives_one_line(tmp_path, row, expected):
    assert problems_of(tmp_path, row + "\n") == [expected]


def test_duplicate_claim_id_names_both_lines(tmp_path):
    problems = problems_of(tmp_path, "c1,total,1,2,3,\nc2,total,1,2,3,\nc1,total,1,2,3,\n")
    assert problems == [
        "claims.csv line 4 (claim_id c1): column 'claim_id': 'c1' duplicates line 2; ids must be unique"
    ]


def test_all_problems_are_collected(tmp_path):
    problems = problems_of(tmp_path, "c1,total,1,2,3,\nc2,percentage,x,2,3,\nc3,proportion,1,0,3,maybe\n")
    assert len(problems) == 4
    assert [p.split(":")[0] for p in problems] == ["claims.csv line 3 (claim_id c2)"] * 2 + [
        "claims.csv line 4 (claim_id c3)"
    ] * 2
    assert "column 'kind'" in problems[0] and "column 'a'" in problems[1]
    assert "column 'qualifier'" in problems[2] and "column 'b'" in problems[3]


def test_missing_file(tmp_path):
    with pytest.raises(DataError) as caught:
        read_claims(tmp_path / "nope.csv")
    assert caught.value.problems == [f"{tmp_path / 'nope.csv'}: file not found"]


def test_validate_claims_on_a_frame_counts_lines_from_2():
    data = frame(("c1", "total", "1", "2", "3", ""), ("c2", "total", "1", "2", "3", "circa"))
    assert validate_claims(data, "mine.csv") == [
        "mine.csv line 3 (claim_id c2): column 'qualifier': 'circa' is not a valid qualifier; "
        "valid qualifiers: exact, about, nearly, more_than, at_least, less_than (empty means exact)"
    ]
    with pytest.raises(DataError):
        check_claims(data)


# --- writing and the command ----------------------------------------------------------------------

GOOD = HEADER + ",report_id\nuhe-37,proportion,864,2638,37,,r1\ntot,total,864,1501,2400,nearly,r1\n"


def test_claims_command_prints_and_writes(tmp_path):
    out = tmp_path / "verdicts.csv"
    stream = io.StringIO()
    code = claims_command(
        write(tmp_path, GOOD), out=out, alternatives={"uhe-37": [("looked after", 2335)]}, stream=stream
    )
    assert code == 0
    text = stream.getvalue()
    assert "uhe-37" in text and "32.8%" in text and "other_denominator" in text
    assert "nearly 2400" in text and "2,365" in text
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert {"claim_id", "computed", "verdict", "diagnosis", "explanation", "report_id"} <= set(written)
    assert written["verdict"].tolist() == ["inconsistent", "consistent"]
    assert written["diagnosis"].tolist() == ["other_denominator", ""]
    assert float(written["computed"][1]) == 2365.0
    assert abs(float(written["computed"][0]) - 32.752085) < 1e-6  # 86400/2638
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_claims_command_on_malformed_input_writes_nothing(tmp_path, capsys):
    path = write(tmp_path, HEADER + "\nc1,percentage,1,2,3,\nc1,total,1,2,3,\n")
    out = tmp_path / "verdicts.csv"
    assert claims_command(path, out=out) == 2
    assert not out.exists()
    out.write_text("earlier verdicts\n")
    assert claims_command(path, out=out) == 2
    assert out.read_text() == "earlier verdicts\n"
    captured = capsys.readouterr()
    assert captured.out == ""
    errors = captured.err.splitlines()
    assert len(errors) == 4  # two problems, twice
    assert errors[0].startswith("claims.csv line 2 (claim_id c1): column 'kind'")
    assert errors[1].startswith("claims.csv line 3 (claim_id c1): column 'claim_id'")


def test_claims_command_missing_file(tmp_path, capsys):
    assert claims_command(tmp_path / "absent.csv") == 2
    assert capsys.readouterr().err.strip() == f"{tmp_path / 'absent.csv'}: file not found"


def test_write_verdicts_failure_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    import errno

    import pandas as pd

    out = tmp_path / "verdicts.csv"
    out.write_text("old\n")

    def full_disk(table, handle, **options):
        handle.write("claim_id,verdict\npartial")
        raise OSError(errno.ENOSPC, "No space left on device")

    from helpers.ledger import csv_out

    monkeypatch.setattr(csv_out, "write_csv", full_disk)  # the one CSV writer, behind write_verdicts
    with pytest.raises(OSError):
        write_verdicts(pd.DataFrame({"claim_id": ["c1"], "verdict": ["consistent"]}), out)
    assert out.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["verdicts.csv"]


# --- the reader's view, used by the claims notebook --------------------------------------------------


def test_reader_impact_sentences():
    from helpers.present.claims_report import reader_impact

    def row(kind, a, b, stated, qualifier=""):
        return {
            "kind": kind,
            "a": a,
            "b": b,
            "stated": stated,
            "qualifier": qualifier,
            "computed": float(computed_value(kind, Fraction(a), Fraction(b) if b else None)),
        }

    assert reader_impact(row("proportion", "864", "2638", "37")).endswith(
        "(32.8%): it overstates the share by 4.2 percentage points."
    )
    # The same claim diagnosed as a rate over another valid denominator: no direction is claimed.
    diagnosed = {**row("proportion", "864", "2638", "37"), "diagnosis": "other_denominator"}
    assert reader_impact(diagnosed) == (
        "Told 37%, a reader gets a rate over another denominator than the one printed beside it (over the "
        "printed one it is 32.8%); both are rates the report's counts support, so the slip is the printed "
        "denominator, and 37% is not shown to be too high or too low."
    )
    assert reader_impact(row("percent_change", "960", "1231", "22")).endswith(
        "(28.2%): it understates the change by 6.2 percentage points."
    )
    assert reader_impact(row("total", "864", "1501", "2400", "more_than")) == (
        "Told more than 2,400, a reader pictures a figure higher than the printed numbers give (2,365)."
    )
    assert reader_impact(row("total", "167", "593", "600", "nearly")).endswith(
        "lower than the printed numbers give (760)."
    )


# --- claims that cannot be checked ------------------------------------------------------------------


def test_comparability_gives_not_checkable_and_no_diagnosis():
    # 207 of 760 is 27.2%, so "40" alone would be inconsistent; marked, it is not checkable.
    data = frame(
        ("c1", "proportion", "207", "760", "40", ""),
        ("c2", "proportion", "207", "760", "40", ""),
        extra={"comparability": ["different_council_set", ""]},
    )
    out = check_claims(data)
    assert out["verdict"].tolist() == ["not_checkable", "inconsistent"]
    assert out["diagnosis"].iloc[0] == ""
    assert out["explanation"].iloc[0].startswith("Not checkable: a and b come from different sets of councils")
    assert round(out["computed"].iloc[0], 2) == 27.24  # 207 / 760 = 0.27236...


def test_unknown_comparability_is_a_malformed_row(tmp_path):
    problems = problems_of(tmp_path, "c1,proportion,207,760,40,,maybe", header=HEADER + ",comparability")
    assert problems == [
        "claims.csv line 2 (claim_id c1): column 'comparability': 'maybe' is not a valid "
        "comparability; valid values: different_council_set (empty means a and b are comparable)"
    ]


def test_claims_command_counts_not_checkable(tmp_path):
    path = write(
        tmp_path,
        HEADER + ",comparability\nc1,proportion,207,760,40,,different_council_set\nc2,proportion,167,590,28,,\n",
    )
    stream = io.StringIO()
    assert claims_command(path, stream=stream) == 0
    assert stream.getvalue().splitlines()[-1] == "2 claims checked, 0 inconsistent, 1 not checkable"


def test_a_quarter_is_coded_one_way_in_the_ledger():
    # The convention (docs/claims-format.md): "a quarter" is a proportion of 25, never one_in_n 4.
    ledger = pd.read_csv(DATA_DIR / "claims.csv", dtype=str, keep_default_na=False)
    quarter = ledger[
        ledger["description"].str.contains("quarter", case=False)
        & ~ledger["description"].str.contains("rise of a quarter", case=False)
    ]
    assert len(quarter) == 7
    assert set(quarter["kind"]) == {"proportion"} and set(quarter["stated"]) == {"25"}
    plain = quarter[quarter["claim_id"].isin(["sihw-guardian-trafficked-quarter", "sihw-trust-trafficked-quarter"])]
    assert plain["qualifier"].tolist() == ["about", "about"]
    # 246 of 1,015 is 24.24%, within 5% of 25 (23.75 to 26.25), so "a quarter" holds as an approximation.
    assert check_claims(frame(("q", "proportion", "246", "1015", "25", "about")))["verdict"].iloc[0] == "consistent"


# The five distinct Until Harm Ends claims of 37% and 13% fit the Guardian's denominators (issue 25): their
# reader sentences name the printed denominator as the slip and claim no direction.
OTHER_DENOMINATOR_CLAIMS = [
    "uhe-ind-trafficked-37pct",
    "uhe-ind-uasc-13pct",
    "uhe-tbe-trafficked-37pct",
    "uhe-tbe-uasc-13pct",
    "uhe-inkl-trafficked-37pct",
]


def test_other_denominator_claims_claim_no_direction():
    from helpers.claims import check_claims, ledger_alternatives, read_claims
    from helpers.ledger.paths import DATA_DIR
    from helpers.present.claims_report import impact_lines

    verdicts = check_claims(read_claims(DATA_DIR / "claims.csv"), ledger_alternatives())
    named = verdicts[verdicts["claim_id"].isin(OTHER_DENOMINATOR_CLAIMS)]
    assert sorted(named["claim_id"]) == sorted(OTHER_DENOMINATOR_CLAIMS)
    assert set(named["diagnosis"]) == {"other_denominator"}
    lines = impact_lines(verdicts)
    for claim_id in OTHER_DENOMINATOR_CLAIMS:
        (line,) = [line for line in lines if line.startswith(f"- {claim_id}:")]
        assert "not shown to be too high or too low" in line
        assert "overstates" not in line and "understates" not in line
    # every other_denominator claim, copies included, reads the same way
    diagnosed = verdicts[verdicts["diagnosis"] == "other_denominator"]
    assert len(diagnosed) == 13
    assert not any(("overstates" in line or "understates" in line) for line in lines if "another denominator" in line)
