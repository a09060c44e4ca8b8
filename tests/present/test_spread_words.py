"""helpers.present.spread_words: the synthetic councils' spread and the design effects it implies, in words."""

import pandas as pd

from helpers.present.spread_words import spread_sensitivity_table, spread_sentence, spread_table

TABLE = pd.DataFrame(
    {
        "report_id": ["r"] * 4,
        "version": ["single"] * 4,
        "group": ["trafficked", "trafficked", "unaccompanied", "unaccompanied"],
        "period": ["2024"] * 4,
        "year": [2024] * 4,
        "rate": [0.37, 0.37, 0.125, 0.125],
        "mean_size": [17.3, 17.3, 85.1, 85.1],
        "spread": ["DfE's", "old", "DfE's", "old"],
        "logit_sd": [0.302, 0.470, 0.302, 0.470],
        "icc": [0.0205, 0.047, 0.0100, 0.024],
        "deff": [1.526, 2.208, 2.847, 5.473],
    }
)


def test_spread_table_one_column_per_spread():
    shown = spread_table(TABLE)
    assert list(shown.columns) == [
        "children",
        "children per council",
        "design effect at σ = 0.30 (DfE's)",
        "design effect at σ = 0.47 (old)",
    ]
    assert shown.iloc[1].tolist() == ["unaccompanied (UASC), 2024", "85.1", "2.85", "5.47"]


def test_spread_sentence_pairs_the_two_design_effects():
    text = spread_sentence(TABLE, {"DfE's": 0.302, "old": 0.470}, 2024)
    assert "a standard deviation of 0.30 on the logit scale" in text and "they spread by 0.47" in text
    assert "trafficked, 2024: 1.53, against 2.21 with the old spread" in text
    assert "unaccompanied (UASC), 2024: 2.85, against 5.47 with the old spread" in text
    # No council count: the spreads alone.
    alone = spread_sentence(TABLE.iloc[:0], {"DfE's": 0.302, "old": 0.470}, 2015)
    assert alone.endswith("plus fresh noise of the same size).") and "March 2015" in alone


def test_spread_sensitivity_table_sets_the_two_runs_side_by_side():
    now = pd.DataFrame(
        {
            "scenario": ["MCAR", "MCAR"],
            "estimator": ["respondents_only", "mice"],
            "bias": [0.001, 0.004],
            "bias_mcse": [0.0005, 0.001],
            "coverage": [0.95, 0.99],
        }
    )
    old = now.iloc[:1].assign(bias=-0.002, coverage=0.931)
    now.attrs["logit_sd"], old.attrs["logit_sd"] = 0.302, 0.470
    shown = spread_sensitivity_table(now, old)
    assert len(shown) == 1  # MICE did not run at the old spread
    assert shown.iloc[0].tolist() == [
        "MCAR (synthetic councils)",
        "respondents only",
        "+0.10 (0.05)",
        "-0.20 (0.05)",
        "95.0%",
        "93.1%",
    ]
    assert list(shown.columns)[2:] == [
        "bias at σ = 0.30, points (MCSE)",
        "bias at σ = 0.47, points (MCSE)",
        "coverage at σ = 0.30",
        "coverage at σ = 0.47",
    ]
