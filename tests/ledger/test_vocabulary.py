"""Ids and periods in words (helpers.ledger.vocabulary): every id of data/ has words, periods read as months."""

from __future__ import annotations

import pytest

from helpers.ledger.vocabulary import GROUP_LABELS, GROUP_WORDS, MEASURE_WORDS, OFFICIAL_WORDS, period_words


@pytest.mark.parametrize(
    "text, words",
    [
        ("2014-09/2015-09", "Sep 2014 to Sep 2015"),
        ("2017-07/2018-03", "Jul 2017 to Mar 2018"),
        ("2020-04/2021-03", "Apr 2020 to Mar 2021"),
        ("2018/2020", "2018 to 2020"),
        ("trafficked, 2014-09/2015-09: 167 of 590", "trafficked, Sep 2014 to Sep 2015: 167 of 590"),
        ("2017", "2017"),  # a single year is already words
        ("2014-15", "2014-15"),  # a financial year as DfE writes it
        ("2014/15", "2014/15"),
        ("2014-13/2015-09", "2014-13/2015-09"),  # no month 13: not a period, left alone
    ],
)
def test_period_words(text, words):
    assert period_words(text) == words


def test_period_words_leaves_what_is_not_text_alone():
    assert period_words(None) is None and period_words(2017) == 2017


def test_every_group_and_measure_of_the_ledger_has_words(ledger):
    assert set(ledger.figures["group"]) <= set(GROUP_WORDS)
    assert set(ledger.figures["measure"]) <= set(MEASURE_WORDS)
    for words in (*GROUP_WORDS.values(), *MEASURE_WORDS.values()):
        assert "_" not in words
    # the four groups the reports count keep their labels (charts follow GROUP_LABELS' order)
    assert {k: GROUP_WORDS[k] for k in GROUP_LABELS} == GROUP_LABELS
    assert GROUP_WORDS["looked_after"] == "looked-after children"
    assert MEASURE_WORDS["went_missing_one_in_n"] == "recorded as missing, one in N"


def test_every_official_figure_has_words():
    from helpers.nonresponse.frame import AUXILIARIES

    assert set(AUXILIARIES) == set(OFFICIAL_WORDS)
    assert OFFICIAL_WORDS["cla_at_31_march"] == "children in care on 31 March"
    assert all("_" not in words and "cla" not in words.lower() for words in OFFICIAL_WORDS.values())
