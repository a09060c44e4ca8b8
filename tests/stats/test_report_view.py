"""ReportView: one report's headline table built once, checked against the ledger's published counts."""

from __future__ import annotations

import dataclasses

import pytest

from helpers.ledger.errors import ParameterError
from helpers.ledger.tables import load_ledger
from helpers.stats.report_view import report_view


@pytest.fixture(scope="module")
def ledger():
    return load_ledger()


def test_until_harm_ends_pairs_versions_and_default(ledger):
    view = report_view(ledger.figures, "until-harm-ends")
    # Guardian: 864 of 2,335 trafficked, 1,501 of 11,999 unaccompanied; the Independent's totals in care
    # (2,638 and 12,530) are larger, so the Guardian's is the rate the report computed.
    assert view.latest_year == 2024
    assert view.versions == ("guardian", "independent")
    assert view.default_version == "guardian"
    guardian = view.pairs[view.pairs["version"] == "guardian"].set_index("group")
    assert guardian.loc["trafficked", "rate"] == pytest.approx(864 / 2335)
    assert guardian.loc["unaccompanied", "rate"] == pytest.approx(1501 / 11999)
    # smallest denominator first within each group
    assert list(view.pairs.loc[view.pairs["group"] == "trafficked", "denominator"]) == [2335, 2638]


def test_alpha_is_checked_once_at_the_boundary_and_sets_the_intervals(ledger):
    with pytest.raises(ParameterError, match="alpha must be a number strictly between 0 and 1"):
        report_view(ledger.figures, "until-harm-ends", alpha=1.5)
    wide, narrow = (report_view(ledger.figures, "until-harm-ends", a).pairs for a in (0.05, 0.5))
    assert (wide["ci_high"] - wide["ci_low"] > narrow["ci_high"] - narrow["ci_low"]).all()


def test_a_view_is_frozen_and_a_report_without_rates_has_no_versions(ledger):
    view = report_view(ledger.figures, "until-harm-ends")
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.alpha = 0.1
    empty = report_view(ledger.figures, "no-such-report")
    assert empty.pairs.empty and empty.versions == () and empty.default_version is None
