"""Comparisons recomputed from the ledger, checked against hand arithmetic and statsmodels directly."""

import pytest
from statsmodels.stats.proportion import confint_proportions_2indep

from helpers.comparisons import report_comparisons
from helpers.data import load_ledger


@pytest.fixture(scope="module")
def ledger():
    return load_ledger()


def test_when_harm_remains_uasc_2018_against_2020(ledger):
    table = report_comparisons(ledger, "when-harm-remains")
    row = table[table["comparison"] == "year against year"].iloc[0]
    assert (row.x1, row.n1, row.x2, row.n2) == (708, 4749, 692, 5263)
    assert row.difference == pytest.approx(692 / 5263 - 708 / 4749)
    low, high = confint_proportions_2indep(692, 5263, 708, 4749, method="newcomb", compare="diff")
    assert (row.ci_low, row.ci_high) == (pytest.approx(low), pytest.approx(high))
    assert row.ci_low < row.difference < row.ci_high < 0  # the 2020 rate is lower


def test_trafficked_against_unaccompanied_and_previous_report(ledger):
    table = report_comparisons(ledger, "until-harm-ends")
    groups = table[table["comparison"] == "trafficked against unaccompanied"]
    assert set(zip(groups.x2, groups.n2)) == {(864, 2335), (864, 2638)}
    previous = table[table["comparison"] == "against the previous report"]
    assert (378, 1231) in set(zip(previous.x1, previous.n1))  # When Harm Remains, the last report before


def test_against_england_uses_the_dfe_year_ending_in_the_same_year(ledger):
    table = report_comparisons(ledger, "until-harm-ends")
    england = table[table["comparison"] == "against all looked-after children in England"]
    # DfE 2024: 13,010 of 116,420 children looked after during the year had a missing incident.
    assert set(zip(england.x1, england.n1)) == {(13010, 116420)}
    assert len(england) == 4  # two groups in two versions


def test_first_report_has_no_previous_report(ledger):
    table = report_comparisons(ledger, "heading-back-to-harm")
    assert "against the previous report" not in set(table["comparison"])
