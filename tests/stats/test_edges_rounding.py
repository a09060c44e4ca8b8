"""Edges of helpers/stats/rounding.py: ties at one decimal, zero and one on each side, error messages.

The expected verdicts are worked out by hand in the comments (exact fractions, no floats).
"""

from fractions import Fraction as F

import pytest

from helpers.stats.rounding import QUALIFIER_WORDS, QUALIFIERS, computed_value, decimals, is_consistent, parse_number


@pytest.mark.parametrize(
    ("computed", "stated", "expected"),
    [
        (F(49, 4), "12.2", True),  # 12.25: half-even keeps the even 12.2 ...
        (F(49, 4), "12.3", True),  # ... half-up goes to 12.3
        (F(49, 4), "12.25", True),
        (F(49, 4), "12.1", False),
        (F(1, 2), "1", True),  # 0.5 half-up is 1 (half-even would give 0)
        (F(1, 2), "0", True),
        (F(1, 4), "0.3", True),  # 0.25 below one, at one decimal
        (F(1, 4), "0.2", True),
        (F(-1, 4), "-0.3", True),  # halves away from zero for a fall
        (F(-1, 4), "-0.2", True),
        (F(-1, 4), "0.3", False),
        (F(0), "0", True),
        (F(0), "0.0", True),
        (F(1234567, 100000), "12.35", True),  # 12.34567 at two decimals
        (F(1234567, 100000), "12.34", False),
    ],
)
def test_both_roundings_at_and_beside_a_tie(computed, stated, expected):
    assert is_consistent("proportion", computed, stated, "exact") is expected


# one_in_n: "one in N" compares the share 1/N; a share or an N of 0 never satisfies a comparison
@pytest.mark.parametrize(
    ("computed", "stated", "qualifier", "expected"),
    [
        (F(0), "5", "more_than", False),  # b = 0: no one in anything
        (F(0), "5", "less_than", False),
        (F(5), "0", "less_than", False),  # "one in 0" has no meaning
        (F(5), "0", "more_than", False),
        (F(1), "1", "at_least", True),  # every child: one in one, and 1 >= 1
        (F(1), "2", "more_than", True),  # share 1 is more than one in two
        (F(3), "1", "less_than", True),  # share 1/3 is less than one in one
        (F(3), "1", "at_least", False),
    ],
)
def test_one_in_n_at_zero_and_one(computed, stated, qualifier, expected):
    assert is_consistent("one_in_n", computed, stated, qualifier) is expected


# percent_change: a fall is stated negative; comparisons then apply to the size of the fall
@pytest.mark.parametrize(
    ("computed", "stated", "qualifier", "expected"),
    [
        (F(-3), "0", "less_than", True),  # a fall is less than no change
        (F(3), "0", "more_than", True),
        (F(0), "-5", "less_than", True),  # no change is a fall of less than 5%
        (F(0), "-5", "more_than", False),
        (F(1, 2), "-5", "less_than", False),  # a rise, however small, is never a fall
        (F(10), "-5", "less_than", False),
        (F(-6), "-5", "more_than", True),  # fell by 6%: a fall of more than 5%
        (F(-4), "-5", "more_than", False),
        (F(-5), "-5", "at_least", True),
        (F(-9, 2), "-5", "nearly", True),  # 4.5 is at least 90% of 5
        (F(-4), "-5", "nearly", False),
        (F(1, 5), "0.5", "less_than", True),  # a rise below half a per cent
        (F(-1), "0.5", "less_than", False),  # a fall is never a small rise
        (F(0), "5", "less_than", True),  # no change is a rise of less than 5%
        (F(1, 2), "5", "less_than", True),
        (F(-1, 2), "5", "less_than", False),
        (F(6), "5", "more_than", True),
    ],
)
def test_percent_change_directions_at_zero_and_one(computed, stated, qualifier, expected):
    assert is_consistent("percent_change", computed, stated, qualifier) is expected


@pytest.mark.parametrize(
    ("computed", "expected"),
    [(F(18), True), (F(20), True), (F(179, 10), False), (F(2001, 100), False)],  # 18 is exactly 90% of 20
)
def test_nearly_at_exactly_ninety_percent_and_at_the_target(computed, expected):
    assert is_consistent("proportion", computed, "20", "nearly") is expected


@pytest.mark.parametrize(
    ("computed", "stated", "expected"),
    [(F(21), "20", True), (F(19), "20", True), (F(2101, 100), "20", False), (F(10), "10.5", True)],
)
def test_about_is_within_five_percent_of_the_stated_value(computed, stated, expected):
    assert is_consistent("proportion", computed, stated, "about") is expected


def test_an_empty_qualifier_means_exact():
    assert is_consistent("proportion", F(37), "37", "") and is_consistent("proportion", F(37), "37", None)
    assert not is_consistent("proportion", F(37), "36", "")


def test_unknown_qualifier_message_lists_the_valid_ones():
    with pytest.raises(ValueError) as err:
        is_consistent("proportion", F(1), "1", "roughly")
    assert str(err.value) == (
        "unknown qualifier 'roughly'; valid qualifiers: exact, about, nearly, more_than, at_least, less_than"
    )


def test_unknown_kind_message_lists_the_valid_ones():
    with pytest.raises(ValueError) as err:
        computed_value("ratio", 1, 2)
    assert str(err.value) == "unknown kind 'ratio'; valid kinds: proportion, percent_change, one_in_n, total"


@pytest.mark.parametrize("text", ["2,400", "1e3", "", "twelve", None, 12])
def test_parse_number_message_names_the_text(text):
    with pytest.raises(ValueError) as err:
        parse_number(text)
    assert str(err.value) == f"{text!r} is not a number"


def test_parse_number_and_decimals_of_signed_and_padded_text():
    assert parse_number(" -12.50 ") == F(-25, 2) and parse_number("+3") == 3
    assert decimals("12.50") == 2 and decimals(" 7 ") == 0


def test_computed_value_of_each_kind_at_its_edges():
    assert computed_value("proportion", 0, 7) == 0
    assert computed_value("percent_change", 4, 3) == -25
    assert computed_value("one_in_n", 3, 3) == 1
    assert computed_value("total", 2, None) == 2 and computed_value("total", "1.5", "2") == F(7, 2)
    with pytest.raises(ZeroDivisionError):
        computed_value("proportion", 1, 0)


def test_every_qualifier_has_words():
    assert set(QUALIFIERS) | {""} == set(QUALIFIER_WORDS)
    assert QUALIFIER_WORDS["more_than"] == "more than " and QUALIFIER_WORDS["exact"] == ""
