"""Every sentence branch of holds_if, on hand-made rows whose every number is chosen to show in the words.

A row stands for one conclusion of helpers.nonresponse.two_sided.two_sided_table ("a above b"); the
expected sentences are written out in full, so a changed branch, comparison or wording changes one.
"""

import numpy as np
import pytest

from helpers.present.nonresponse_findings import holds_if

HOLD = "holds if the silent councils hold less than 12.5% of the children"
NO_ASSUMPTION = " (no assumption about their rates)"
WHERE = "with 30.0% of the children in silent councils (the share of councils silent, as an approximation"


def row(**changes):
    base = {
        "conclusion": "trafficked above unaccompanied",
        "observed": 0.4,
        "comparator": 0.3,
        "threshold": 0.125,
        "comparator_moves": True,
        "silent_share": 0.3,
        "silent_basis": "share of councils silent in both reports",
        "gap": 0.25,
        "gap_unit_only": 0.2,
    }
    return base | changes


def test_a_conclusion_the_published_figures_do_not_show():
    # observed equal to the comparator is not "above" it
    for observed in (0.3, 0.2):
        assert holds_if(row(observed=observed)) == (
            "does not hold in the published figures themselves, before any non-response"
        )


@pytest.mark.parametrize("share", [None, np.nan])
def test_no_published_silent_share(share):
    assert holds_if(row(silent_share=share)) == (
        HOLD
        + " of each group"
        + NO_ASSUMPTION
        + "; the share of councils that did not answer is not published, so no more can be said"
    )


def test_both_shares_published_says_nothing_is_unpublished():
    words = holds_if(row())
    assert "not published" not in words
    assert words == (
        HOLD + " of each group" + NO_ASSUMPTION + ", or, " + WHERE + "), if the silent councils' unaccompanied "
        "rate does not exceed their trafficked rate by 25.0 points or more (20.0 points if the children without "
        "an answer were recorded as missing as often as those with one)"
    )


def test_the_comparators_share_taken_from_this_report():
    words = holds_if(row(silent_basis="this report's share (not published for the comparator)"))
    assert WHERE + ", taken to be the same for the comparator, whose share is not published)," in words


def test_this_reports_share_taken_from_the_comparator():
    words = holds_if(row(silent_basis="the comparator's share (not published for this report)"))
    assert WHERE + " for the comparator, taken to be the same for this report, whose share is not published)," in words


def test_two_moving_groups_no_silent_rates_could_overturn():
    # gap above 1 (more than 100 points): no rates could overturn it
    for gap in (1.01, 2.0):
        assert holds_if(row(gap=gap)) == (
            HOLD
            + " of each group"
            + NO_ASSUMPTION
            + "; "
            + WHERE
            + "), no rates of the silent councils could overturn it"
        )
    # exactly 1 is still a finite gap (100 points)
    assert "by 100.0 points or more" in holds_if(row(gap=1.0))


def test_two_moving_groups_that_fail_the_item_bounds():
    for gap in (0.0, -0.1):
        assert holds_if(row(gap=gap)) == (
            HOLD + " of each group" + NO_ASSUMPTION + "; " + WHERE + "), it does not survive the item non-response "
            "bounds even if the silent councils resemble the answering ones"
        )


def test_a_census_comparator_that_cannot_move():
    # DfE's census rate is fixed: the words speak of one group and of a rate above which it holds
    fixed = row(comparator_moves=False, conclusion="trafficked above DfE's looked-after children", gap=0.215)
    assert holds_if(fixed) == (
        HOLD + NO_ASSUMPTION + ", or, " + WHERE + "), if the silent councils' trafficked rate is above 21.5%"
    )
    # a rate of exactly 0 is still a condition (above 0.0%); a negative one means none could overturn it
    assert holds_if(fixed | {"gap": 0.0}).endswith("if the silent councils' trafficked rate is above 0.0%")
    assert holds_if(fixed | {"gap": -0.01}) == (
        HOLD + NO_ASSUMPTION + "; " + WHERE + "), no rate of the silent councils could overturn it"
    )


def test_counted_once_and_child_share_words_follow_the_sentence():
    words = holds_if(
        row(
            gap=2.0,
            item_silent_floor=0.05,
            threshold_unit_only=0.15,
            stacked_unknown_share=0.35,
            child_share_low=0.1,
            child_share_high=0.6,
            child_share_p05=0.2,
            child_share_p95=0.4,
            child_share_source="DfE, 2024",
            p_holds_random=0.5,
        )
    )
    assert words.startswith(HOLD + " of each group" + NO_ASSUMPTION + "; " + WHERE + "), no rates of the silent")
    assert ". Counted once, the children without an answer belong to councils silent on the question" in words
    assert "therefore hold at least 5.0% of the children; the threshold is then 15.0%" in words
    assert "treat 35.0% of the children as unknown" in words
    assert "could hold from 10.0% to 60.0% of England's children" in words
    assert "would survive any rates of theirs in 50% of draws (silent share of children 20.0% to 40.0%" in words
    for p, said in ((1.0, "in every draw"), (0.0, "in none of the draws")):
        assert said in holds_if(
            row(
                child_share_low=0.1,
                child_share_high=0.6,
                child_share_p05=0.2,
                child_share_p95=0.4,
                child_share_source="DfE",
                p_holds_random=p,
            )
        )
