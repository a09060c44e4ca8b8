"""Edges of helpers/stats/comparisons.py (and its words, helpers/present/comparison_words.py) on a small synthetic ledger (made-up counts, not any report's).

Intervals and p-values are recomputed with statsmodels' two-sample functions called directly; the
readable tables and sentences are checked word for word.
"""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats import proportion as smp

from helpers.present.comparison_words import display_benchmark, display_comparisons, other_figures, report_findings
from helpers.stats.comparisons import (
    COMPARISON_COLUMNS,
    report_comparisons,
    split_benchmark,
    with_between_report_interval,
)
from helpers.stats.report_view import report_view


def comparisons(ledger, report_id, alpha=0.05):
    """report_comparisons of one report, its view built as a notebook builds it."""
    return report_comparisons(ledger, report_view(ledger.figures, report_id, alpha))


COLS = ["figure_id", "report_id", "version", "group", "measure", "period", "geography", "value"]


def _pair(report, group, period, missing, in_care, version="single"):
    key = f"{report}-{version}-{group}-{period}"
    return [
        (key + "-m", report, version, group, "went_missing", period, "UK", missing),
        (key + "-c", report, version, group, "in_care", period, "UK", in_care),
    ]


ROWS = (
    _pair("p0", "trafficked", "2017", 5, 50)
    + _pair("p0", "exploited", "2017", 2, 40)
    + _pair("p1", "trafficked", "2019", 20, 100)
    + _pair("p1", "unaccompanied", "2019", 10, 100)
    + _pair("p2", "trafficked", "2021", 30, 100)
    + _pair("p2", "unaccompanied", "2021", 15, 150)
    + _pair("p2", "trafficked", "2020", 25, 90)
    + _pair("p3", "exploited", "2023", 3, 30, version="alt")
    # a later report's row in the previous report's headline period is not the previous report's
    + _pair("p3", "trafficked", "2019", 1, 10, version="alt")
)
FIGURES = pd.DataFrame([dict(zip(COLS, r)) for r in ROWS]).assign(
    discrepancy_id=None, qualifier=None, source_id="s", unit="children"
)
REPORTS = pd.DataFrame(
    {
        # listed out of order: the series order decides which report is previous
        "report_id": ["p2", "p0", "p3", "p1"],
        "title": ["Second", "Zeroth", "Third", "First"],
        "series_order": [2, 0, 3, 1],
        "headline_period": ["2021", "2017", "2023", "2019"],
    }
)
NATIONAL = pd.DataFrame(
    {
        "year": [2021, 2021, 2023, 2023],
        "measure": ["children_missing", "cla_during_year"] * 2,
        "value": [100, 1000, 90, 1000],
    }
)


def ledger(national=True):
    tables = {"figures": FIGURES, "reports": REPORTS} | ({"england_national": NATIONAL} if national else {})
    return SimpleNamespace(figures=FIGURES, reports=REPORTS, england_national=NATIONAL, tables=tables)


def expected(kind, first, x1, n1, second, x2, n2, group, hypothesis, alpha=0.05):
    low, high = smp.confint_proportions_2indep(x2, n2, x1, n1, method="newcomb", compare="diff", alpha=alpha)
    p = smp.test_proportions_2indep(x2, n2, x1, n1, method="score", compare="diff").pvalue
    if kind == "against the previous report":
        p = np.nan  # different councils: no sampling-only p-value
    return [kind, first, x1, n1, second, x2, n2, x1 / n1, x2 / n2, x2 / n2 - x1 / n1, low, high, p, group, hypothesis]


def check_rows(table, rows):
    assert list(table.columns) == COMPARISON_COLUMNS
    assert len(table) == len(rows)
    for got, want in zip(table.itertuples(index=False), rows):
        assert list(got)[:7] == want[:7]
        assert list(got)[7:13] == pytest.approx(want[7:13], rel=1e-9, nan_ok=True)
        assert list(got)[13:] == want[13:]


@pytest.mark.parametrize("alpha", [0.05, 0.2])
def test_every_kind_of_comparison_with_statsmodels_values(alpha):
    table = comparisons(ledger(), "p2", alpha)
    dfe = "all looked-after children, England (DfE year to March 2021)"
    check_rows(
        table,
        [
            expected(
                "trafficked against unaccompanied",
                "unaccompanied (UASC), 2021",
                15,
                150,
                "trafficked, 2021",
                30,
                100,
                "trafficked",
                "trafficked against unaccompanied | p2, unaccompanied, 2021 | p2, trafficked, 2021",
                alpha,
            ),
            expected(
                "year against year",
                "trafficked, 2020",
                25,
                90,
                "trafficked, 2021",
                30,
                100,
                "trafficked",
                "year against year | p2, trafficked, 2020 | p2, trafficked, 2021",
                alpha,
            ),
            expected(
                "against the previous report",
                "First: trafficked, 2019",
                20,
                100,
                "Second: trafficked, 2021",
                30,
                100,
                "trafficked",
                "against the previous report | p1, trafficked, 2019 | p2, trafficked, 2021",
                alpha,
            ),
            expected(
                "against the previous report",
                "First: unaccompanied (UASC), 2019",
                10,
                100,
                "Second: unaccompanied (UASC), 2021",
                15,
                150,
                "unaccompanied",
                "against the previous report | p1, unaccompanied, 2019 | p2, unaccompanied, 2021",
                alpha,
            ),
            expected(
                "against all looked-after children in England",
                dfe,
                100,
                1000,
                "trafficked, 2021",
                30,
                100,
                "trafficked",
                f"against all looked-after children in England | dfe, {dfe}, 2021 | p2, trafficked, 2021",
                alpha,
            ),
            expected(
                "against all looked-after children in England",
                dfe,
                100,
                1000,
                "unaccompanied (UASC), 2021",
                15,
                150,
                "unaccompanied",
                f"against all looked-after children in England | dfe, {dfe}, 2021 | p2, unaccompanied, 2021",
                alpha,
            ),
        ],
    )


def test_a_previous_report_without_the_group_is_passed_over_and_versions_are_named():
    table = comparisons(ledger(national=False), "p3")
    check_rows(
        table,
        [
            expected(
                "against the previous report",
                "Zeroth: exploited (companion), 2017",
                2,
                40,
                "Third: exploited (companion), 2023, alt",
                3,
                30,
                "exploited",
                "against the previous report | p0, exploited, 2017 | p3, exploited, 2023",
            )
        ],
    )


def test_the_first_report_has_no_previous_and_no_dfe_year():
    table = comparisons(ledger(), "p0")
    assert list(table.columns) == COMPARISON_COLUMNS
    assert table.empty  # trafficked and exploited are not the pair compared; DfE holds no 2017


def test_split_benchmark_keeps_order_and_resets_the_index():
    tests, bench = split_benchmark(comparisons(ledger(), "p2"))
    assert list(tests.index) == [0, 1, 2, 3] and list(bench.index) == [0, 1]
    assert list(tests.columns) == COMPARISON_COLUMNS and list(bench.columns) == COMPARISON_COLUMNS
    assert list(bench["second"]) == ["trafficked, 2021", "unaccompanied (UASC), 2021"]
    assert "against all looked-after children in England" not in set(tests["comparison"])


def test_between_report_interval_is_left_empty_without_previous_report_rows():
    tests, _ = split_benchmark(comparisons(ledger(), "p2"))
    same = tests[tests["comparison"] != "against the previous report"]
    out = with_between_report_interval(same, ledger(), report_view(ledger().figures, "p2"))
    assert out["ci_low_reports"].isna().all() and out["ci_high_reports"].isna().all()
    assert out["ci_low_reports"].dtype == float and out["ci_high_reports"].dtype == float
    assert list(out.columns) == COMPARISON_COLUMNS + ["ci_low_reports", "ci_high_reports"]
    assert "ci_low_reports" not in same.columns  # the input is not changed


# ---------------------------------------------------------------- readable tables

TABLE = pd.DataFrame(
    {
        "comparison": ["k1", "k2"],
        "first": ["A", "C"],
        "x1": [1234, 5],
        "n1": [5000, 10],
        "second": ["B", "D"],
        "x2": [30, 6],
        "n2": [100, 10],
        "rate1": [0.2468, 0.5],
        "rate2": [0.3, 0.6],
        "difference": [0.0532, 0.1],
        "ci_low": [-0.0123, 0.09],
        "ci_high": [0.1234, 0.2],
        "p_value": [0.0004, 0.001],
    }
)


def test_display_comparisons_word_for_word():
    shown = display_comparisons(TABLE)
    assert shown.to_dict("list") == {
        "comparison": ["k1", "k2"],
        "first": ["A: 1,234 of 5,000 = 24.7%", "C: 5 of 10 = 50.0%"],
        "second": ["B: 30 of 100 = 30.0%", "D: 6 of 10 = 60.0%"],
        "difference (points)": ["+5.3", "+10.0"],
        "95% CI (sampling only), points": ["-1.2 to +12.3", "+9.0 to +20.0"],
        "p-value": ["<0.001", "0.001"],
    }
    assert list(display_comparisons(TABLE, alpha=0.1).columns)[4] == "90% CI (sampling only), points"
    between = display_comparisons(TABLE.assign(comparison=["against the previous report", "k2"], p_holm=[0.5, 0.5]))
    assert list(between["p-value"]) == ["none: different councils", "0.001"]
    assert list(between["p-value, Holm-adjusted"]) == ["none: different councils", "0.500"]
    # nor a sampling-only interval: the councils differ between reports
    assert list(between["95% CI (sampling only), points"]) == ["not shown: different councils", "+9.0 to +20.0"]


def test_display_comparisons_with_holm_and_between_report_columns():
    table = TABLE.assign(p_holm=[np.nan, 0.5], ci_low_reports=[np.nan, -0.05], ci_high_reports=[np.nan, 0.25])
    shown = display_comparisons(table)
    assert list(shown["p-value, Holm-adjusted"]) == ["-", "0.500"]
    assert list(shown["95% CI (random effects, t on k−2 df), points"]) == ["-", "-5.0 to +25.0"]
    shown = display_comparisons(table, alpha=0.2)
    assert list(shown.columns)[-1] == "80% CI (random effects, t on k−2 df), points"
    # an all-empty between-report column is not shown
    shown = display_comparisons(TABLE.assign(ci_low_reports=np.nan, ci_high_reports=np.nan))
    assert list(shown.columns) == [
        "comparison",
        "first",
        "second",
        "difference (points)",
        "95% CI (sampling only), points",
        "p-value",
    ]


def test_display_benchmark_word_for_word():
    bench = pd.DataFrame({"second": ["g"], "rate1": [0.112], "rate2": [0.37], "difference": [0.258]})
    assert display_benchmark(bench).to_dict("list") == {
        "group in the report": ["g"],
        "report rate": ["37%"],
        "DfE (England, all looked-after children)": ["11%"],
        "difference (points)": ["+26"],
        "times the DfE rate": ["about 3.3"],
    }


# ---------------------------------------------------------------- report_findings

HEADLINES = pd.DataFrame(
    {
        "report_id": ["r", "r", "r", "r"],
        "version": ["single", "alt", "single", "single"],
        "group": ["trafficked", "trafficked_or_unaccompanied", "trafficked", "trafficked"],
        "period": ["2020", "2020", "2019", "2020"],
        "measure": ["went_missing", "went_missing", "went_missing", "not_found"],
        "numerator": [1234, 30, 1, 1],
        "denominator": [5000, 100, 2, 2],
        "rate": [0.2468, 0.3, 0.5, 0.5],
        "ci_low": [0.235, 0.2123, 0.1, 0.1],
        "ci_high": [0.259, 0.4, 0.9, 0.9],
        "deff_low": [1.1, 2.0, 2.0, 2.0],
        "deff_high": [1.234, 2.0, 2.0, 2.0],
        "sens_low_deff_implied": [0.2, np.nan, np.nan, np.nan],
        "sens_high_deff_implied": [0.3, np.nan, np.nan, np.nan],
        "sens_low_deff_3": [0.19, 0.1, np.nan, np.nan],
        "sens_high_deff_3": [0.31, 0.5, np.nan, np.nan],
        "comparability": ["", "", "", "different_council_set"],
    }
)
TESTS = pd.DataFrame(
    {
        "comparison": ["trafficked against unaccompanied", "trafficked against unaccompanied", "x", "y"],
        "first": ["unaccompanied", "u2", "old", "older"],
        "second": ["trafficked", "t2", "new", "newer"],
        "difference": [0.1234, -0.05, 0.06, 0.2],
        "ci_low": [0.05, -0.1, 0.0, 0.1],
        "ci_high": [0.2, 0.0, 0.1, 0.3],
        "p_holm": [0.0001, np.nan, np.nan, np.nan],
        "ci_low_reports": [np.nan, np.nan, 0.0, 0.09],
        "ci_high_reports": [np.nan, np.nan, 0.12, 0.4],
    }
)


def test_report_findings_every_sentence_at_90_percent():
    bench = pd.DataFrame({"rate1": [0.1, 0.1], "rate2": [0.3, 0.36]})
    lines = report_findings(HEADLINES, TESTS, bench, 2020, alpha=0.1)
    assert lines == [
        "Trafficked, 2020: 1,234 of 5,000 were recorded by their council as missing (24.7%; 90% CI (sampling "
        "only) 23.5% to 25.9%; design effect 1.10–1.23 derived from DfE's council data (assumed, not measured), "
        "sensitivity interval (design effect 1.23) 20.0% to 30.0%; sensitivity interval (design effect 3) 19.0% to "
        "31.0%).",
        "Trafficked or UASC, 2020, alt: 30 of 100 were recorded by their council as missing (30.0%; 90% CI "
        "(sampling only) 21.2% to 40.0%; sensitivity interval (design effect 3) 10.0% to 50.0%). "
        "This counts places in either group and may count a child twice: an upper bound.",
        "Trafficked against unaccompanied: +12.3 points (90% CI (sampling only) +5.0 to +20.0, treating the "
        "groups as independent; Holm-adjusted p <0.001).",
        "T2 against u2: -5.0 points (90% CI (sampling only) -10.0 to +0.0, treating the groups as independent).",
        "New against old: +6.0 points; allowing for the variation between reports the 90% CI (random effects, "
        "t on k−2 df) runs from +0.0 to +12.0 and includes no change.",
        "Newer against older: +20.0 points; allowing for the variation between reports the 90% CI (random "
        "effects, t on k−2 df) runs from +9.0 to +40.0 and excludes no change.",
        "Against all looked-after children in England (DfE), the report's rates are between about 3.0 and 3.6 "
        "times DfE's; a contrast between different populations (DfE's count includes the report's children who "
        "were in English care), and council definitions of missing and absent vary, so no test is applied.",
        "1 published share(s) divide counts from different sets of councils and cannot be computed.",
    ]


def test_report_findings_without_optional_columns():
    headlines = HEADLINES[["report_id", "version", "group", "period", "measure", "numerator", "denominator"]]
    headlines = headlines.assign(rate=HEADLINES["rate"], ci_low=HEADLINES["ci_low"], ci_high=HEADLINES["ci_high"])
    headlines = headlines.iloc[[0]]
    tests = TESTS.drop(columns=["p_holm", "ci_low_reports", "ci_high_reports"]).iloc[[0]]
    bench = pd.DataFrame({"rate1": [0.1, 0.1], "rate2": [0.301, 0.304]})
    lines = report_findings(headlines, tests, bench, "2020")
    assert lines[0] == (
        "Trafficked, 2020: 1,234 of 5,000 were recorded by their council as missing (24.7%; 95% CI (sampling only) "
        "23.5% to 25.9%)."
    )
    assert lines[1].endswith("treating the groups as independent).")
    assert lines[2].startswith(
        "Against all looked-after children in England (DfE), the report's rates are about 3.0 times"
    )
    assert len(lines) == 3
    assert report_findings(headlines, tests.iloc[:0], bench.iloc[:0], "2019") == []


# ---------------------------------------------------------------- other_figures


def test_other_figures_shows_what_is_not_a_rate_word_for_word():
    extra = pd.DataFrame(
        [
            (
                "e1",
                "p2",
                "single",
                "trafficked",
                "episodes",
                "2021",
                "UK",
                1234.5,
                None,
                "more_than",
                "s9",
                "episodes_per_child",
            ),
            ("e2", "p2", "alt", "trafficked", "returned_home", "2021", "UK", np.nan, "D4", None, "s8", "children"),
            ("e3", "p2", "single", "trafficked", "went_missing_pct", "2021", "UK", 30.0, None, None, "s", "percent"),
            ("e4", "p2", "single", "exploited", "not_found_pct", "2021", "UK", 12.0, None, None, "s7", "percent"),
            ("e5", "p2", "single", "trafficked", "councils_asked", "2021", "UK", 200.0, None, None, "s", "councils"),
        ],
        columns=COLS + ["discrepancy_id", "qualifier", "source_id", "unit"],
    )
    figures = pd.concat([FIGURES, extra], ignore_index=True)
    shown = other_figures(SimpleNamespace(figures=figures), report_view(figures, "p2"))
    assert shown.to_dict("list") == {
        "version": ["as published", "alt", "as published"],
        "group": ["trafficked", "trafficked", "exploited"],
        "measure": ["episodes", "returned home", "share never found"],
        "period": ["2021"] * 3,
        "geography": ["UK"] * 3,
        "value": ["1,234.5 (more than)", "no published figure", "12"],
        "unit": ["episodes per child", "children", "percent"],
        "source": ["s9", "s8", "s7"],
        "discrepancy": ["-", "D4", "-"],
    }


def test_other_figures_words_a_gap_as_the_presentation_layer_does():
    from helpers.present import NO_FIGURE as PRESENT_WORD
    from helpers.present.comparison_words import NO_FIGURE

    assert NO_FIGURE == PRESENT_WORD == "no published figure"


def test_order_of_appearance_decides_the_order_of_comparisons():
    rows = (
        _pair("q", "unaccompanied", "2021", 10, 100)
        + _pair("q", "trafficked", "2021", 20, 100)
        + _pair("q", "unaccompanied", "2020", 12, 100)
        + _pair("q", "trafficked", "2020", 25, 100)
        + _pair("q", "other", "2021", 1, 10)
        + _pair("q", "other", "2020", 2, 10)
    )
    figures = pd.DataFrame([dict(zip(COLS, r)) for r in rows]).assign(
        discrepancy_id=None, qualifier=None, source_id="s", unit="children"
    )
    reports = pd.DataFrame({"report_id": ["q"], "title": ["Q"], "series_order": [1], "headline_period": ["2021"]})
    ledger = SimpleNamespace(figures=figures, reports=reports, tables={})
    table = comparisons(ledger, "q")
    assert table[["comparison", "first", "second"]].values.tolist() == [
        ["trafficked against unaccompanied", "unaccompanied (UASC), 2021", "trafficked, 2021"],
        ["trafficked against unaccompanied", "unaccompanied (UASC), 2020", "trafficked, 2020"],
        ["year against year", "unaccompanied (UASC), 2020", "unaccompanied (UASC), 2021"],
        ["year against year", "trafficked, 2020", "trafficked, 2021"],
        ["year against year", "other, 2020", "other, 2021"],  # a group without a label keeps its id
    ]


def test_holm_adjust_edges():
    from helpers.stats.comparisons import holm_adjust

    # no p-values at all: the column is still added, as floats
    out = holm_adjust(pd.DataFrame({"p_value": [np.nan, np.nan]}))
    assert list(out.columns) == ["p_value", "p_holm"] and out["p_holm"].isna().all() and out["p_holm"].dtype == float
    # without a hypothesis column each row is its own hypothesis, whatever the index
    table = pd.DataFrame({"p_value": [0.04, np.nan, 0.01]}, index=[7, 3, 5])
    out = holm_adjust(table)
    assert out["p_holm"].tolist()[::2] == pytest.approx([0.04, 0.02]) and np.isnan(out["p_holm"].tolist()[1])
    assert out["p_holm"].dtype == float


def test_findings_edges_zero_as_an_upper_limit_and_no_flagged_pairs():
    tests = TESTS.iloc[[2]].assign(ci_low_reports=[-0.1], ci_high_reports=[0.0])
    headlines = HEADLINES.assign(comparability="")
    lines = report_findings(headlines, tests, pd.DataFrame(), "2019")
    assert lines[-1].endswith("runs from -10.0 to +0.0 and includes no change.")
    assert not any("published share(s)" in line for line in lines)


def test_display_benchmark_rounds_whole_points():
    bench = pd.DataFrame({"second": ["g"], "rate1": [0.1], "rate2": [0.7], "difference": [0.6]})
    assert display_benchmark(bench)["difference (points)"].tolist() == ["+60"]


def test_between_report_interval_at_another_level_on_the_ledger(ledger):
    from helpers.stats.random_effects import between_report_variance, risk_difference_between_reports

    view = report_view(ledger.figures, "until-harm-ends", 0.2)
    tests, _ = split_benchmark(report_comparisons(ledger, view))
    out = with_between_report_interval(tests, ledger, view)
    rows = out[out["ci_low_reports"].notna()]
    assert len(rows) > 0
    variance = between_report_variance(ledger.figures, ledger.reports, sorted(set(rows["group"])))
    for r in rows.itertuples():
        tau2, df = variance[r.group]
        _, low, high = risk_difference_between_reports(r.x1, r.n1, r.x2, r.n2, tau2, df, 0.2)
        assert (r.ci_low_reports, r.ci_high_reports) == pytest.approx((low, high))


def test_findings_and_table_give_the_p_value_at_the_implied_design_effects():
    from helpers.present.comparison_words import design_effect_p_sentences, display_comparisons

    tests = pd.DataFrame(
        {
            "comparison": ["trafficked against unaccompanied", "year against year", "against the previous report"],
            "first": ["unaccompanied", "unaccompanied (UASC), 2018", "old"],
            "second": ["trafficked", "unaccompanied (UASC), 2020", "new"],
            "x1": [10, 708, 1],
            "n1": [100, 4749, 2],
            "x2": [30, 692, 1],
            "n2": [100, 5263, 2],
            "rate1": [0.1, 708 / 4749, 0.5],
            "rate2": [0.3, 692 / 5263, 0.5],
            "difference": [0.2, 692 / 5263 - 708 / 4749, 0.0],
            "ci_low": [0.1, -0.03, -0.5],
            "ci_high": [0.3, -0.004, 0.5],
            "p_value": [0.0002, 0.0112, np.nan],
            "p_deff_low": [0.0004, 0.0300, np.nan],
            "p_deff_high": [0.002, 0.109, np.nan],
            "deff_first": ["2.41–3.44", "1.36–2.83", ""],
            "deff_second": ["1.41–1.69", "1.37–2.18", ""],
            "p_deff_basis": ["councils answering", "the series' 141 to 217 councils stand in", ""],
        }
    )
    assert design_effect_p_sentences(tests) == [
        "Unaccompanied (UASC), 2020 against unaccompanied (UASC), 2018 (year against year, one FOI round): -1.8 "
        "points, p 0.011 treating the children as independent; p 0.030 to 0.109 if the councils differ as much as "
        "DfE's do (design effects 1.36–2.83 and 1.37–2.18, derived from DfE's council data, not measured; the "
        "series' 141 to 217 councils stand in)."
    ]
    shown = display_comparisons(tests)
    column = "p-value at the design effects DfE's councils imply (derived, not measured)"
    assert shown[column].tolist() == [
        "<0.001 to 0.002 (d 2.41–3.44 and 1.41–1.69)",
        "0.030 to 0.109 (d 1.36–2.83 and 1.37–2.18)",
        "-",
    ]
    lines = report_findings(HEADLINES.iloc[:0], tests, pd.DataFrame(), 2020)
    assert lines[0].endswith("; p <0.001 to 0.002 at the design effects DfE's councils imply).")
    assert lines[1] == design_effect_p_sentences(tests)[0]
