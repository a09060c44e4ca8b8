"""Selection-bias E-values at the estimate and at the interval limit, by hand arithmetic."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers.ledger.errors import ParameterError
from helpers.nonresponse.evalues import (
    CITATION,
    EVALUE_COLUMNS,
    bounding_factor,
    contrast_intervals,
    evalue_table,
    limit_nearer_one,
    risk_ratio_interval,
    selection_evalue,
)
from helpers.nonresponse.two_sided import two_sided_table
from helpers.present.nonresponse_findings import evalue_sentence
from helpers.stats.report_view import report_view

Z = 1.959963984540054


def four(rr):
    r = math.sqrt(rr)
    return r + math.sqrt(r * (r - 1))


def two(rr):
    return rr + math.sqrt(rr * (rr - 1))


def test_the_citation_is_the_epidemiology_paper():
    assert "30(4):509-516" in CITATION and "Bounding bias due to selection" in CITATION


def test_katz_interval_and_the_evalues_at_its_limit_for_until_harm_ends_by_hand():
    # Until Harm Ends (Guardian): 864 of 2,335 trafficked, 1,501 of 11,999 unaccompanied.
    rr = (864 / 2335) / (1501 / 11999)
    se = math.sqrt(1 / 864 - 1 / 2335 + 1 / 1501 - 1 / 11999)  # Katz: (1 - p)/x for each rate
    low, high = rr * math.exp(-Z * se), rr * math.exp(Z * se)
    got = risk_ratio_interval(864, 2335, 1501, 11999)
    assert got == pytest.approx((rr, low, high), rel=1e-12)
    assert round(low, 3) == 2.755
    # The review: 2.71 with four parameters and 4.95 with two at the interval limit.
    assert round(float(selection_evalue(low, 4)), 2) == 2.71 == round(four(low), 2)
    assert round(float(selection_evalue(low, 2)), 2) == 4.95 == round(two(low), 2)


def test_between_report_and_census_intervals_by_hand():
    # Two reports: each side's log variance gains (1 - p)^2 tau2, and the reference is t on df.
    tau2, df = 0.05, 2
    p1, p2 = 30 / 100, 20 / 100
    var = (1 - p1) ** 2 * (1 / 30 + 1 / 70 + tau2) + (1 - p2) ** 2 * (1 / 20 + 1 / 80 + tau2)
    q = stats.t.ppf(0.975, df)
    rr, low, high = risk_ratio_interval(30, 100, 20, 100, tau2=tau2, df=df)
    assert rr == pytest.approx(1.5)
    assert low == pytest.approx(1.5 * math.exp(-q * math.sqrt(var)))
    assert high == pytest.approx(1.5 * math.exp(q * math.sqrt(var)))
    # A census comparator (n2=None) is held fixed: only the first rate's (1 - p)/x remains.
    rr, low, high = risk_ratio_interval(30, 100, 0.1, None)
    assert rr == pytest.approx(3.0) and low == pytest.approx(3 * math.exp(-Z * math.sqrt(0.7 / 30)))
    with pytest.raises(ParameterError, match="strictly between"):
        risk_ratio_interval(0, 100, 20, 100)


def test_the_limit_nearer_one():
    assert limit_nearer_one(1.2, 3.0) == 1.2
    assert limit_nearer_one(0.2, 0.8) == 0.8
    assert limit_nearer_one(0.6, 2.2) == 1.0
    assert float(selection_evalue(1.0, 4)) == 1.0 and float(selection_evalue(1.0, 2)) == 1.0


def test_evalue_table_on_made_up_rows():
    two_sided = pd.DataFrame(
        {
            "conclusion": ["a above b", "a above census", "a above old a"],
            "observed": [0.4, 0.4, 0.4],
            "comparator": [0.1, 0.2, 0.3],
            "comparator_moves": [True, False, True],
        }
    )
    intervals = pd.DataFrame(
        {
            "conclusion": ["a above b", "a above census", "a above old a"],
            "rr_low": [2.25, 1.5, 0.9],
            "rr_high": [7.0, 2.6, 2.0],
            "interval": ["95% CI", "95% CI", "95% CI between reports"],
        }
    )
    e = evalue_table(two_sided, intervals).set_index("conclusion")
    assert e.loc["a above b", "risk_ratio"] == pytest.approx(4.0)
    assert e.loc["a above b", "evalue_both_sides"] == pytest.approx(2 + math.sqrt(2))  # sqrt(4) = 2
    assert e.loc["a above b", "evalue_one_side"] == pytest.approx(4 + math.sqrt(12))
    assert e.loc["a above b", "evalue_limit_both_sides"] == pytest.approx(1.5 + math.sqrt(0.75))  # sqrt(2.25)
    assert e.loc["a above b", "evalue_limit_one_side"] == pytest.approx(2.25 + math.sqrt(2.25 * 1.25))
    assert np.isnan(e.loc["a above census", "evalue_both_sides"])
    assert np.isnan(e.loc["a above census", "evalue_limit_both_sides"])
    assert e.loc["a above census", "evalue_limit_one_side"] == pytest.approx(1.5 + math.sqrt(0.75))
    assert e.loc["a above old a", "includes_no_change"]
    assert e.loc["a above old a", ["evalue_limit_both_sides", "evalue_limit_one_side"]].tolist() == [1.0, 1.0]
    assert not e.loc["a above b", "includes_no_change"]
    # Without intervals the limit columns are empty.
    bare = evalue_table(two_sided)
    assert bare["evalue_limit_one_side"].isna().all() and not bare["includes_no_change"].any()


def test_until_harm_ends_contrasts_from_the_ledger(ledger):
    view = report_view(ledger.figures, "until-harm-ends")
    e = evalue_table(two_sided_table(ledger, view), contrast_intervals(ledger, view)).set_index("conclusion")
    tvu = e.loc["trafficked above unaccompanied"]
    assert round(tvu["evalue_both_sides"], 2) == 2.83 and round(tvu["evalue_one_side"], 2) == 5.36
    assert round(tvu["evalue_limit_both_sides"], 2) == 2.71 and round(tvu["evalue_limit_one_side"], 2) == 4.95
    # 2024 against 2020: the interval between reports includes no change, so its E-value at the limit is 1.
    year = e.loc["trafficked 2024 above trafficked 2020"]
    assert year["includes_no_change"] and year["rr_low"] < 1 < year["rr_high"]
    assert year["evalue_limit_one_side"] == 1.0 and "between reports" in year["interval"]
    words = evalue_sentence(year.to_dict() | {"conclusion": "trafficked 2024 above trafficked 2020"})
    assert "E-value at the interval limit is 1" in words and "30(4):509-516" in words
    lead = evalue_sentence(tvu.to_dict() | {"conclusion": "trafficked above unaccompanied"})
    assert lead.index("2.83") < lead.index("5.36") and "2.71" in lead and "4.95" in lead


def test_a_risk_ratio_below_one_is_inverted_first():
    # 0.25 is a fall by a factor of 4: its E-values are those of 4 (4 + sqrt(12), and 2 + sqrt(2))
    assert float(selection_evalue(0.25)) == pytest.approx(two(4.0), rel=1e-12)
    assert float(selection_evalue(0.25, 4)) == pytest.approx(four(4.0), rel=1e-12)
    # the default is the two-parameter value
    assert float(selection_evalue(4.0)) == pytest.approx(4 + math.sqrt(12), rel=1e-12)


@pytest.mark.parametrize("rr", [0.0, -2.0, np.inf, np.nan])
def test_an_impossible_risk_ratio_is_refused(rr):
    with pytest.raises(ParameterError, match="risk ratio=.* must be a positive, finite number"):
        selection_evalue(rr)


def test_only_two_or_four_parameters():
    with pytest.raises(ParameterError, match="parameters=3 is not valid; valid values: 2, 4"):
        selection_evalue(2.0, 3)


def test_bounding_factor_by_hand_and_at_the_evalue():
    # RR_UY = 2, RR_SU = 3: 6 / (2 + 3 - 1) = 1.5
    assert float(bounding_factor(2.0, 3.0)) == pytest.approx(1.5, rel=1e-12)
    # with both at the two-parameter E-value E of RR, the bias factor is E^2 / (2E - 1) = RR exactly
    e = two(2.5)
    assert float(bounding_factor(e, e)) == pytest.approx(2.5, rel=1e-12)


def test_counts_at_the_edges_of_strictly_between():
    # one child of ten is allowed (0 < 1 < 10); all ten of ten is not
    rr, _, _ = risk_ratio_interval(1, 10, 2, 10)
    assert rr == pytest.approx(0.5)
    with pytest.raises(ParameterError, match="got 10 of 10"):
        risk_ratio_interval(10, 10, 2, 10)


def test_the_limit_nearer_one_when_a_limit_is_one():
    assert limit_nearer_one(1.0, 2.0) == 1.0
    assert limit_nearer_one(0.5, 1.0) == 1.0


def test_evalue_table_without_intervals_or_rows():
    two_sided = pd.DataFrame(
        {"conclusion": ["a above b"], "observed": [0.4], "comparator": [0.1], "comparator_moves": [True]}
    )
    bare = evalue_table(two_sided)
    assert bare["interval"].tolist() == [""] and bare["rr_low"].isna().all()
    empty = evalue_table(two_sided.iloc[:0])
    assert list(empty.columns) == EVALUE_COLUMNS and empty.empty


def test_contrast_interval_words_at_ninety_per_cent(ledger):
    # alpha 0.1: every interval says 90%, and says where its two rates come from
    view = report_view(ledger.figures, "heading-back-to-harm", alpha=0.1)
    table = contrast_intervals(ledger, view).set_index("conclusion")
    assert table.loc["trafficked above unaccompanied", "interval"] == "90% CI (sampling only, same councils)"
    census = table.loc["trafficked above all looked-after (DfE)"]
    assert census["interval"] == "90% CI (sampling only; DfE's census rate held fixed)"
    # the 90% census interval is the 95% one on the log scale with its half-width scaled by
    # z(0.95) / z(0.975) = 1.6449 / 1.9600 (same centre, same standard error)
    wide = contrast_intervals(ledger, report_view(ledger.figures, "heading-back-to-harm")).set_index("conclusion")
    lo95, hi95 = np.log(wide.loc["trafficked above all looked-after (DfE)", ["rr_low", "rr_high"]].astype(float))
    centre, half = (lo95 + hi95) / 2, (hi95 - lo95) / 2 * stats.norm.ppf(0.95) / stats.norm.ppf(0.975)
    assert census["rr_low"] == pytest.approx(np.exp(centre - half), rel=1e-9)
    assert census["rr_high"] == pytest.approx(np.exp(centre + half), rel=1e-9)
    later = contrast_intervals(ledger, report_view(ledger.figures, "until-harm-ends", alpha=0.1))
    between = later.set_index("conclusion").loc["trafficked 2024 above trafficked 2020"]
    assert between["interval"] == "90% CI between reports (between-report variance added, t on 2 df)"
    # between reports the reference is t on 2 df: the half-width scales by t(0.95, 2) / t(0.975, 2)
    # = 2.920 / 4.303 from 95% to 90% (a normal reference would scale by 1.645 / 1.960)
    wide95 = contrast_intervals(ledger, report_view(ledger.figures, "until-harm-ends")).set_index("conclusion")
    lo95, hi95 = np.log(wide95.loc["trafficked 2024 above trafficked 2020", ["rr_low", "rr_high"]].astype(float))
    half = (hi95 - lo95) / 2 * stats.t.ppf(0.95, 2) / stats.t.ppf(0.975, 2)
    assert between["rr_low"] == pytest.approx(np.exp((lo95 + hi95) / 2 - half), rel=1e-9)
    # a report whose counts are not held gives an empty table that keeps its columns
    none = contrast_intervals(ledger, report_view(ledger.figures, "exploited-looked-after-children"))
    assert none.empty and list(none.columns) == ["conclusion", "rr_low", "rr_high", "interval"]
