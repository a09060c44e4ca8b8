"""Ratios to DfE under both DfE years, in words (helpers/present/dfe_year_words.py)."""

from __future__ import annotations

from helpers.nonresponse.dfe_evalues import dfe_year_evalues, dfe_year_matters
from helpers.present.dfe_year_words import dfe_evalue_sentence, dfe_year_sentences
from helpers.stats.dfe_years import dfe_rates, dfe_year_table
from helpers.stats.report_view import report_view


def sentences(ledger, report_id):
    view = report_view(ledger.figures, report_id)
    return dfe_year_sentences(dfe_year_table(view.went_missing, dfe_rates(ledger.england_national)))


def test_heading_back_to_harm_shows_both_years(ledger):
    text = sentences(ledger, "heading-back-to-harm")
    assert len(text) == 2  # trafficked and unaccompanied
    assert "about 4.6 times DfE's rate for the year to March 2015 (6.2%)" in text[0]
    assert "about 3.3 times DfE's rate for the year to March 2016 (8.6%)" in text[0]
    assert "moves the ratio by 28%" in text[0] and "(01_glossary.ipynb#dfe-year)" in text[0]


def test_one_year_where_the_choice_moves_less_than_ten_per_cent_or_is_not_held(ledger):
    (still,) = sentences(ledger, "still-in-harms-way")
    assert "would move no ratio by more than 10% (at most 6%)" in still
    (latest,) = sentences(ledger, "until-harm-ends")
    assert "year to March 2025, which the ledger does not hold yet" in latest


def test_e_value_sentence_gives_both_years(ledger):
    table = dfe_year_evalues(ledger, report_view(ledger.figures, "heading-back-to-harm"))
    text = dfe_evalue_sentence(table, dfe_year_matters(table))
    assert "4.6 times DfE's and its [E-value](01_glossary.ipynb#e-value) is 8.66" in text
    assert "it is 3.3 times and the E-value 6.04" in text and "so both are shown" in text


def test_report_findings_add_the_next_year_where_it_moves_the_ratios(ledger):
    from helpers.present.comparison_words import report_findings
    from helpers.stats.comparisons import report_comparisons, split_benchmark
    from helpers.stats.rates import headline_table
    from helpers.stats.report_view import report_view

    tests, benchmark = split_benchmark(report_comparisons(ledger, report_view(ledger.figures, "heading-back-to-harm")))
    headlines = headline_table(ledger.figures, "heading-back-to-harm")
    years = dfe_year_table(headlines[headlines["measure"] == "went_missing"], dfe_rates(ledger.england_national))
    (line,) = [s for s in report_findings(headlines, tests, benchmark, "2014-09/2015-09", 0.05, years) if "DfE" in s]
    # 12.5% and 28.3% over DfE 2015 (6.2%): 2.0 and 4.6; over DfE 2016 (8.6%): 1.5 and 3.3
    assert "between about 2.0 and 4.6 times DfE's (against DfE's next year" in line
    assert "2 of them move by more than 10%, to between about 1.5 and 3.3 times)" in line
    (without,) = [s for s in report_findings(headlines, tests, benchmark, "2014-09/2015-09") if "DfE" in s]
    assert "next year" not in without
