"""Edges of helpers/stats/rates.py that mutation testing found untested.

Every expected value is computed here by hand (the Wilson formula with scipy's normal quantile, the
Pearson chi-squared by a loop), never read back from the helper under test.
"""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from helpers.ledger.errors import ParameterError
from helpers.stats.rates import (
    HEADLINE_COLUMNS,
    check_alpha,
    headline_table,
    period_year,
    rounds_to,
    wilson_interval,
)


def wilson_by_hand(x, n, alpha=0.05):
    """Textbook Wilson score interval; works for non-integer x and n (effective sample sizes)."""
    z = norm.ppf(1 - alpha / 2)
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


# ---------------------------------------------------------------- wilson_interval / check_alpha


def test_wilson_default_alpha_is_95_percent():
    low, high = wilson_interval(30, 120)
    assert (float(low), float(high)) == pytest.approx(wilson_by_hand(30, 120, 0.05), abs=1e-12)


def test_wilson_takes_arrays():
    low, high = wilson_interval([1, 5], [10, 10], 0.2)
    assert list(low) == pytest.approx([wilson_by_hand(1, 10, 0.2)[0], wilson_by_hand(5, 10, 0.2)[0]], abs=1e-12)
    assert list(high) == pytest.approx([wilson_by_hand(1, 10, 0.2)[1], wilson_by_hand(5, 10, 0.2)[1]], abs=1e-12)


@pytest.mark.parametrize("alpha", [1e-9, 0.5, 0.999999])
def test_alpha_just_inside_zero_one_is_accepted_as_a_float(alpha):
    assert check_alpha(alpha) == alpha and isinstance(check_alpha(alpha), float)


@pytest.mark.parametrize("alpha", [True, False, 1.0, 0.0, 1.5, float("nan")])
def test_alpha_booleans_and_the_ends_are_rejected_naming_the_value(alpha):
    with pytest.raises(
        ParameterError, match=r"strictly between 0 and 1 \(e\.g\. 0\.05 for 95% intervals\); got "
    ) as err:
        check_alpha(alpha)
    assert str(err.value).endswith(repr(alpha))


def test_wilson_refuses_a_bad_alpha():
    with pytest.raises(ParameterError, match="strictly between 0 and 1"):
        wilson_interval(1, 2, 2)


# ---------------------------------------------------------------- period_year / rounds_to


def test_period_year_message_names_the_period():
    with pytest.raises(ParameterError, match=r"^period 'spring' holds no four-digit year$"):
        period_year("spring")
    assert period_year(2019) == 2019
    assert period_year("2014/15 to 2016/17 (2017)") == 2017  # the last four-digit year counts


@pytest.mark.parametrize("qualifier", [None, "", float("nan"), "exact"])
def test_rounds_to_reads_an_empty_or_missing_qualifier_as_exact(qualifier):
    assert rounds_to(864, 2335, 37, qualifier)  # 37.002%
    assert not rounds_to(864, 2335, 38, qualifier)


def test_rounds_to_with_qualifiers_other_than_nearly():
    assert rounds_to(30, 120, 24, "more_than")  # 25% > 24%
    assert not rounds_to(30, 120, 25, "more_than")
    assert rounds_to(30, 120, 25, "at_least")
    assert rounds_to(30, 120, 26, "less_than")
    assert rounds_to(np.int64(1), np.int64(3), 33.3)  # numpy counts, one decimal: 33.33...%


# ---------------------------------------------------------------- headline_table

COLS = ["figure_id", "report_id", "version", "group", "measure", "period", "geography", "value"]
COLS += ["discrepancy_id", "source_id", "qualifier"]


def frame(rows, **extra):
    out = pd.DataFrame([dict(zip(COLS, r)) for r in rows], columns=COLS)
    return out.assign(**extra)


ROWS = [
    # report r, 2020: 30 of 120 went missing, 9 of those 30 not found; published 25% and "about 30%"
    ("m", "r", "single", "all", "went_missing", "2019/2020", "UK", 30.0, None, "s1", None),
    ("c", "r", "single", "all", "in_care", "2019/2020", "UK", 120.0, "D1", "s2", None),
    ("mp", "r", "single", "all", "went_missing_pct", "2019/2020", "UK", 25.0, "D2", "s1", None),
    ("nf", "r", "single", "all", "not_found", "2019/2020", "UK", 9.0, None, "s1", None),
    ("nfp", "r", "single", "all", "not_found_pct", "2019/2020", "UK", 30.0, None, "s3", "about"),
    # report q: 5 of 40, no published percentage
    ("qm", "q", "v1", "uasc", "went_missing", "2018", "England", 5.0, None, "s4", None),
    ("qc", "q", "v1", "uasc", "in_care", "2018", "England", 40.0, None, "s4", None),
]


def test_headline_table_columns_and_every_value_by_hand():
    table = headline_table(frame(ROWS))
    assert list(table.columns) == HEADLINE_COLUMNS
    assert list(table.index) == [0, 1, 2]
    # went_missing rows first (both reports, in ledger order), then not_found
    assert list(table["report_id"]) == ["r", "q", "r"]
    assert list(table["measure"]) == ["went_missing", "went_missing", "not_found"]
    assert list(table["version"]) == ["single", "v1", "single"]
    assert list(table["group"]) == ["all", "uasc", "all"]
    assert list(table["period"]) == ["2019/2020", "2018", "2019/2020"]
    assert list(table["year"]) == [2020, 2018, 2020]
    assert list(table["geography"]) == ["UK", "England", "UK"]
    assert list(table["numerator"]) == [30, 5, 9] and list(table["denominator"]) == [120, 40, 30]
    assert list(table["rate"]) == [0.25, 0.125, 0.3]
    for row, (x, n) in zip(table.itertuples(), [(30, 120), (5, 40), (9, 30)]):
        assert (row.ci_low, row.ci_high) == pytest.approx(wilson_by_hand(x, n, 0.05), abs=1e-12)
    assert table["published_pct"].iloc[0] == 25 and pd.isna(table["published_pct"].iloc[1])
    assert table["published_pct"].iloc[2] == 30
    assert table["published_qualifier"].iloc[2] == "about"
    assert [None if pd.isna(v) else bool(v) for v in table["rounds_to_published"]] == [True, None, True]
    assert str(table["rounds_to_published"].dtype) == "boolean"
    # discrepancies of the numerator, the denominator and the published percentage, sorted and joined
    assert list(table["discrepancy_id"]) == ["D1;D2", "", ""]
    assert list(table["numerator_figure_id"]) == ["m", "qm", "nf"]
    assert list(table["denominator_figure_id"]) == ["c", "qc", "m"]
    assert list(table["source_ids"]) == ["s1;s2", "s4", "s1;s3"]
    assert list(table["comparability"]) == ["", "", ""]


@pytest.mark.parametrize("alpha", [0.1, 0.01])
def test_headline_table_non_default_alpha(alpha):
    table = headline_table(frame(ROWS), alpha=alpha)
    for row, (x, n) in zip(table.itertuples(), [(30, 120), (5, 40), (9, 30)]):
        assert (row.ci_low, row.ci_high) == pytest.approx(wilson_by_hand(x, n, alpha), abs=1e-12)


def test_headline_table_refuses_a_bad_alpha_even_when_empty():
    with pytest.raises(ParameterError, match="alpha"):
        headline_table(frame(ROWS[:1]), alpha=0)


def test_headline_table_of_one_report():
    table = headline_table(frame(ROWS), report_id="q")
    assert list(table["numerator_figure_id"]) == ["qm"]
    empty = headline_table(frame(ROWS), report_id="none")
    assert empty.empty and list(empty.columns) == HEADLINE_COLUMNS


def test_a_published_percentage_that_does_not_round_is_false():
    rows = [r if r[0] != "mp" else r[:7] + (26.0,) + r[8:] for r in ROWS]
    table = headline_table(frame(rows))
    assert bool(table["rounds_to_published"].iloc[0]) is False


def test_a_qualified_published_percentage_is_read_with_its_qualifier():
    # 25% stated as "nearly 26%": true only with the qualifier (25 >= 0.9 * 26 = 23.4)
    rows = [r if r[0] != "mp" else r[:7] + (26.0, None, "s1", "nearly") for r in ROWS]
    table = headline_table(frame(rows))
    assert table["published_qualifier"].iloc[0] == "nearly" and bool(table["rounds_to_published"].iloc[0])


def test_the_comparability_column_blanks_the_interval_of_either_count():
    figures = frame(ROWS, comparability=["", "", "", "different_council_set", "", "", ""])
    table = headline_table(figures)
    assert list(table["comparability"]) == ["", "", "different_council_set"]
    blank = table.iloc[2]
    assert all(pd.isna(blank[c]) for c in ["ci_low", "ci_high"])
    assert blank["rate"] == 0.3  # the rate stays: only the interval goes
    # the flag on a denominator counts too: "m" is the not-found denominator
    figures = frame(ROWS, comparability=["different_council_set", "", "", "", "", "", ""])
    assert list(headline_table(figures)["comparability"]) == ["different_council_set", "", "different_council_set"]
    # a missing value in the column means comparable
    figures = frame(ROWS, comparability=[None] * 7)
    assert list(headline_table(figures)["comparability"]) == ["", "", ""]


def test_without_the_column_no_report_is_flagged_by_name():
    """The flag is data (figures.comparability): without the column no pair is singled out by its report."""
    rows = [(f, "heading-back-to-harm", *rest) for f, _, *rest in ROWS]
    table = headline_table(frame(rows))
    assert list(table["comparability"]) == ["", "", ""]
    assert table["ci_low"].isna().tolist() == [False, False, False]


def test_headline_counts_are_whole_numbers_and_discrepancies_are_not_repeated():
    rows = [r if r[0] != "mp" else r[:8] + ("D1;D3",) + r[9:] for r in ROWS]
    rows = [r if r[0] != "m" else r[:8] + ("D3",) + r[9:] for r in rows]
    table = headline_table(frame(rows))
    assert table["numerator"].dtype == "int64" and table["denominator"].dtype == "int64"
    assert table["discrepancy_id"].iloc[0] == "D1;D3"
    assert table["discrepancy_id"].iloc[2] == "D3"  # the not-found share's denominator is m
