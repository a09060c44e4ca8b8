"""Edges of helpers/nonresponse/tipping.py: the share limits, the tie and report_conclusions.

The ledger used here is a small synthetic one (made-up counts), so every rate is a simple fraction.
"""

import pandas as pd
import pytest

from helpers.ledger.errors import ParameterError
from helpers.nonresponse.tipping import report_conclusions, smallest_overturning_share
from helpers.nonresponse.two_sided import gap_needed
from helpers.stats.report_view import report_view


def fixed_comparator_gap(observed, comparator, share):
    """q*(s), the silent councils' rate that would bring the overall rate down to a fixed comparator."""
    return gap_needed(observed, comparator, share, comparator_moves=False)


# ---------------------------------------------------------------- q*(s): gap_needed with the comparator fixed


def test_the_rate_needed_by_hand_on_an_array_of_shares():
    # r = 0.4, c = 0.25: q*(s) = (0.25 - (1 - s) 0.4) / s
    q = fixed_comparator_gap(0.4, 0.25, [0.25, 0.5, 1.0])
    assert list(q) == pytest.approx([(0.25 - 0.3) / 0.25, (0.25 - 0.2) / 0.5, 0.25])


def test_a_share_of_one_needs_the_comparator_itself():
    assert float(fixed_comparator_gap(0.4, 0.25, 1)) == pytest.approx(0.25, abs=1e-15)


@pytest.mark.parametrize("share", [0, -0.1, 1.0000001, [0.5, 0.0], [0.5, 2]])
def test_a_share_outside_zero_to_one_is_refused(share):
    with pytest.raises(ParameterError) as err:
        fixed_comparator_gap(0.4, 0.25, share)
    assert str(err.value) == "share must lie above 0 and at most 1 (the silent councils' share of the children)"


# ---------------------------------------------------------------- smallest_overturning_share


def test_a_tie_cannot_be_overturned_because_it_does_not_hold():
    assert smallest_overturning_share(0.25, 0.25) == 0.0
    assert smallest_overturning_share(0.2, 0.25) == 0.0


def test_just_above_the_comparator_a_tiny_share_overturns():
    assert smallest_overturning_share(0.5, 0.25) == 0.5
    assert smallest_overturning_share(0.26, 0.25) == pytest.approx(1 / 26)
    assert smallest_overturning_share(0.4, 0.0) == 1.0


def test_at_the_smallest_share_the_needed_rate_is_zero():
    s = smallest_overturning_share(0.4, 0.1)
    assert s == pytest.approx(0.75)
    assert float(fixed_comparator_gap(0.4, 0.1, s)) == pytest.approx(0.0, abs=1e-12)


# ---------------------------------------------------------------- report_conclusions

COLS = ["figure_id", "report_id", "version", "group", "measure", "period", "geography", "value"]


def _pair(report, version, group, period, missing, in_care):
    key = f"{report}-{version}-{group}-{period}"
    return [
        (key + "-m", report, version, group, "went_missing", period, "UK", missing),
        (key + "-c", report, version, group, "in_care", period, "UK", in_care),
    ]


ROWS = (
    _pair("z", "single", "trafficked", "2010", 4, 40)
    + _pair("a", "x", "trafficked", "2020", 25, 100)
    + _pair("a", "y", "trafficked", "2020", 45, 150)
    + _pair("a", "single", "trafficked", "2019", 5, 10)
    + _pair("b", "v1", "trafficked", "2024", 30, 100)
    + _pair("b", "v1", "unaccompanied", "2024", 20, 200)
    + _pair("b", "v2", "trafficked", "2024", 30, 120)
    + _pair("b", "v2", "unaccompanied", "2024", 20, 250)
    + _pair("b", "v1", "trafficked", "2022", 10, 50)
    + _pair("c", "single", "trafficked", "2024", 40, 100)
    + _pair("u", "single", "unaccompanied", "2024", 1, 10)
)
FIGURES = pd.DataFrame([dict(zip(COLS, r)) for r in ROWS]).assign(discrepancy_id=None, qualifier=None, source_id="s")
REPORTS = pd.DataFrame({"report_id": ["z", "a", "b", "c", "u"], "series_order": [0, 1, 2, 3, 4]})
YEARS = [2019, 2020, 2021, 2022, 2023]
NATIONAL = pd.DataFrame(
    {
        "year": YEARS * 2,
        "measure": ["children_missing"] * 5 + ["cla_during_year"] * 5,
        # 2023 has no count of children missing: the latest usable DfE year is 2022
        "value": [10, 11, 12, 12, None, 100, 100, 100, 100, 100],
    }
)
CONCLUSION_COLUMNS = [
    "conclusion",
    "observed",
    "comparator",
    "comparator_label",
    "observed_report",
    "observed_group",
    "comparator_report",
    "comparator_group",
    "s_min",
]


def conclusions(report, version=None):
    return report_conclusions(FIGURES, REPORTS, NATIONAL, report_view(FIGURES, report), version)


def test_conclusions_of_the_default_version_every_column():
    # b's 2024 versions: v1 has the smaller denominators, so it is the report's own rate
    table = conclusions("b")
    assert list(table.columns) == CONCLUSION_COLUMNS
    assert list(table["conclusion"]) == [
        "trafficked above unaccompanied",
        "trafficked 2024 above trafficked 2020",
        "trafficked above all looked-after (DfE)",
    ]
    assert list(table["observed"]) == pytest.approx([0.3, 0.3, 0.3])
    # previous report a: its 2020 version with the smaller denominator (x: 25/100); DfE clamped to 2022
    assert list(table["comparator"]) == pytest.approx([0.1, 0.25, 0.12])
    assert list(table["comparator_label"]) == [
        "unaccompanied rate 2024 (this report)",
        "trafficked rate 2020 (a)",
        "DfE England, all looked-after children, year to March 2022",
    ]
    assert list(table["s_min"]) == pytest.approx([1 - 0.1 / 0.3, 1 - 0.25 / 0.3, 1 - 0.12 / 0.3])
    # where each rate comes from; DfE's census has no report or group
    assert list(table["observed_report"]) == ["b", "b", "b"]
    assert list(table["observed_group"]) == ["trafficked"] * 3
    assert list(table["comparator_report"])[:2] == ["b", "a"] and pd.isna(table["comparator_report"].iloc[2])
    assert list(table["comparator_group"])[:2] == ["unaccompanied", "trafficked"]
    assert pd.isna(table["comparator_group"].iloc[2])


def test_conclusions_of_a_named_version():
    table = conclusions("b", "v2")
    assert list(table["observed"]) == pytest.approx([0.25, 0.25, 0.25])
    assert list(table["comparator"]) == pytest.approx([0.08, 0.25, 0.12])
    assert list(table["s_min"]) == pytest.approx([1 - 0.08 / 0.25, 0.0, 1 - 0.12 / 0.25])


def test_a_previous_report_of_the_same_year_is_skipped_for_an_earlier_one():
    # c (2024) follows b (also 2024): b is not an earlier year, so a (2020) is the comparator
    table = conclusions("c").set_index("conclusion")
    assert list(table.index) == ["trafficked 2024 above trafficked 2020", "trafficked above all looked-after (DfE)"]
    assert table.loc["trafficked 2024 above trafficked 2020", "comparator"] == pytest.approx(0.25)
    assert table.loc["trafficked 2024 above trafficked 2020", "comparator_label"] == "trafficked rate 2020 (a)"
    assert table["observed"].tolist() == pytest.approx([0.4, 0.4])


def test_only_the_nearest_earlier_report_is_compared():
    table = conclusions("a")  # a's default version is x (smaller denominator); z is its only predecessor
    assert list(table["conclusion"]) == [
        "trafficked 2020 above trafficked 2010",
        "trafficked above all looked-after (DfE)",
    ]
    assert list(table["comparator"]) == pytest.approx([0.1, 0.11])  # DfE 2020 is inside the years held
    assert table["comparator_label"].iloc[1] == "DfE England, all looked-after children, year to March 2020"


def test_a_first_report_before_the_dfe_years_uses_the_earliest_year():
    table = conclusions("z")
    assert list(table["conclusion"]) == ["trafficked above all looked-after (DfE)"]
    assert table["comparator"].iloc[0] == pytest.approx(0.1)
    assert table["comparator_label"].iloc[0].endswith("year to March 2019")
    assert table["s_min"].iloc[0] == 0.0  # 0.1 is not above 0.1


def test_no_trafficked_rate_and_no_report_give_empty_tables_with_columns():
    for report in ("u", "missing-report"):
        table = conclusions(report)
        assert table.empty and list(table.columns) == CONCLUSION_COLUMNS


def test_without_usable_dfe_years_there_is_no_dfe_conclusion():
    # each year lacks one of the two counts, so no year gives a rate
    national = pd.DataFrame(
        {"year": [2019, 2020], "measure": ["children_missing", "cla_during_year"], "value": [10, 100]}
    )
    table = report_conclusions(FIGURES, REPORTS, national, report_view(FIGURES, "b"))
    assert "trafficked above all looked-after (DfE)" not in set(table["conclusion"])
    assert len(table) == 2


def test_a_dfe_table_without_children_missing_leaves_the_dfe_conclusion_out():
    national = NATIONAL[NATIONAL["measure"] == "cla_during_year"]
    table = report_conclusions(FIGURES, REPORTS, national, report_view(FIGURES, "b"))
    assert "trafficked above all looked-after (DfE)" not in set(table["conclusion"])


def test_dfe_years_need_only_their_two_counts_and_the_first_of_duplicates_stands():
    extra = pd.DataFrame(
        {
            "year": [2022, 2021, 2022],
            # another measure missing in 2022 does not remove the year; a repeated 2022 count is ignored
            "measure": ["missing_incidents", "missing_incidents", "children_missing"],
            "value": [None, 500, 50],
        }
    )
    table = report_conclusions(
        FIGURES, REPORTS, pd.concat([NATIONAL, extra], ignore_index=True), report_view(FIGURES, "b")
    )
    dfe = table.set_index("conclusion").loc["trafficked above all looked-after (DfE)"]
    assert dfe["comparator"] == pytest.approx(0.12)
    assert dfe["comparator_label"].endswith("year to March 2022")


def test_a_rate_of_zero_against_zero_is_a_tie_not_a_division():
    assert smallest_overturning_share(0.0, 0.0) == 0.0


def test_groups_published_once_stand_beside_the_chosen_version():
    rows = _pair("s", "v1", "trafficked", "2024", 30, 100) + _pair("s", "single", "unaccompanied", "2024", 20, 200)
    figures = pd.DataFrame([dict(zip(COLS, r)) for r in rows]).assign(
        discrepancy_id=None, qualifier=None, source_id="s"
    )
    reports = pd.DataFrame({"report_id": ["s"], "series_order": [0]})
    national = pd.DataFrame({"year": [2019, 2020], "measure": ["children_missing", "cla_during_year"], "value": [1, 9]})
    table = report_conclusions(figures, reports, national, report_view(figures, "s"))
    assert table["conclusion"].tolist() == ["trafficked above unaccompanied"]
    assert table["comparator"].tolist() == pytest.approx([0.1])
