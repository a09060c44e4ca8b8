"""How councils that did not answer the FOI requests could move the published figures.

Imports only :mod:`helpers.ledger` and :mod:`helpers.stats`.

    frame       council_frame, response_table: every council, and which answered
    bounds      item_bounds, unit_bounds: what no assumption allows
    scenarios   scenario_councils, MECHANISMS: synthetic councils under MCAR, MAR and MNAR; dfe_logit_sd:
                their spread on the logit scale, DfE's measured one by default
    estimators  respondents-only, weighting class, ratio, IPW and MICE estimates
    tipping     report_conclusions: the conclusions a report draws, each with its one-sided tipping share
    two_sided   two_sided_table, tipping_surface: both rates of a comparison moving, item and unit
                together; all_council_rate: a rate over every council at a silent share
    where_children_are  child_distribution, silent_child_share: the silent share of children (not councils)
                from DfE council counts: range, random-silence percentiles, size tilt
    evalues     selection_evalue, evalue_table, contrast_intervals: selection-bias E-values (Smith and
                VanderWeele 2019), at the estimate and at the interval limit
    bias_analysis  bias_analysis, tornado, widened, prior_table: a bias-adjusted interval for every headline
                rate and the probability each conclusion holds, from stated priors (probabilistic bias analysis)
    dfe_evalues dfe_year_evalues: the E-value against DfE's rate under both DfE years a round overlaps
    simulation  simulate: the estimators' bias, RMSE and coverage, with MCSEs, on synthetic councils;
                simulation_summary, mnar_gap: the numbers the findings rest on
    report      nonresponse_table, scenario_setup: all of the above for one report
"""

import lazy_loader

# Names load on first use, so `import helpers.X.module` stays as fast as that one module.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "frame": ["auxiliary_table", "compare_answering", "council_frame", "official_comparison", "response_table"],
        "bounds": ["item_bounds", "unit_bounds"],
        "scenarios": [
            "MECHANISMS",
            "between_council_spread",
            "check_mechanisms",
            "check_response_rate",
            "check_strengths",
            "council_logit_noise",
            "dfe_logit_sd",
            "legacy_logit_sd",
            "model_inputs",
            "scenario_councils",
            "scenario_name",
        ],
        "tipping": ["report_conclusions"],
        "two_sided": [
            "all_council_rate",
            "check_fraction",
            "gap_needed",
            "one_accounting",
            "report_child_shares",
            "silent_shares",
            "tipping_surface",
            "two_sided_table",
            "two_sided_threshold",
        ],
        "where_children_are": ["child_distribution", "probability_holds", "share_range", "silent_child_share"],
        "evalues": ["CITATION", "contrast_intervals", "evalue_table", "risk_ratio_interval", "selection_evalue"],
        "dfe_evalues": ["dfe_year_evalues", "dfe_year_matters"],
        "estimators": ["IMPUTATIONS", "check_imputations"],
        "bias_analysis": ["bias_analysis", "dfe_priors", "prior_table", "tornado", "widened"],
        "simulation": [
            "calibration_targets",
            "check_n_sims",
            "mnar_gap",
            "mar_repair",
            "scenario_list",
            "simulate",
            "simulation_summary",
        ],
        "report": ["check_seeds", "nonresponse_table", "scenario_setup"],
    },
)
