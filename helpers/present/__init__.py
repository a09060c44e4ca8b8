"""What a reader sees: labels, tables, charts, findings in words, the glossary and the site.

Imports every layer but :mod:`helpers.run`.

    labels                source links and labels, report headings, discrepancies in words
    escape                html_text, md_text, safe_url: data text shown, never run (HTML, Markdown, links)
    tables                readable_table and COLUMN_WORDS: the one formatter of every displayed table
    plots                 the chart theme, rate_chart, assert_readable, plain_log_axis
    figure_output         charts as PNGs at twice their pixels with alt text (chart_alt_text)
    key_chart             the key chart: the series and the companion study side by side
    reports               per-report views: context, versions side by side, display_rates
    comparison_words      display_comparisons, display_benchmark, display_sensitivity, report_findings,
                          other_figures: the report notebook's comparisons in tables and sentences
    findings              key_findings, findings_markdown: the series' findings in words
    claims_report         the claim verdicts as tables and a chart
    nonresponse_findings  findings_in_words, holds_if, show_table, simulation_table: non-response results for readers
    simulation_words      simulation_findings, mar_repair_words, coverage_words, mnar_coverage_words,
                          mechanism_summary_words: the simulation study in sentences (synthetic councils)
    spread_words          spread_table, spread_sentence, spread_sensitivity_table: the synthetic councils' spread
    nonresponse_plots     estimator_chart, tipping_chart, tipping_contour, simulation_chart
    bias_analysis_words   bias_analysis_findings, tornado_chart, bias_adjusted_rows, beside_the_sliders: the
                          bias-adjusted intervals, the probability each conclusion holds, the priors and the
                          tornado, for readers (and for the explorer, beside its sliders)
    dfe_year_words        dfe_year_sentences, dfe_evalue_sentence: ratios to DfE under both DfE years
    glossary              TERMS, term_link, link_terms (link the first use of given terms in a text)
    trend_words           ratio_sentence, trend_lead, trend_findings: the trend in sentences
    trend_charts          grouped_ratio_chart: trend estimates per group at a few categories
    series_charts         series_sentence, gap_trend_chart, fifth_report_chart, detectable_chart: the series model
    intervals             interval_name, coverage: the name of every kind of interval at any alpha
    teaching              worked numbers for the methods notebook and exercises
    site                  the Sphinx book of the executed notebooks (make site), the key chart
    table_data            table_data: a displayed table as numbers, for the book's CSV downloads
    explore               the explorer's choices, headline, silent-council sliders and trend, widget-free
"""

import lazy_loader

# Names load on first use, so `import helpers.X.module` stays as fast as that one module.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "labels": [
            "discrepancy_markdown",
            "report_heading",
            "sources_markdown",
            "source_link",
            "source_labels",
            "version_label",
            "version_labels",
            "with_version_labels",
        ],
        "plots": ["assert_readable", "plain_log_axis", "rate_chart", "year_line"],
        "escape": ["html_text", "md_text", "safe_url"],
        "figure_output": ["chart_alt_text", "register_figure_formatter"],
        "table_data": ["table_data"],
        "tables": ["COLUMN_WORDS", "Table", "code_labels", "header_words", "readable_table"],
        "key_chart": ["key_chart", "key_chart_table"],
        "reports": [
            "GROUP_LABELS",
            "NO_FIGURE",
            "discrepancies_for",
            "display_rates",
            "report_context",
            "series_overview",
            "short_titles",
            "versions_side_by_side",
        ],
        "comparison_words": [
            "deff_range_text",
            "design_effect_p_sentences",
            "display_benchmark",
            "display_comparisons",
            "display_sensitivity",
            "other_figures",
            "report_findings",
        ],
        "findings": ["findings_markdown", "key_findings", "latest_rates"],
        "claims_report": [
            "claim_count_facts",
            "claims_sentence",
            "claims_table",
            "closing_paragraph",
            "count_copies_once",
            "impact_lines",
            "inconsistent_claims",
            "stated_vs_computed_chart",
            "verdict_counts",
            "verdicts_by",
            "with_sources",
        ],
        "nonresponse_findings": [
            "findings_in_words",
            "holds_if",
            "show_table",
            "simulation_table",
            "with_holds_if",
            "with_tipping_notes",
        ],
        "simulation_words": [
            "coverage_words",
            "mar_repair_words",
            "mechanism_summary_words",
            "mnar_coverage_words",
            "simulation_findings",
        ],
        "spread_words": ["spread_sensitivity_table", "spread_sentence", "spread_table"],
        "nonresponse_plots": ["estimator_chart", "simulation_chart", "tipping_chart", "tipping_contour"],
        "bias_analysis_words": [
            "beside_the_sliders",
            "bias_adjusted_rows",
            "bias_analysis_findings",
            "conclusion_interval_table",
            "headline_interval_table",
            "prior_words_table",
            "tornado_chart",
            "tornado_words_table",
            "widened_words_table",
        ],
        "dfe_year_words": ["dfe_evalue_sentence", "dfe_year_sentences"],
        "glossary": ["TERMS", "glossary_anchors", "term_link", "link_terms"],
        "intervals": ["INTERVAL_KINDS", "coverage", "interval_name"],
        "trend_words": ["ratio_sentence", "trend_findings", "trend_lead"],
        "series_charts": [
            "detectable_chart",
            "fifth_report_chart",
            "gap_trend_chart",
            "parameter_labels",
            "quantity_labels",
            "series_sentence",
        ],
        "trend_charts": ["combination_labels", "group_palette", "grouped_ratio_chart"],
        "teaching": ["claim_counts", "points_and_per_cent"],
        "explore": [
            "analysis_at",
            "BiasAnalyses",
            "bias_words",
            "bias_words_html",
            "build_bias_analysis",
            "conclusions_under",
            "figure_svg",
            "glossary_section",
            "group_choices",
            "headline_rows",
            "headline_view",
            "LiveOnly",
            "needed_gap",
            "no_assumption_share",
            "nothing_to_show",
            "rates_view",
            "report_choices",
            "sampling_label",
            "silent_inputs",
            "silent_rates_chart",
            "snap",
            "parse_percent",
            "tipping_in_words",
            "trend_choices",
            "trend_view",
            "version_choices",
            "view_heading",
        ],
    },
)
