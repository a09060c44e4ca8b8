"""The published figures the synthetic councils of 41 are matched to, and how they are named for readers.

Until Harm Ends (Guardian version, published 2025): 864 of 2,335 trafficked children went missing, the
smallest denominator of the latest year, and 2,638 trafficked children in care in all (data/figures.csv).
"""

from __future__ import annotations

import pytest

from helpers.ledger.errors import ParameterError
from helpers.nonresponse import calibration_targets


def test_the_targets_are_the_report_rate_and_the_largest_total(ledger):
    target = calibration_targets(ledger.figures, reports=ledger.reports)
    assert target["rate"] == pytest.approx(864 / 2335)
    assert target["total"] == 2638


def test_the_label_names_the_report_by_title_with_thousands_separators(ledger):
    target = calibration_targets(ledger.figures, reports=ledger.reports)
    assert target["label"] == "Until Harm Ends (2025), trafficked: 864 of 2,335"
    other = calibration_targets(ledger.figures, "heading-back-to-harm", "unaccompanied", reports=ledger.reports)
    assert other["label"] == "Heading Back to Harm (2016), unaccompanied (UASC): 593 of 4,744"


def test_without_the_reports_table_the_label_falls_back_to_the_id(ledger):
    assert calibration_targets(ledger.figures)["label"] == "until-harm-ends, trafficked: 864 of 2,335"


def test_a_group_without_a_rate_is_named(ledger):
    with pytest.raises(ParameterError, match="group='exploited'"):
        calibration_targets(ledger.figures, "until-harm-ends", "exploited")
