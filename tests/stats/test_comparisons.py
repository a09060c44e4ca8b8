"""Comparisons recomputed from the ledger, checked against hand arithmetic and statsmodels directly."""

import pytest
from statsmodels.stats.proportion import confint_proportions_2indep

from helpers.stats.comparisons import report_comparisons
from helpers.stats.report_view import report_view


def test_when_harm_remains_uasc_2018_against_2020(ledger):
    table = report_comparisons(ledger, report_view(ledger.figures, "when-harm-remains"))
    row = table[table["comparison"] == "year against year"].iloc[0]
    assert (row.x1, row.n1, row.x2, row.n2) == (708, 4749, 692, 5263)
    assert row.difference == pytest.approx(692 / 5263 - 708 / 4749)
    low, high = confint_proportions_2indep(692, 5263, 708, 4749, method="newcomb", compare="diff")
    assert (row.ci_low, row.ci_high) == (pytest.approx(low), pytest.approx(high))
    assert row.ci_low < row.difference < row.ci_high < 0  # the 2020 rate is lower


def test_trafficked_against_unaccompanied_and_previous_report(ledger):
    table = report_comparisons(ledger, report_view(ledger.figures, "until-harm-ends"))
    groups = table[table["comparison"] == "trafficked against unaccompanied"]
    assert set(zip(groups.x2, groups.n2)) == {(864, 2335), (864, 2638)}
    previous = table[table["comparison"] == "against the previous report"]
    assert (378, 1231) in set(zip(previous.x1, previous.n1))  # When Harm Remains, the last report before
    # Different councils answered each report: no sampling-only p-value between reports.
    assert previous["p_value"].isna().all() and groups["p_value"].notna().all()
    # The guardian and independent versions of one comparison are one hypothesis.
    assert groups["hypothesis"].nunique() == 1


def test_holm_counts_two_versions_of_one_comparison_once():
    import pandas as pd

    from helpers.stats.comparisons import holm_adjust

    table = pd.DataFrame({"p_value": [0.01, 0.02, 0.03], "hypothesis": ["a", "a", "b"]})
    # Two hypotheses: a with the larger of its p-values 0.02, b 0.03. Holm: 0.02 x 2 = 0.04, then
    # max(0.04, 0.03 x 1) = 0.04. Both rows of a show 0.04.
    out = holm_adjust(table)["p_holm"]
    assert list(out) == pytest.approx([0.04, 0.04, 0.04])
    # Counted as three hypotheses instead the first would be 0.03, so the grouping changes the answer.
    assert holm_adjust(table.drop(columns="hypothesis"))["p_holm"].iloc[0] == pytest.approx(0.03)


def test_holm_with_real_versions_at_a_non_default_alpha(ledger):
    from helpers.present.comparison_words import display_comparisons
    from helpers.stats.comparisons import holm_adjust

    table = holm_adjust(report_comparisons(ledger, report_view(ledger.figures, "until-harm-ends", 0.1)))
    shown = display_comparisons(table, alpha=0.1)
    assert "90% CI (sampling only), points" in shown.columns
    between = shown[table["comparison"] == "against the previous report"]
    assert (between["p-value"] == "none: different councils").all()


def test_against_england_uses_the_dfe_year_ending_in_the_same_year(ledger):
    table = report_comparisons(ledger, report_view(ledger.figures, "until-harm-ends"))
    england = table[table["comparison"] == "against all looked-after children in England"]
    # DfE 2024: 13,010 of 116,420 children looked after during the year had a missing incident.
    assert set(zip(england.x1, england.n1)) == {(13010, 116420)}
    assert len(england) == 4  # two groups in two versions


def test_first_report_has_no_previous_report(ledger):
    table = report_comparisons(ledger, report_view(ledger.figures, "heading-back-to-harm"))
    assert "against the previous report" not in set(table["comparison"])


def test_holm_adjustment_by_hand():
    import pandas as pd

    from helpers.stats.comparisons import holm_adjust

    table = pd.DataFrame({"p_value": [0.01, 0.04, 0.03, float("nan")]})
    # Holm: sort 0.01, 0.03, 0.04; multiply by 3, 2, 1; running maximum; cap at 1.
    out = holm_adjust(table)["p_holm"]
    assert list(out[:3]) == pytest.approx([0.03, 0.06, 0.06]) and out.isna().iloc[3]


def test_benchmark_is_split_off_and_shown_without_tests(ledger):
    from helpers.present.comparison_words import display_benchmark
    from helpers.stats.comparisons import split_benchmark

    tests, benchmark = split_benchmark(report_comparisons(ledger, report_view(ledger.figures, "until-harm-ends")))
    assert "against all looked-after children in England" not in set(tests["comparison"]) and len(benchmark) == 4
    shown = display_benchmark(benchmark)
    assert not any("p" == c[:1] for c in shown.columns)
    row = shown[shown["group in the report"] == "trafficked, 2024, councils answering each question (Guardian)"].iloc[0]
    # 864/2,335 = 37.0%, DfE 13,010/116,420 = 11.2%: +26 points, 3.3 times.
    assert (row["report rate"], row["difference (points)"], row["times the DfE rate"]) == ("37%", "+26", "about 3.3")


def test_report_findings_sentences(ledger):
    from helpers.present.comparison_words import report_findings
    from helpers.stats.clustering import design_effect_interval, with_sensitivity
    from helpers.stats.comparisons import holm_adjust, split_benchmark
    from helpers.stats.rates import headline_table

    headlines = with_sensitivity(
        headline_table(ledger.figures, "heading-back-to-harm"), ledger.figures, ledger.council_years
    )
    tests, benchmark = split_benchmark(report_comparisons(ledger, report_view(ledger.figures, "heading-back-to-harm")))
    lines = report_findings(headlines, holm_adjust(tests), benchmark, "2014-09/2015-09")
    assert lines[0].startswith(
        "Trafficked, Sep 2014 to Sep 2015: 167 of 590 were recorded by their council as missing (28.3%; "
        "95% CI (sampling only) 24.8% to 32.1%; design effect 1.11–1.24 derived from DfE's council data (assumed, "
        "not measured), sensitivity interval (design effect 1.24)"
    )
    low, high = design_effect_interval(167, 590, 3.0)
    assert f"sensitivity interval (design effect 3) {float(low):.1%} to {float(high):.1%})." in lines[0]
    assert any("definitions of missing and absent vary" in line for line in lines)
    assert any("treating the groups as independent" in line for line in lines)
    assert lines[-1] == "1 published share(s) divide counts from different sets of councils and cannot be computed."


def test_findings_state_changes_between_reports_with_their_interval(ledger):
    from helpers.present.comparison_words import report_findings
    from helpers.stats.comparisons import holm_adjust, split_benchmark, with_between_report_interval

    view = report_view(ledger.figures, "until-harm-ends")
    tests, benchmark = split_benchmark(report_comparisons(ledger, view))
    tests = with_between_report_interval(holm_adjust(tests), ledger, view)
    lines = report_findings(view.headlines, tests, benchmark, "2024")
    change = [line for line in lines if "allowing for the variation between reports" in line]
    assert len(change) == 4 and all(line.endswith("includes no change.") for line in change)
    assert change[0].startswith(
        "Until Harm Ends: trafficked, 2024, councils answering each question (Guardian) against When Harm Remains: trafficked, 2020: +6.3 points"
    )


def test_report_findings_name_versions_by_their_readable_labels(ledger):
    from helpers.present.comparison_words import report_findings
    from helpers.stats.comparisons import holm_adjust, split_benchmark
    from helpers.stats.rates import headline_table

    headlines = headline_table(ledger.figures, "until-harm-ends")
    tests, benchmark = split_benchmark(report_comparisons(ledger, report_view(ledger.figures, "until-harm-ends")))
    lines = report_findings(headlines, holm_adjust(tests), benchmark, "2024")
    # 864 / 2,335 = 37.0%
    assert lines[0].startswith(
        "Trafficked, 2024, councils answering each question (Guardian): 864 of 2,335 were recorded by "
        "their council as missing (37.0%; 95% CI (sampling only) 35.1% to 39.0%"
    )
    assert not any("guardian version" in line for line in lines)
