"""Statistics on the ledger's figures: rates, intervals, comparisons and trend models.

Imports only :mod:`helpers.ledger`.

    rounding        computed_value, is_consistent: exact arithmetic of a published figure
    rates           headline_table, wilson_interval, check_alpha
    report_view     ReportView, report_view: one report's headline table built once, and its views
    clustering      council_icc, council_spread, design_effect, with_sensitivity: councils as a design-effect range
    comparisons     report_comparisons, holm_adjust: reports against each other and DfE
    dfe_years       dfe_year_table: a ratio to DfE under both DfE years a round overlaps
    series          report_series, england_baseline, incident_models: the series year by year
    trends          compare_proportions and statsmodels count models (Poisson, negative binomial)
    random_effects  fit_meta_regression, trend_table, leave_one_out: the trend across reports
    heterogeneity   q_profile: Q-profile intervals for tau² and I²
    bayes           slope_posterior: grid posterior of the trend over tau, half-normal prior
    series_data     series_data, SeriesData: every report's counts and versions laid out for the series model
    series_model    fit_series_model, headline_quantities: the series as one Bayesian model (NumPyro NUTS)
    series_laplace  laplace_gap_trend: the same model by grid and Laplace steps, the sampler's cross-check
    series_design   fifth_report_chances, detectable_trend: what one or two more reports could settle
    trend_summary   points_per_year, design_effect_trend, bayes_table, identification_growth, trend_evidence
"""

import lazy_loader

# Names load on first use, so `import helpers.X.module` stays as fast as that one module.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "rounding": ["computed_value", "is_consistent"],
        "rates": ["check_alpha", "headline_table", "wilson_interval"],
        "report_view": ["ReportView", "report_view"],
        "clustering": [
            "SENSITIVITY_DEFFS",
            "council_icc",
            "council_size_cv2",
            "council_spread",
            "council_spread_by_year",
            "deff_label",
            "design_effect",
            "design_effect_curve",
            "design_effect_interval",
            "design_effects_at_spreads",
            "dispersion_by_size",
            "fit_beta_binomial",
            "fit_logit_normal",
            "icc_at_rate",
            "implied_design_effects",
            "overlapping_dfe_years",
            "p_value_at_design_effects",
            "series_councils",
            "with_design_effect_p",
            "with_sensitivity",
        ],
        "comparisons": [
            "holm_adjust",
            "row_label",
            "report_comparisons",
            "split_benchmark",
            "with_between_report_interval",
        ],
        "dfe_years": ["YEAR_CHOICE_MATTERS", "dfe_rates", "dfe_year_table"],
        "series": [
            "ENGLAND_LABEL",
            "SERIES_GROUPS",
            "england_baseline",
            "incident_models",
            "incident_residuals",
            "nrm_alongside",
            "report_series",
            "sign_runs",
        ],
        "trends": ["compare_proportions"],
        "heterogeneity": ["generalised_q", "q_profile", "typical_variance"],
        "bayes": ["slope_posterior"],
        "series_data": ["SeriesData", "default_series_data", "implied_row_deffs", "series_data", "silent_shares"],
        "series_model": [
            "SamplerSettings",
            "SamplingError",
            "SeriesPriors",
            "fit_series_model",
            "headline_quantities",
            "leave_one_report_out",
            "posterior_predictive",
            "prior_sensitivity",
            "version_weights",
        ],
        "series_laplace": ["laplace_gap_trend"],
        "series_design": ["detectable_trend", "fifth_report_chances", "gap_variances"],
        "trend_summary": [
            "RISE_PRIOR_SCALES",
            "TrendEvidence",
            "trend_evidence",
            "bayes_table",
            "design_effect_trend",
            "heterogeneity_table",
            "identification_growth",
            "points_per_year",
        ],
        "random_effects": [
            "ONE_ROUND_CHOICES",
            "TAU2_METHODS",
            "fit_meta_regression",
            "leave_one_out",
            "one_row_per_round",
            "ratio_against_first",
            "trend_models",
            "trend_table",
        ],
    },
)
