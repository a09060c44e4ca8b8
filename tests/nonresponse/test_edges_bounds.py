"""Edges of helpers/nonresponse/bounds.py: both sides of every boundary, every column, every message.

Expected values are hand arithmetic on small made-up counts (synthetic, not from any report).
"""

import numpy as np
import pandas as pd
import pytest

from helpers.ledger.errors import ParameterError
from helpers.nonresponse.bounds import BOUNDS_COLUMNS, item_bounds, manski_bounds, unit_bounds

# ---------------------------------------------------------------- manski_bounds


def test_nobody_went_missing_is_a_valid_count():
    assert manski_bounds(0, 8, 10) == (0.0, 0.2, 0.0)


def test_every_answered_child_went_missing_is_allowed():
    assert manski_bounds(8, 8, 10) == (0.8, 1.0, 1.0)


def test_every_counted_child_has_an_answer_gives_one_point():
    assert manski_bounds(3, 10, 10) == (0.3, 0.3, 0.3)


def test_one_answered_and_one_counted_is_enough():
    assert manski_bounds(1, 1, 1) == (1.0, 1.0, 1.0)
    assert manski_bounds(0, 1, 4) == (0.0, 0.75, 0.0)


def test_whole_floats_and_numpy_integers_are_counts():
    assert manski_bounds(2.0, np.int64(4), 5.0) == (0.4, 0.6, 0.5)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 0, 10), "answered=0 and counted=10 must both be at least 1"),
        ((0, 0, 0), "answered=0 and counted=0 must both be at least 1"),
        ((0, 3, 0), "answered=3 and counted=0 must both be at least 1"),
        ((4, 3, 10), "went_missing=4 exceeds answered=3; valid range 0 to 3"),
        ((1, 11, 10), "answered=11 exceeds counted=10; valid range 1 to 10"),
        ((-1, 3, 10), "went_missing=-1 is negative; a count of children must be 0 or more"),
        ((1, -3, 10), "answered=-3 is negative; a count of children must be 0 or more"),
        ((1, 3, -10.0), "counted=-10.0 is negative; a count of children must be 0 or more"),
        ((True, 3, 10), "went_missing must be a whole number of children; got True"),
        ((1, None, 10), "answered must be a whole number of children; got None"),
        ((1, 3, float("nan")), "counted must be a whole number of children; got nan"),
        ((1, 2.5, 10), "answered must be a whole number of children; got 2.5"),
    ],
)
def test_impossible_counts_are_refused_naming_the_value(args, message):
    with pytest.raises(ParameterError) as err:
        manski_bounds(*args)
    assert str(err.value) == message


# ---------------------------------------------------------------- unit_bounds


@pytest.mark.parametrize(
    ("rate", "share", "expected"),
    [
        (0.4, 0.0, (0.4, 0.4)),  # every council answered: no uncertainty
        (0.4, 1.0, (0.0, 1.0)),  # nobody answered: anything is possible
        (0.0, 0.25, (0.0, 0.25)),
        (1.0, 0.25, (0.75, 1.0)),
        (0.0, 0.0, (0.0, 0.0)),
        (1.0, 1.0, (0.0, 1.0)),
        (0.5, 0.5, (0.25, 0.75)),
    ],
)
def test_unit_bounds_at_and_inside_the_ends(rate, share, expected):
    assert unit_bounds(rate, share) == pytest.approx(expected, abs=1e-15)


@pytest.mark.parametrize(
    ("rate", "share", "message"),
    [
        (-0.1, 0.5, "rate=-0.1 is outside the valid range 0 to 1"),
        (1.1, 0.5, "rate=1.1 is outside the valid range 0 to 1"),
        (0.5, -0.01, "unknown_share=-0.01 is outside the valid range 0 to 1"),
        (0.5, 1.01, "unknown_share=1.01 is outside the valid range 0 to 1"),
    ],
)
def test_unit_bounds_outside_zero_one_are_refused(rate, share, message):
    with pytest.raises(ParameterError) as err:
        unit_bounds(rate, share)
    assert str(err.value) == message


# ---------------------------------------------------------------- item_bounds

COLS = ["figure_id", "report_id", "version", "group", "measure", "period", "geography", "value"]


def figures(rows):
    frame = pd.DataFrame([dict(zip(COLS, r)) for r in rows], columns=COLS)
    return frame.assign(discrepancy_id=None, qualifier=None, source_id="s")


ROWS = [
    # group t: both versions agree 30 went missing; 80 answered (short) and 100 counted (long)
    ("t1", "r", "long", "t", "went_missing", "2020", "UK", 30),
    ("t2", "r", "long", "t", "in_care", "2020", "UK", 100),
    ("t3", "r", "short", "t", "went_missing", "2020", "UK", 30),
    ("t4", "r", "short", "t", "in_care", "2020", "UK", 80),
    # group u: the versions disagree on who went missing too -> a revision, left out
    ("u1", "r", "long", "u", "went_missing", "2020", "UK", 5),
    ("u2", "r", "long", "u", "in_care", "2020", "UK", 50),
    ("u3", "r", "short", "u", "went_missing", "2020", "UK", 6),
    ("u4", "r", "short", "u", "in_care", "2020", "UK", 40),
    # group v: one total in care only -> nothing unknown, left out
    ("v1", "r", "long", "v", "went_missing", "2020", "UK", 2),
    ("v2", "r", "long", "v", "in_care", "2020", "UK", 20),
    ("v3", "r", "short", "v", "went_missing", "2020", "UK", 2),
    ("v4", "r", "short", "v", "in_care", "2020", "UK", 20),
    # group a (listed after t), counted first in the short version this time
    ("a1", "r", "short", "a", "went_missing", "2019", "UK", 1),
    ("a2", "r", "short", "a", "in_care", "2019", "UK", 10),
    ("a3", "r", "long", "a", "in_care", "2019", "UK", 4),
    ("a4", "r", "long", "a", "went_missing", "2019", "UK", 1),
    # another report with non-response of its own
    ("o1", "other", "x", "t", "went_missing", "2020", "UK", 1),
    ("o2", "other", "x", "t", "in_care", "2020", "UK", 2),
    ("o3", "other", "y", "t", "in_care", "2020", "UK", 3),
]


def test_item_bounds_every_column_by_hand():
    table = item_bounds(figures(ROWS), "r")
    assert list(table.columns) == BOUNDS_COLUMNS
    assert table.to_dict("records") == [
        {
            "report_id": "r",
            "group": "t",
            "period": "2020",
            "went_missing": 30,
            "answered": 80,
            "counted": 100,
            "unknown": 20,
            "low": 0.3,
            "high": 0.5,
            "respondents_only": 0.375,
            "answered_version": "short",
            "counted_version": "long",
        },
        {
            "report_id": "r",
            "group": "a",
            "period": "2019",
            "went_missing": 1,
            "answered": 4,
            "counted": 10,
            "unknown": 6,
            "low": 0.1,
            "high": 0.7,
            "respondents_only": 0.25,
            "answered_version": "long",
            "counted_version": "short",
        },
    ]


def test_item_bounds_of_one_report_only():
    table = item_bounds(figures(ROWS), "other")
    assert table[["went_missing", "answered", "counted"]].values.tolist() == [[1, 2, 3]]
    assert (table["low"].iloc[0], table["high"].iloc[0]) == pytest.approx((1 / 3, 2 / 3))


def test_item_bounds_without_a_pair_is_an_empty_table_with_the_columns():
    table = item_bounds(figures(ROWS), "nothing")
    assert table.empty and list(table.columns) == BOUNDS_COLUMNS
    table = item_bounds(figures([r for r in ROWS if r[3] in ("u", "v")]), "r")
    assert table.empty and list(table.columns) == BOUNDS_COLUMNS
