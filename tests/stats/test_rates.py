"""Rate and interval helpers, checked against hand arithmetic and an independent formula."""

import math

import pandas as pd
import pytest
from scipy.stats import norm

from helpers.ledger.errors import ParameterError
from helpers.stats.rates import check_alpha, headline_table, period_year, rounds_to, wilson_interval


def wilson_by_hand(x, n, alpha=0.05):
    z = norm.ppf(1 - alpha / 2)
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


@pytest.mark.parametrize(("x", "n"), [(864, 2335), (167, 590), (0, 20), (20, 20), (3, 7)])
@pytest.mark.parametrize("alpha", [0.05, 0.1, 0.01])
def test_wilson_matches_the_textbook_formula(x, n, alpha):
    low, high = wilson_interval(x, n, alpha)
    exp_low, exp_high = wilson_by_hand(x, n, alpha)
    assert float(low) == pytest.approx(exp_low, abs=1e-12)
    assert float(high) == pytest.approx(exp_high, abs=1e-12)
    assert 0 <= low <= x / n <= high + 1e-12 and high <= 1


def test_wilson_for_until_harm_ends():
    low, high = wilson_interval(864, 2335)
    assert (round(float(low), 3), round(float(high), 3)) == (0.351, 0.390)


@pytest.mark.parametrize("alpha", [0, 1, -0.1, "0.05", None])
def test_alpha_outside_zero_one_is_rejected(alpha):
    with pytest.raises(ParameterError, match="strictly between 0 and 1"):
        check_alpha(alpha)


def test_period_year():
    assert period_year("2014-09/2015-09") == 2015
    assert period_year("2020") == 2020
    assert period_year("2018/2020") == 2020
    with pytest.raises(ParameterError):
        period_year("last year")


def test_rounds_to_published_precision():
    assert rounds_to(864, 2335, 37)  # 37.002%
    assert not rounds_to(864, 2638, 37)  # 32.75%
    assert rounds_to(593, 4744, 12) and rounds_to(593, 4744, 13)  # exactly 12.5%
    assert not rounds_to(708, 4749, 14)  # 14.91%
    assert rounds_to(708, 4749, 14.9)
    assert rounds_to(190, 975, 20, "nearly")  # 19.5% is "almost 20%"
    assert not rounds_to(169, 986, 20, "nearly")  # 17.1% is not


def figures_frame(rows):
    cols = [
        "figure_id",
        "report_id",
        "version",
        "group",
        "measure",
        "period",
        "geography",
        "value",
        "discrepancy_id",
        "source_id",
    ]
    frame = pd.DataFrame([dict(zip(cols, r)) for r in rows], columns=cols)
    return frame.assign(qualifier=None)


def test_headline_table_pairs_counts_and_prefers_agreed_values():
    figures = figures_frame(
        [
            ("m", "r", "single", "trafficked", "went_missing", "2020", "UK", 30.0, None, "s1"),
            ("c", "r", "single", "trafficked", "in_care", "2020", "UK", 120.0, None, "s1"),
            ("c-typo", "r", "single", "trafficked", "in_care", "2020", "UK", 210.0, "D9", "s2"),
            ("p", "r", "single", "trafficked", "went_missing_pct", "2020", "UK", 25.0, None, "s1"),
            ("m2", "r", "single", "trafficked", "went_missing", "2019", "UK", 10.0, None, "s1"),  # no denominator
        ]
    )
    table = headline_table(figures)
    assert len(table) == 1
    r = table.iloc[0]
    assert (r.numerator, r.denominator, r.rate) == (30, 120, 0.25)
    assert r.published_pct == 25 and bool(r.rounds_to_published)
    assert r.denominator_figure_id == "c"
    assert r.discrepancy_id == ""


def test_headline_table_for_an_unknown_report_is_empty():
    figures = figures_frame([("m", "r", "single", "trafficked", "went_missing", "2020", "UK", 3.0, None, "s")])
    assert headline_table(figures, "nope").empty
