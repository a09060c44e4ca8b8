"""The synthetic councils' spread on the logit scale: DfE's measured one by default, the old one on request."""

import numpy as np
import pytest
from scipy.special import logit

from helpers.ledger.errors import ParameterError
from helpers.nonresponse import council_frame, model_inputs
from helpers.nonresponse import scenarios as sc
from helpers.nonresponse.simulation import simulate
from helpers.stats.clustering import fit_logit_normal, icc_at_rate


@pytest.fixture(scope="module")
def inputs(ledger):
    return model_inputs(council_frame(ledger.councils, ledger.council_years, 2024))


def test_dfe_logit_sd_is_the_fitted_spread_of_the_frame(inputs):
    counts = inputs[["children_missing", "cla_during_year"]].dropna()
    fitted = fit_logit_normal(counts["children_missing"], counts["cla_during_year"], interval=False)["sigma"]
    assert sc.dfe_logit_sd(inputs) == pytest.approx(fitted)
    assert sc.dfe_logit_sd(inputs) == pytest.approx(0.30, abs=0.01)  # the review: about 0.30
    with pytest.raises(ParameterError, match="children_missing"):
        sc.dfe_logit_sd(inputs.drop(columns="children_missing"))


def test_the_old_spread_was_about_047(inputs):
    # By hand: DfE's logit rates (population variance) plus fresh noise of their SD (ddof = 1).
    base = logit(inputs["dfe_rate"].to_numpy(float))
    by_hand = np.sqrt(base.var() + base.std(ddof=1) ** 2)
    assert sc.legacy_logit_sd(inputs["dfe_rate"]) == pytest.approx(by_hand)
    assert by_hand == pytest.approx(0.47, abs=0.005)
    # At a 37% rate the old spread gives about 2.4 times the ICC of DfE's measured spread.
    ratio = icc_at_rate(by_hand, 0.37) / icc_at_rate(sc.dfe_logit_sd(inputs), 0.37)
    assert 2.2 < ratio < 2.6


def test_council_noise_has_the_asked_spread(inputs):
    rate = inputs["dfe_rate"].to_numpy(float)
    noise = sc.council_logit_noise(rate, np.random.default_rng(3), (4000, len(rate)), 0.30)
    assert noise.std(axis=1).mean() == pytest.approx(0.30, rel=0.01)
    # The old spread is the same draws unscaled: DfE's centred logit rate plus noise of its SD.
    old = sc.council_logit_noise(rate, np.random.default_rng(3), (2, len(rate)), sc.legacy_logit_sd(rate))
    fresh = np.random.default_rng(3).normal(0.0, sc.between_council_spread(rate), (2, len(rate)))
    base = logit(rate)
    assert old == pytest.approx(base - base.mean() + fresh)
    with pytest.raises(ParameterError, match="logit_sd"):
        sc.council_logit_noise(rate, np.random.default_rng(3), 3, -0.1)


def test_simulate_records_its_spread_and_the_old_one_is_a_choice(inputs):
    calibrated = simulate(inputs, mechanisms=["mcar"], n_sims=50, seed=2, n_mice=0)
    assert calibrated.attrs["logit_sd"] == pytest.approx(sc.dfe_logit_sd(inputs))
    old = simulate(inputs, mechanisms=["mcar"], n_sims=50, seed=2, n_mice=0, logit_sd=0.47)
    assert old.attrs["logit_sd"] == 0.47
    # Councils that differ more make the respondents' rate vary more from replicate to replicate.
    rmse = {t.attrs["logit_sd"]: t.set_index("estimator").loc["respondents_only", "rmse"] for t in (calibrated, old)}
    assert rmse[0.47] > rmse[calibrated.attrs["logit_sd"]]


def test_scenario_councils_use_the_spread_they_are_given(inputs):
    a = sc.scenario_councils(inputs, 2335, 864, 100, "mcar", seed=1)
    b = sc.scenario_councils(inputs, 2335, 864, 100, "mcar", seed=1, logit_sd=sc.dfe_logit_sd(inputs))
    assert a.equals(b)
    c = sc.scenario_councils(inputs, 2335, 864, 100, "mcar", seed=1, logit_sd=0.47)
    assert c.loc[c["responded"], "went_missing"].sum() == a.loc[a["responded"], "went_missing"].sum() == 864
    assert not c.equals(a)
