"""A displayed table as data (helpers.present.table_data): what each "Download this table (CSV)" holds."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from helpers.present.table_data import number, table_data


@pytest.mark.parametrize(
    "text, value",
    [
        ("2,335", 2335),
        ("37.0%", 0.37),
        ("12.5%", 0.125),
        ("+2.76%", 0.0276),
        ("-4.1", -4.1),
        ("−1", -1),
        ("+37", 37),
        ("+3.0 points", 3.0),
    ],
)
def test_number(text, value):
    assert number(text) == value and type(number(text)) is type(value)


def test_points_read_as_proportions_beside_per_cent():
    assert number("0.6 points", points_as_proportion=True) == 0.006


def _frame(rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(table_data(rows))
    buffer.seek(0)
    return pd.read_csv(buffer)  # pandas' defaults, as a reader would open the download


def test_the_headline_table_downloads_as_numbers():
    shown = [
        [
            "group of children",
            "period",
            "count",
            "of",
            "rebuilt rate",
            "95% CI (sampling only)",
            "published %",
            "p-value",
        ],
        ["trafficked", "2024", "864", "2,335", "37.0%", "35.1% to 39.0%", "37%", "<0.001"],
        ["unaccompanied (UASC)", "Sep 2014 to Sep 2015", "1,501", "11,999", "12.5%", "not computable", "none", "0.042"],
        ["trafficked or UASC", "2018 to 2020", "–", "–", "–", "–", "no % published", "–"],
    ]
    data = _frame(shown)
    assert list(data.columns) == [
        "group of children",
        "period",
        "count",
        "of",
        "rebuilt rate (proportion)",
        "95% CI (sampling only), from (proportion)",
        "95% CI (sampling only), to (proportion)",
        "published (proportion)",
        "p-value (0.001: below that value)",
    ]
    assert data["count"].tolist()[:2] == [864, 1501] and data["of"].tolist()[:2] == [2335, 11999]
    assert data["rebuilt rate (proportion)"].tolist()[:2] == [0.37, 0.125]
    assert data.iloc[0, 5:7].tolist() == [0.351, 0.39]
    assert data["p-value (0.001: below that value)"].tolist()[:2] == [0.001, 0.042]
    for column in data.columns[2:]:
        assert pd.api.types.is_numeric_dtype(data[column]), column
    assert data.iloc[2, 2:].isna().all()  # every empty cell is empty, never "–" or "none"
    assert data["period"].tolist() == ["2024", "Sep 2014 to Sep 2015", "2018 to 2020"]  # periods stay labels


def test_estimates_with_intervals_spreads_notes_and_qualifiers_get_columns_of_their_own():
    shown = [
        ["odds ratio (95% CI)", "coverage ± MCSE", "value", "sensitivity interval", "councils"],
        ["1.00", "96.0% ± 0.6 points", "4 (more than)", "46.5% to 50.3% (d = 1.18)", "217"],
        ["0.81 (0.29 to 2.23)", "92.6% ± 0.8 points", "200", "no council count published", "more than 200"],
    ]
    data = _frame(shown)
    assert list(data.columns) == [
        "odds ratio (95% CI)",
        "odds ratio (95% CI), from",
        "odds ratio (95% CI), to",
        "coverage (proportion)",
        "coverage, MCSE (proportion)",
        "value",
        "value, note",
        "sensitivity interval, from (proportion)",
        "sensitivity interval, to (proportion)",
        "sensitivity interval, note",
        "councils",
        "councils, note",
    ]
    first, second = data.iloc[0], data.iloc[1]
    assert second[["odds ratio (95% CI)", "odds ratio (95% CI), from", "odds ratio (95% CI), to"]].tolist() == [
        0.81,
        0.29,
        2.23,
    ]
    assert first["odds ratio (95% CI)"] == 1.0 and pd.isna(first["odds ratio (95% CI), from"])
    assert data["coverage (proportion)"].tolist() == [0.96, 0.926]
    assert data["coverage, MCSE (proportion)"].tolist() == [0.006, 0.008]
    assert data["value"].tolist() == [4, 200] and first["value, note"] == "more than"
    assert first[["sensitivity interval, from (proportion)", "sensitivity interval, to (proportion)"]].tolist() == [
        0.465,
        0.503,
    ]
    assert first["sensitivity interval, note"] == "d = 1.18" and pd.isna(second["sensitivity interval, note"])
    assert pd.isna(second["sensitivity interval, from (proportion)"])
    assert data["councils"].tolist() == [217, 200] and second["councils, note"] == "more than"


def test_text_columns_stay_text_and_only_the_dash_empties_them():
    shown = [
        ["the claim", "as stated", "likely slip"],
        ["Almost 600 children said to have disappeared.", "28%", "none identified"],
        ["More than 200 still missing.", "more than 200", "–"],
    ]
    data = _frame(shown)
    assert data["as stated"].tolist() == ["28%", "more than 200"]  # per cent beside a count: no one unit
    assert data["likely slip"].tolist()[0] == "none identified" and pd.isna(data["likely slip"].iloc[1])


def test_a_bound_with_a_note_after_it_is_the_bound_and_the_note():
    """A p-value below the smallest shown, with the design effects it was computed at (10_report)."""
    rows = [["p", "x"], ["<0.001 (d 3.53–5.95 and 1.11–1.24)", "1"], ["0.03", "2"], ["<0.001", "3"]]
    assert table_data(rows) == [
        ["p (0.001: below that value)", "p, note", "x"],
        [0.001, "d 3.53–5.95 and 1.11–1.24", 1],
        [0.03, None, 2],
        [0.001, None, 3],
    ]
