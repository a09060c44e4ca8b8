"""Non-response: bounds against hand arithmetic, estimators on known synthetic frames, the CLI, seeds."""

from __future__ import annotations

import csv
import io
import shutil

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from ipw_oracle import ipw_statsmodels

from helpers.ledger.errors import ParameterError
from helpers.ledger.paths import DATA_DIR
from helpers.ledger.tables import rehash
from helpers.nonresponse import estimators as est
from helpers.nonresponse.bounds import item_bounds, manski_bounds, unit_bounds
from helpers.nonresponse.frame import answering_councils, council_frame, response_table
from helpers.nonresponse.report import nonresponse_table
from helpers.nonresponse.scenarios import (
    check_answering,
    check_response_rate,
    gumbel_top_k,
    model_inputs,
    scenario_councils,
)
from helpers.nonresponse.simulation import check_n_sims, simulate
from helpers.nonresponse.tipping import report_conclusions, smallest_overturning_share
from helpers.nonresponse.two_sided import gap_needed
from helpers.stats.report_view import report_view


@pytest.fixture(scope="module")
def inputs(ledger):
    return model_inputs(council_frame(ledger.councils, ledger.council_years, 2024))


# --- bounds ---------------------------------------------------------------------------------------


def test_item_bounds_of_until_harm_ends_match_hand_arithmetic(ledger):
    b = item_bounds(ledger.figures, "until-harm-ends").set_index("group")
    t = b.loc["trafficked"]
    assert (t["went_missing"], t["answered"], t["counted"], t["unknown"]) == (864, 2335, 2638, 303)
    assert t["low"] == pytest.approx(864 / 2638) and round(t["low"], 3) == 0.328
    assert t["high"] == pytest.approx(1167 / 2638) and round(t["high"], 3) == 0.442
    assert round(t["respondents_only"], 3) == 0.370
    u = b.loc["unaccompanied"]
    assert (u["went_missing"], u["answered"], u["counted"]) == (1501, 11999, 12530)
    assert (round(u["low"], 3), round(u["high"], 3), round(u["respondents_only"], 3)) == (0.120, 0.162, 0.125)
    assert u["high"] == pytest.approx((1501 + 12530 - 11999) / 12530)


def test_revisions_are_not_taken_for_item_non_response(ledger):
    # Still in Harm's Way's versions differ in who went missing too (246 against 244): a revision.
    assert item_bounds(ledger.figures, "still-in-harms-way").empty


@pytest.mark.parametrize(
    "args, message",
    [
        ((-1, 10, 20), "went_missing=-1 is negative"),
        ((5, 30, 20), "answered=30 exceeds counted=20; valid range 1 to 20"),
        ((12, 10, 20), "went_missing=12 exceeds answered=10; valid range 0 to 10"),
        ((1.5, 10, 20), "went_missing must be a whole number"),
    ],
)
def test_impossible_counts_are_refused_with_the_valid_range(args, message):
    with pytest.raises(ParameterError, match=message):
        manski_bounds(*args)


def test_unit_bounds():
    assert unit_bounds(0.4, 0.25) == pytest.approx((0.3, 0.55))
    with pytest.raises(ParameterError, match="unknown_share=1.2 is outside the valid range 0 to 1"):
        unit_bounds(0.4, 1.2)


# --- frame and response -----------------------------------------------------------------------------


def test_frame_leaves_out_councils_created_later(ledger):
    # BCP, Dorset, North and West Northamptonshire, Cumberland, Westmorland and Furness did not exist in 2015.
    assert len(council_frame(ledger.councils, ledger.council_years, 2015)) == 212 - 6
    assert len(council_frame(ledger.councils, ledger.council_years, 2024)) == 212
    with pytest.raises(ParameterError, match="year=1999 is not in council_years"):
        council_frame(ledger.councils, ledger.council_years, 1999)


def test_response_table_keeps_not_found_counts(ledger):
    uhe = response_table(ledger.figures, "until-harm-ends", 212)
    asked = uhe[uhe["measure"] == "councils_asked"]
    assert list(asked["status"]) == ["not found"] and asked["share_of_frame"].isna().all()
    answering = uhe[(uhe["measure"] == "councils_answering") & (uhe["group"] == "trafficked")].iloc[0]
    assert answering["share_of_frame"] == pytest.approx(135 / 212)
    hbth = response_table(ledger.figures, "heading-back-to-harm", 206)
    nf = hbth[hbth["measure"] == "councils_reporting_not_found"].iloc[0]
    assert nf["share_of_asked"] == pytest.approx(45 / 217)


def test_more_answering_than_asked_is_refused(ledger):
    figures = ledger.figures.copy()
    figures.loc[figures["figure_id"] == "hbth-presstv-councils-answering", "value"] = 300
    with pytest.raises(
        ParameterError,
        match="hbth-presstv-councils-answering: councils_answering=300 exceeds "
        "councils asked=217; valid range 0 to 217",
    ):
        response_table(figures, "heading-back-to-harm", 206)


def test_answering_councils_skips_discrepant_counts(ledger):
    assert answering_councils(ledger.figures, "until-harm-ends", "trafficked") == (135, "exact")
    assert answering_councils(ledger.figures, "until-harm-ends", "unaccompanied") == (141, "exact")
    # The blog's 45 (D9) is not a count of councils answering; Press TV's round 200 is taken.
    assert answering_councils(ledger.figures, "heading-back-to-harm", "trafficked") == (200, "exact")
    assert answering_councils(ledger.figures, "still-in-harms-way", "trafficked")[0] is None


# --- scenarios --------------------------------------------------------------------------------------


def test_scenario_matches_the_published_totals_and_is_seeded(inputs):
    a = scenario_councils(inputs, 2335, 864, 97, "mnar", seed=5)
    b = scenario_councils(inputs, 2335, 864, 97, "mnar", seed=5)
    pd.testing.assert_frame_equal(a, b)
    answered = a[a["responded"]]
    assert (len(answered), answered["in_care"].sum(), answered["went_missing"].sum()) == (97, 2335, 864)
    assert a.loc[~a["responded"], "synthetic"].all() and not answered["synthetic"].any()


def test_gumbel_top_k_draws_exactly_k_and_mcar_is_uniform():
    rng = np.random.default_rng(0)
    mask = gumbel_top_k(np.zeros((4000, 50)), 20, rng)
    assert (mask.sum(axis=1) == 20).all()
    # Each unit's inclusion share is 20/50 = 0.4; its standard error over 4,000 rows is about 0.008.
    assert np.abs(mask.mean(axis=0) - 0.4).max() < 0.04


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: check_answering(300, 212), "answering councils=300 is outside the valid range 1 to 212"),
        (lambda: check_response_rate(1.5), "response_rate=1.5 is outside the valid range"),
        (lambda: check_response_rate(0), "response_rate=0 is outside the valid range"),
        (lambda: check_n_sims(0), "n_sims=0 is not valid; it must be a whole number of at least 1"),
    ],
)
def test_impossible_parameters_name_the_value_and_range(call, message):
    with pytest.raises(ParameterError, match=message):
        call()


# --- estimators ---------------------------------------------------------------------------------------


def known_frame():
    """Six councils with hand-made counts (synthetic)."""
    n = np.array([10, 40, 25, 5, 60, 20])
    m = np.array([3, 10, 10, 1, 30, 4])
    size = np.array([2.0, 8.0, 5.0, 1.0, 12.0, 4.0])
    dfe = np.array([0.08, 0.10, 0.12, 0.07, 0.15, 0.09])
    return n, m, size, dfe


def test_every_estimator_recovers_the_truth_when_every_council_answers():
    n, m, size, dfe = known_frame()
    r = np.ones(6, dtype=bool)
    truth = 58 / 160
    assert m.sum() == 58 and n.sum() == 160
    assert est.respondents_only(n, m, r)[0][0] == pytest.approx(truth)
    for e, lo, hi in (
        est.weighting_class(n, m, r, [0, 0, 1, 1, 2, 2]),
        est.ratio(n, m, r, dfe, size),
        est.ipw(n, m, r, size, dfe),
    ):
        assert (e[0], lo[0], hi[0]) == pytest.approx((truth, truth, truth))
    assert [v[0] for v in est.mice(n, m, r, size, dfe, seed=1)] == pytest.approx([truth, truth, truth])
    assert ipw_statsmodels(n, m, r, size, dfe)[0] == pytest.approx(truth)


def test_weighting_class_by_hand():
    n, m, size, dfe = known_frame()
    r = np.array([True, False, True, True, False, True])
    # Bands {0,1}, {2,3}, {4,5}: answering 1, 2, 1 -> weights 2, 1, 1, 2 on councils 0, 2, 3, 5.
    expected = (2 * 3 + 10 + 1 + 2 * 4) / (2 * 10 + 25 + 5 + 2 * 20)
    assert est.weighting_class(n, m, r, [0, 0, 1, 1, 2, 2])[0][0] == pytest.approx(expected)


def test_ratio_estimator_by_hand():
    n, m, size, dfe = known_frame()
    r = np.array([True, True, False, False, True, True])
    resp = (3 + 10 + 30 + 4) / (10 + 40 + 60 + 20)
    d_all = (dfe * size).sum() / size.sum()
    d_resp = (dfe * size)[r].sum() / size[r].sum()
    assert est.ratio(n, m, r, dfe, size)[0][0] == pytest.approx(resp * d_all / d_resp)


def test_batched_response_model_matches_statsmodels(inputs):
    rng = np.random.default_rng(3)
    r = gumbel_top_k(np.log(inputs["aux"].to_numpy())[None, :], 90, rng)
    X = est.response_design(inputs["aux"], inputs["dfe_rate"])
    ours = est.fit_response_batched(r, X)[0]
    theirs = sm.GLM(r[0].astype(float), X, family=sm.families.Binomial()).fit().params
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-8)


def test_ipw_numpy_and_statsmodels_agree_on_the_estimate(inputs):
    c = scenario_councils(inputs, 2335, 864, 97, "mar_size", seed=2)
    args = (c["in_care"], c["went_missing"], c["responded"], c["aux"], c["dfe_rate"])
    assert est.ipw(*args)[0][0] == pytest.approx(ipw_statsmodels(*args)[0], abs=1e-6)


def test_estimators_are_unbiased_on_average_under_mcar(inputs):
    # 2,000 synthetic replicates; each estimator's spread across replicates is about 0.01-0.02, so the mean
    # error has a standard error near 0.0004: 0.004 allows for that and the small bias of a ratio.
    table = simulate(inputs, mechanisms=["mcar"], n_sims=2000, seed=11, n_mice=0)
    assert set(table["estimator"]) == {"respondents_only", "weighting_class", "ratio", "ipw"}
    assert (table["bias"].abs() < 0.004).all(), table
    assert (table["data"] == "synthetic").all()


def test_simulation_is_identical_for_one_seed(inputs):
    a = simulate(inputs, n_sims=200, seed=4, n_mice=2)
    b = simulate(inputs, n_sims=200, seed=4, n_mice=2)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(simulate(inputs, n_sims=200, seed=5, n_mice=0))


# --- tipping points -------------------------------------------------------------------------------------


def test_tipping_point_arithmetic():
    assert gap_needed(0.37, 0.307, 0.5, comparator_moves=False) == pytest.approx((0.307 - 0.185) / 0.5)
    assert smallest_overturning_share(0.37, 0.125) == pytest.approx(1 - 0.125 / 0.37)
    assert smallest_overturning_share(0.1, 0.2) == 0.0


def test_conclusions_of_until_harm_ends(ledger):
    c = report_conclusions(
        ledger.figures, ledger.reports, ledger.england_national, report_view(ledger.figures, "until-harm-ends")
    ).set_index("conclusion")
    assert c.loc["trafficked above unaccompanied", "observed"] == pytest.approx(864 / 2335)
    assert c.loc["trafficked above unaccompanied", "comparator"] == pytest.approx(1501 / 11999)
    assert c.loc["trafficked 2024 above trafficked 2020", "comparator"] == pytest.approx(378 / 1231)
    assert c.loc["trafficked above all looked-after (DfE)", "comparator"] == pytest.approx(13010 / 116420)


# --- the table and the command ---------------------------------------------------------------------------


def test_nonresponse_table_is_seeded(ledger):
    view = report_view(ledger.figures, "heading-back-to-harm")
    a = nonresponse_table(ledger, view, seed=3, n_seeds=3, imputations=3)
    pd.testing.assert_frame_equal(a, nonresponse_table(ledger, view, seed=3, n_seeds=3, imputations=3))


def test_cli_csv_for_until_harm_ends(run_mfc):
    result = run_mfc("nonresponse", "until-harm-ends", "--csv", "--seeds", "4", "--imputations", "5")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == [
        "report_id",
        "version",
        "group",
        "method",
        "scenario",
        "estimate",
        "low",
        "high",
        "interval",
        "note",
    ]
    bounds = {r["group"]: r for r in rows if r["method"] == "bounds"}
    assert (round(float(bounds["trafficked"]["low"]), 3), round(float(bounds["trafficked"]["high"]), 3)) == (
        0.328,
        0.442,
    )
    assert (round(float(bounds["unaccompanied"]["low"]), 3), round(float(bounds["unaccompanied"]["high"]), 3)) == (
        0.120,
        0.162,
    )
    assert {r["interval"] for r in bounds.values()} == {"bounds (no assumption)"}
    resp = {
        r["group"]: r
        for r in rows
        if r["method"] == "respondents_only" and r["version"] == "guardian" and r["scenario"] == "published counts"
    }
    assert (round(float(resp["trafficked"]["estimate"]), 3), round(float(resp["unaccompanied"]["estimate"]), 3)) == (
        0.370,
        0.125,
    )
    assert resp["trafficked"]["interval"] == "95% CI (sampling only)"
    modelled = [r for r in rows if r["scenario"].endswith("(synthetic councils)")]
    # Scenario rows give a range across the seeds, never a one-draw 95% CI.
    assert {r["interval"] for r in modelled} == {"range across 4 synthetic scenarios"}
    methods = {r["method"] for r in modelled} - {"respondents_only"}
    assert len(methods) >= 4 and len({r["scenario"] for r in modelled}) >= 3
    named = (
        "bounds (no assumption)",
        "95% CI (sampling only)",
        "range across 4 synthetic scenarios",
        "no interval",
        "95% bias-adjusted interval",
    )
    for r in rows:
        assert r["interval"] in named or r["interval"].startswith(
            "bounds (no assumption about rates; silent share of children from "
        ), r
        if r["interval"] != "no interval":
            # a difference of two rates (bias_adjusted_difference) may be negative; a rate may not
            floor = -1 if r["method"].endswith("_difference") else 0
            assert floor <= float(r["low"]) <= float(r["estimate"]) <= float(r["high"]) <= 1, r
    # The done-when: a no-assumption threshold between 0.13 and 0.21, a stated assumption, no "robust".
    tip = {
        r["scenario"]: r
        for r in rows
        if r["group"] == "trafficked above unaccompanied" and r["method"] == "two_sided_threshold"
    }
    assert 0.13 <= float(tip["item and unit non-response, no assumption"]["estimate"]) <= 0.21
    assert 0.13 <= float(tip["unit non-response only, no assumption"]["estimate"]) <= 0.21
    assert tip["item and unit non-response, no assumption"]["note"].startswith("holds if")
    assert "robust" not in result.stdout.lower()
    # The bias analysis: wider than the sampling interval (35.1% to 39.0%), and a probability per conclusion.
    pba = {(r["group"], r["version"]): r for r in rows if r["method"] == "bias_adjusted"}
    assert (
        float(pba[("trafficked", "guardian")]["low"]) < 0.351 < 0.390 < float(pba[("trafficked", "guardian")]["high"])
    )
    conclusions = {r["group"] for r in rows if r["method"] == "two_sided_threshold"}
    p_holds = {r["group"]: float(r["estimate"]) for r in rows if r["method"] == "p_holds_bias_adjusted"}
    assert set(p_holds) == conclusions and all(0 <= p <= 1 for p in p_holds.values())


def test_cli_scenario_settings_are_validated_in_one_line(capsys):
    from helpers.run.cli import main

    # In-process (main() is what the console script calls), so five cases take a second, not a minute.
    for args, message in (
        (["--strength", "foo=1"], "MECHANISM one of mcar, mar_size, mar_dfe, mnar"),
        (["--strength", "mnar=x"], "'x' is not a number"),
        (["--mechanisms", "mcar,bogus"], "valid values: mcar, mar_size, mar_dfe, mnar"),
        (["--seeds", "1"], "at least 2"),
        (["--imputations", "1"], "at least 2"),
        (["--bias-draws", "5"], "at least 100"),
    ):
        assert main(["nonresponse", "heading-back-to-harm", *args]) == 2, args
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
        assert err.count("\n") == 1


def test_cli_unknown_report_exits_2_listing_valid_ids(run_mfc):
    result = run_mfc("nonresponse", "no-such-report")
    assert result.returncode == 2
    assert "report_id='no-such-report' is not valid; valid values: heading-back-to-harm" in result.stderr
    assert "until-harm-ends" in result.stderr and "Traceback" not in result.stderr


def test_cli_report_with_nothing_to_work_with_exits_0_with_one_line(tmp_path, run_mfc):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    reports = pd.read_csv(data / "reports.csv", dtype=str, keep_default_na=False)
    extra = reports.iloc[[0]].assign(report_id="empty-report", series_order="9")
    pd.concat([reports, extra]).to_csv(data / "reports.csv", index=False, lineterminator="\n")
    # Its only figure is a count of councils asked that was looked for and not found.
    figures = pd.read_csv(data / "figures.csv", dtype=str, keep_default_na=False)
    row = figures[figures["figure_id"] == "uhe-councils-asked"].assign(
        figure_id="empty-councils-asked", report_id="empty-report", period=extra["headline_period"].iloc[0]
    )
    pd.concat([figures, row]).to_csv(data / "figures.csv", index=False, lineterminator="\n")
    rehash(data)
    result = run_mfc("nonresponse", "empty-report", "--data-dir", str(data))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1 and "nothing to bound or estimate" in result.stdout


def sim_rows(mechanism, estimator, replicates, bias, coverage, bias_mcse=0.0004, coverage_mcse=0.007):
    return pd.DataFrame(
        {
            "mechanism": mechanism,
            "scenario": mechanism,
            "estimator": estimator,
            "replicates": replicates,
            "bias": bias,
            "bias_mcse": bias_mcse,
            "coverage": coverage,
            "coverage_mcse": coverage_mcse,
        }
    )


def test_simulation_findings_ignore_rows_with_few_replicates():
    from helpers.present.simulation_words import simulation_findings

    results = sim_rows(
        ["mcar", "mcar", "mnar", "mnar"],
        ["respondents_only", "mice"] * 2,
        [1000, 4, 1000, 4],
        [0.001, 0.05, -0.04, 0.0],
        [0.95, 1.0, 0.05, 1.0],
    )
    sentences, facts = simulation_findings(results)
    assert facts["mcar"]["max_abs_bias"] == pytest.approx(0.001)
    assert facts["mnar_vs_mcar"]["mnar"] == pytest.approx(40)
    assert "multiple imputation (MICE) ran on only 4 replicates" in sentences[0]


def test_simulation_summary_keeps_the_numbers_below_the_words():
    from helpers.nonresponse.simulation import mnar_gap, simulation_summary

    results = sim_rows(
        ["mcar", "mcar", "mnar", "mnar"],
        ["respondents_only", "mice"] * 2,
        [1000, 4, 1000, 1000],
        [0.001, 0.05, -0.04, 0.02],
        [0.95, 1.0, 0.05, 0.80],
    )
    summary = simulation_summary(results)
    mnar = summary["mnar"]
    assert (mnar.best, mnar.best_bias, mnar.worst, mnar.worst_bias) == ("mice", 0.02, "respondents_only", -0.04)
    assert (mnar.lowest_coverage, mnar.min_coverage, mnar.highest_coverage) == ("respondents_only", 0.05, "mice")
    assert summary["mcar"].too_few == ("mice",) and summary["mcar"].too_few_replicates == 4
    gap = mnar_gap(summary)
    assert gap.mcar_floor == pytest.approx(0.001)
    assert gap.ratio["mnar"] == pytest.approx(0.02 / 0.001)  # the least MNAR bias over the largest MCAR one
    assert mnar_gap({"mnar": mnar}) is None


def test_mice_is_close_to_the_truth_on_average_under_mcar(inputs):
    # 200 replicates (MICE runs on every replicate at once): its error's spread across replicates is about
    # 0.011, so the mean error's MCSE is about 0.0008; 0.004 is five MCSEs (tests/nonresponse/test_mice_truth.py
    # holds it to two, with its coverage).
    table = simulate(inputs, mechanisms=["mcar"], n_sims=200, seed=8, estimators=["mice"])
    assert table["replicates"].tolist() == [200]
    assert abs(table["bias"].iloc[0]) < 0.004, table
    assert table["bias_mcse"].iloc[0] < 0.002


def test_official_comparison_sums_england_councils(ledger):
    from helpers.nonresponse.frame import official_comparison

    cy = ledger.council_years
    uasc = cy[(cy["year"] == 2024) & (cy["measure"] == "uasc_at_31_march")]["value"].astype(float).sum()
    frame = council_frame(ledger.councils, ledger.council_years, 2024)
    table = official_comparison(report_view(ledger.figures, "until-harm-ends").pairs, frame).set_index(
        ["version", "group"]
    )
    row = table.loc[("guardian", "unaccompanied")]
    assert row["official_england"] == pytest.approx(uasc)
    assert row["ratio"] == pytest.approx(11999 / uasc)


def test_findings_name_the_councils_that_answered_the_not_found_question(ledger):
    from helpers.present.nonresponse_findings import findings_in_words

    response = response_table(ledger.figures, "heading-back-to-harm", 206)
    empty = pd.DataFrame(
        columns=["report_id", "version", "group", "method", "scenario", "estimate", "low", "high", "interval"]
    )
    from helpers.nonresponse.two_sided import TWO_SIDED_COLUMNS

    sentences, facts = findings_in_words(empty, pd.DataFrame(columns=TWO_SIDED_COLUMNS), response)
    assert facts["not_found_councils"][:2] == (45, 217)
    assert "only 45 of the 217 councils asked (21%)" in sentences[0]


def test_show_formats_numbers_and_reads_version_ids_as_labels():
    from helpers.present.nonresponse_findings import show_table

    table = pd.DataFrame({"version": ["guardian", "independent+guardian"], "rate": [0.37, None]})
    shown = show_table(table, {"rate": "{:.1%}"})
    assert shown["rate"].tolist() == ["37.0%", "not found"]
    assert shown["version"].tolist() == [
        "councils answering each question (Guardian)",
        "all councils counted (Independent) and councils answering each question (Guardian)",
    ]


def test_simulation_findings_state_bias_in_points_and_name_estimators_in_words():
    from helpers.present.simulation_words import simulation_findings

    results = sim_rows(
        ["mcar", "mcar", "mnar", "mnar"],
        ["ipw", "respondents_only", "ratio", "respondents_only"],
        [1000] * 4,
        [-0.0001, -0.0003, -0.0136, -0.0393],
        [0.95, 0.94, 0.60, 0.05],
        bias_mcse=[0.0003, 0.0004, 0.0004, 0.0004],
        coverage_mcse=[0.0069, 0.0075, 0.0155, 0.0069],
    )
    sentences, facts = simulation_findings(results)
    assert sentences[0] == (
        "**mcar** (synthetic councils): the bias ranges from -0.01 points (MCSE 0.03) (inverse-probability "
        "weighting) to -0.03 points (MCSE 0.04) (respondents only); coverage of a nominal 95% interval runs "
        "from 94.0% (respondents only) to 95.0% (inverse-probability weighting), each with an MCSE of at most "
        "0.8 points."
    )
    assert "%" not in sentences[2].split("MCAR")[0]  # biases are in points, never per cent
    assert sentences[2].startswith("Under MNAR even the least biased estimator is off by 1.36 points (mnar)")
    # 1.36 points is 1.36 / 0.03 = 45 times the largest MCAR bias
    assert round(facts["mnar_vs_mcar"]["mnar"]) == 45
