"""Invariants of the statistics core, tried on many generated inputs (hypothesis).

Example counts are kept small and deadlines off so the whole file runs in a few seconds.
"""

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.claims.check import check_claims
from helpers.nonresponse.bounds import manski_bounds, unit_bounds
from helpers.nonresponse.evalues import selection_evalue
from helpers.nonresponse.tipping import smallest_overturning_share
from helpers.nonresponse.two_sided import all_council_rate, gap_needed, two_sided_threshold
from helpers.stats.clustering import design_effect
from helpers.stats.rates import wilson_interval
from helpers.stats.rounding import is_consistent

FEW = settings(max_examples=40, deadline=None)
unit = st.floats(0, 1, allow_nan=False)


@st.composite
def count_of(draw, low_n=1, high_n=10**6):
    n = draw(st.integers(low_n, high_n))
    return draw(st.integers(0, n)), n


@FEW
@given(count_of(), st.floats(0.001, 0.5))
def test_wilson_interval_contains_its_rate_and_stays_in_zero_one(xn, alpha):
    x, n = xn
    low, high = (float(v) for v in wilson_interval(x, n, alpha))
    assert 0 <= low <= high <= 1
    assert low - 1e-12 <= x / n <= high + 1e-12


@FEW
@given(count_of(), st.floats(0.01, 0.2))
def test_a_wider_level_gives_a_wider_wilson_interval(xn, alpha):
    x, n = xn
    narrow = wilson_interval(x, n, 2 * alpha)
    wide = wilson_interval(x, n, alpha)
    assert wide[0] <= narrow[0] + 1e-12 and narrow[1] <= wide[1] + 1e-12


@st.composite
def item_counts(draw):
    counted = draw(st.integers(1, 10**5))
    answered = draw(st.integers(1, counted))
    return draw(st.integers(0, answered)), answered, counted


@FEW
@given(item_counts())
def test_manski_bounds_contain_the_respondents_only_rate(counts):
    low, high, respondents = manski_bounds(*counts)
    assert 0 <= low <= respondents <= high <= 1
    m, a, n = counts
    assert high - low == (n - a) / n or abs(high - low - (n - a) / n) < 1e-12  # the width is the unknown share


@FEW
@given(unit, unit)
def test_unit_bounds_contain_the_answering_rate_and_have_the_silent_share_as_width(rate, share):
    low, high = unit_bounds(rate, share)
    assert 0 <= low <= high <= 1 + 1e-12
    assert low - 1e-12 <= rate * (1 - share) <= high + 1e-12
    assert abs((high - low) - share) < 1e-12


@FEW
@given(st.floats(0.01, 0.9), st.floats(0.0, 0.5), st.floats(0.0, 0.5), st.floats(0.05, 1.0))
def test_the_tipping_threshold_falls_as_the_gap_grows(comparator, gap1, gap2, share):
    small, large = sorted((gap1, gap2))
    r_small, r_large = min(comparator + small, 1.0), min(comparator + large, 1.0)
    # a larger observed rate (a wider gap over the comparator) needs a lower rate in the silent councils
    assert (
        gap_needed(r_large, comparator, share, comparator_moves=False)
        <= gap_needed(r_small, comparator, share, comparator_moves=False) + 1e-12
    )
    # and only a larger share of silent councils could overturn it
    assert smallest_overturning_share(r_small, comparator) <= smallest_overturning_share(r_large, comparator) + 1e-12


@FEW
@given(st.floats(0.01, 0.9), st.floats(0.001, 0.5))
def test_at_the_smallest_overturning_share_the_silent_councils_need_a_rate_of_zero(comparator, gap):
    observed = min(comparator + gap, 1.0)
    s = smallest_overturning_share(observed, comparator)
    assert abs(float(gap_needed(observed, comparator, s, comparator_moves=False))) < 1e-9


def _stated(a, b, places, rounding):
    """a/b as a per cent, rounded by the decimal module (not the checker) and written with `places` decimals."""
    exact = Decimal(100) * Decimal(a) / Decimal(b)
    return str(exact.quantize(Decimal(1).scaleb(-places), rounding=rounding))


@FEW
@given(count_of(1, 10**5), st.integers(0, 3), st.sampled_from([ROUND_HALF_UP, ROUND_HALF_EVEN]))
def test_a_claim_restated_with_its_own_rounding_stays_consistent(xn, places, rounding):
    a, b = xn
    stated = _stated(a, b, places, rounding)
    claims = pd.DataFrame(
        [["c1", "proportion", str(a), str(b), stated, ""], ["c2", "proportion", str(a), str(b), stated, "about"]],
        columns=["claim_id", "kind", "a", "b", "stated", "qualifier"],
    )
    verdicts = check_claims(claims)
    assert list(verdicts["verdict"]) == ["consistent", "consistent"]
    # one step away at the same precision is consistent only at an exact tie (half-up against half-even)
    exact = Fraction(100 * a, b)
    step = Fraction(1, 10**places)
    other = Fraction(stated) + (step if Fraction(stated) < 100 else -step)
    text = f"{float(other):.{places}f}"  # a multiple of 10^-places: the float prints it exactly
    assert is_consistent("proportion", exact, text, "exact") == (abs(exact - other) == step / 2)


@FEW
@given(st.integers(1, 10**4), st.integers(0, 10**4))
def test_a_consistent_total_is_consistent_with_every_looser_qualifier(a, b):
    stated = f"{a + b}"
    for qualifier in ("exact", "about", "at_least"):
        assert is_consistent("total", np.int64(a + b), stated, qualifier)


@FEW
@given(unit, unit, st.floats(0.0, 0.5), st.booleans())
def test_two_sided_threshold_rises_with_the_observed_rate_and_falls_with_the_comparator(a, b, step, moves):
    # a wider published gap needs a larger silent share to overturn it, from either side
    s = two_sided_threshold(a, b, moves)
    assert 0.0 <= s <= 1.0
    assert s <= two_sided_threshold(min(a + step, 1.0), b, moves) + 1e-12
    assert two_sided_threshold(a, max(b - step, 0.0), moves) + 1e-12 >= s
    if a <= b:
        assert s == 0.0


@FEW
@given(st.floats(0.01, 1.0), st.floats(0.0, 0.99), st.floats(0.001, 0.999), st.booleans())
def test_at_the_two_sided_threshold_the_worst_silent_rates_close_the_gap(a, b, share, moves):
    # at s*, the silent councils' worst rates (0 for the observed group, 1 for the comparator, or the
    # census rate held fixed) make the all-council rates equal: s* is where the conclusion tips
    if a <= b:
        return
    s = two_sided_threshold(a, b, moves)
    worst_b = all_council_rate(b, s, 1.0) if moves else b
    assert abs(all_council_rate(a, s, 0.0) - worst_b) < 1e-9
    # and the gap the silent councils need is the per-share form of that arithmetic
    expected = (1 - share) * (a - b) / share if moves else (b - (1 - share) * a) / share
    assert abs(float(gap_needed(a, b, share, moves)) - expected) < 1e-9 * max(1.0, abs(expected))


@FEW
@given(st.floats(1.0, 1e6), st.floats(0.0, 10.0), st.sampled_from([2, 4]))
def test_evalues_are_one_at_no_effect_and_rise_with_the_risk_ratio(rr, step, parameters):
    assert float(selection_evalue(1.0, parameters)) == 1.0
    bigger = rr * (1 + step)
    assert float(selection_evalue(rr, parameters)) <= float(selection_evalue(bigger, parameters)) + 1e-9
    # a risk ratio below 1 has the E-value of its inverse
    inverse, direct = float(selection_evalue(1 / rr, parameters)), float(selection_evalue(rr, parameters))
    assert abs(inverse - direct) < 1e-9 * direct
    # and the two-parameter E-value is RR + sqrt(RR (RR - 1)) (Smith and VanderWeele 2019)
    if parameters == 2:
        assert abs(float(selection_evalue(rr)) - (rr + (rr * (rr - 1)) ** 0.5)) < 1e-9 * rr


@FEW
@given(st.floats(0.0, 1.0), st.floats(1.0, 1e4), st.floats(0.0, 5.0))
def test_design_effect_is_one_without_correlation_or_with_clusters_of_one(icc, size, cv2):
    assert design_effect(0.0, size, cv2) == 1.0
    assert design_effect(icc, 1.0) == 1.0
    # and it never falls below 1, rising with the correlation
    assert 1.0 <= design_effect(icc / 2, size, cv2) <= design_effect(icc, size, cv2) + 1e-12
