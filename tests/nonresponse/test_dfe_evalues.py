"""The E-value against DfE's rate under both DfE years (helpers/nonresponse/dfe_evalues.py)."""

from __future__ import annotations

import math

import pytest

from helpers.nonresponse.dfe_evalues import dfe_year_evalues, dfe_year_matters
from helpers.stats.report_view import report_view


def one_side(rr: float) -> float:
    return rr + math.sqrt(rr * (rr - 1))  # Smith and VanderWeele, one rate selected, by hand


def test_heading_back_to_harm_e_value_is_8_66_or_about_6(ledger):
    table = dfe_year_evalues(ledger, report_view(ledger.figures, "heading-back-to-harm"))
    assert list(table["dfe_year"]) == [2015, 2016] and list(table["paired"]) == [True, False]
    rr_2015, rr_2016 = (167 / 590) / (6110 / 99230), (167 / 590) / (8670 / 100810)
    assert list(table["risk_ratio"]) == pytest.approx([rr_2015, rr_2016])
    assert list(table["evalue_one_side"]) == pytest.approx([one_side(rr_2015), one_side(rr_2016)])
    assert list(table["evalue_one_side"]) == pytest.approx([8.66, 6.04], abs=0.005)
    assert dfe_year_matters(table)


def test_still_in_harms_way_moves_less_than_ten_per_cent(ledger):
    table = dfe_year_evalues(ledger, report_view(ledger.figures, "still-in-harms-way"))
    assert list(table["dfe_year"]) == [2017, 2018]
    # the revised trafficked rate, 244 of 910, over DfE 2017 (10,700 of 102,590) and 2018 (11,520 of 104,240)
    assert table["risk_ratio"].iloc[1] / table["risk_ratio"].iloc[0] == pytest.approx(
        (10700 / 102590) / (11520 / 104240)
    )
    assert not dfe_year_matters(table)


def test_latest_report_has_one_year_and_companion_none(ledger):
    assert list(dfe_year_evalues(ledger, report_view(ledger.figures, "until-harm-ends"))["dfe_year"]) == [2024]
    assert dfe_year_evalues(ledger, report_view(ledger.figures, "exploited-looked-after-children")).empty
