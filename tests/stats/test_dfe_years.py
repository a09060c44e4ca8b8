"""A ratio to DfE's rate under both DfE years a round overlaps (helpers/stats/dfe_years.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.stats.dfe_years import dfe_rates, dfe_year_table
from helpers.stats.rates import headline_table


@pytest.fixture(scope="module")
def table(ledger):
    head = headline_table(ledger.figures)
    return dfe_year_table(head[head["measure"] == "went_missing"], dfe_rates(ledger.england_national))


def test_heading_back_to_harm_is_4_6_or_3_3_times_dfe(table):
    row = table[(table["group"] == "trafficked") & (table["period"] == "2014-09/2015-09")].iloc[0]
    # DfE: 6,110 of 99,230 in the year to March 2015; 8,670 of 100,810 in the year to March 2016
    assert (row["dfe_year"], row["other_year"]) == (2015, 2016)
    assert row["ratio"] == pytest.approx((167 / 590) / (6110 / 99230))
    assert row["ratio"] == pytest.approx(4.597, abs=1e-3)
    assert row["other_ratio"] == pytest.approx(3.291, abs=1e-3)
    assert row["change"] == pytest.approx(3.2912 / 4.5969 - 1, abs=1e-3)  # -28%
    assert row["matters"]


def test_the_choice_matters_for_2015_and_2020_not_for_2017_or_2018(table):
    matters = table.groupby("dfe_year")["matters"].any().to_dict()
    # DfE's rate: 6.2% -> 8.6% (2015 -> 2016), 11.5% -> 10.1% (2020 -> 2021, a 12% fall: ratios rise 14%),
    # 10.4% -> 11.1% (2017 -> 2018, ratios fall 6%), 14.9% unaccompanied 2018 -> 2019 (1%)
    assert matters == {2015: True, 2017: False, 2018: False, 2020: True, 2024: False}
    row = table[table["dfe_year"] == 2020].iloc[0]
    assert row["change"] == pytest.approx((12470 / 108680) / (10910 / 108100) - 1, abs=1e-9)


def test_a_next_year_not_held_is_not_invented(table):
    latest = table[table["dfe_year"] == 2024]
    assert len(latest) == 4 and latest["other_rate"].isna().all() and not latest["matters"].any()


def test_a_rate_whose_paired_year_is_not_held_is_left_out():
    rates = pd.DataFrame(
        {"group": ["trafficked"], "period": ["2030"], "version": ["single"], "year": [2030], "rate": [0.3]}
    )
    assert dfe_year_table(rates, pd.Series({2024: 0.11})).empty
