"""Backtests: the rebuilt figures against the published ones (our ground truth).

For every published numerator/denominator pair in the ledger, the rebuilt rate rounds to the published
percentage, or the disagreement is recorded in the ledger as a known discrepancy.
"""

import pytest

from helpers.stats.rates import headline_table


@pytest.fixture(scope="module")
def headlines(ledger):
    return headline_table(ledger.figures)


def test_every_pair_rounds_to_its_published_percentage_or_is_a_known_discrepancy(headlines):
    mismatched = headlines[headlines["rounds_to_published"] == False]  # noqa: E712
    unexplained = mismatched[mismatched["discrepancy_id"] == ""]
    assert unexplained.empty, unexplained[
        ["report_id", "version", "group", "numerator", "denominator", "published_pct"]
    ]


def test_the_known_mismatches_are_the_documented_ones(headlines):
    mismatched = headlines[headlines["rounds_to_published"] == False]  # noqa: E712
    found = {(r.report_id, r.version, r.group, r.numerator, r.denominator) for r in mismatched.itertuples()}
    assert ("until-harm-ends", "independent", "trafficked", 864, 2638) in found
    assert ("until-harm-ends", "independent", "unaccompanied", 1501, 12530) in found
    assert ("when-harm-remains", "single", "unaccompanied", 708, 4749) in found
    assert ("until-harm-ends", "guardian", "trafficked", 864, 2335) not in found


def row(headlines, report, version, group, measure="went_missing"):
    r = headlines[
        (headlines.report_id == report)
        & (headlines.version == version)
        & (headlines.group == group)
        & (headlines.measure == measure)
    ]
    assert len(r) >= 1, (report, version, group)
    return r.iloc[0]


@pytest.mark.parametrize(
    ("report", "version", "group", "num", "den", "pct"),
    [
        ("heading-back-to-harm", "single", "trafficked", 167, 590, 28),
        ("heading-back-to-harm", "single", "unaccompanied", 593, 4744, 13),
        ("still-in-harms-way", "original", "trafficked", 246, 1015, 24),
        ("still-in-harms-way", "revised", "trafficked", 244, 910, 27),
        ("still-in-harms-way", "original", "unaccompanied", 729, 4765, 15),
        ("still-in-harms-way", "revised", "unaccompanied", 742, 4963, 15),
        ("when-harm-remains", "single", "trafficked", 378, 1231, 31),
        ("until-harm-ends", "guardian", "trafficked", 864, 2335, 37),
        ("until-harm-ends", "guardian", "unaccompanied", 1501, 11999, 13),
        ("exploited-looked-after-children", "single", "exploited", 1468, 3033, 48),
    ],
)
def test_headline_pairs_match_publication(headlines, report, version, group, num, den, pct):
    r = row(headlines, report, version, group)
    assert (r.numerator, r.denominator) == (num, den)
    assert r.published_pct == pct
    assert r.rounds_to_published


def test_until_harm_ends_trafficked_wilson_interval(headlines):
    r = row(headlines, "until-harm-ends", "guardian", "trafficked")
    assert r.rate == pytest.approx(864 / 2335)
    assert round(r.rate, 3) == 0.370
    assert (round(r.ci_low, 3), round(r.ci_high, 3)) == (0.351, 0.390)


def test_heading_back_to_harm_tie_is_consistent(headlines):
    # 593 of 4,744 is exactly 12.5%: published as 13%, which half-up rounding gives.
    r = row(headlines, "heading-back-to-harm", "single", "unaccompanied")
    assert r.rate == 0.125 and bool(r.rounds_to_published)
