"""The series model: its data, the sampler against the independent Laplace-grid cross-check, its guards.

One short sampler run (2 chains, few draws) is shared by the module; the full run lives in the executed
notebook. The cross-check (helpers/stats/series_laplace.py) shares no code with the sampler.
"""

from dataclasses import asdict, replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers.ledger import load_ledger
from helpers.ledger.errors import ParameterError
from helpers.stats.series_data import implied_row_deffs, series_data, silent_shares
from helpers.stats.series_design import detectable_trend
from helpers.stats.series_laplace import laplace_gap_trend
from helpers.stats.series_model import (
    SamplerSettings,
    SamplingError,
    SeriesPriors,
    check_diagnostics,
    fit_series_model,
    gap_trend_draws,
    headline_quantities,
    reweighted,
)

FAST = SamplerSettings(chains=2, warmup=300, draws=500, seed=11)


@pytest.fixture(scope="module")
def data():
    ledger = load_ledger()
    return series_data(ledger, deff=implied_row_deffs(ledger), silent_share=silent_shares(ledger.figures))


@pytest.fixture(scope="module")
def post(data):
    return fit_series_model(data, SeriesPriors(), FAST, rhat_max=1.05, ess_min=150)


def test_every_version_enters_as_an_alternative_with_equal_prior_weight(data):
    rows = data.rows.reset_index(drop=True)
    at = {(r, g, y): i for i, (r, g, y) in enumerate(zip(rows["report_id"], rows["group"], rows["year"]))}
    # data/versions.csv: 1,015 / 910 trafficked children in care (Still in Harm's Way), 2,335 / 2,638 (Until Harm Ends)
    i = at[("still-in-harms-way", "trafficked", 2017)]
    assert sorted(data.in_care[:, i]) == [910, 1015]
    j = at[("until-harm-ends", "trafficked", 2024)]
    assert sorted(data.in_care[:, j]) == [2335, 2638]
    weights = np.exp(data.log_weights)
    assert weights.sum(axis=1) == pytest.approx(np.ones(len(data.reports)))
    assert weights[data.reports.index("until-harm-ends")] == pytest.approx([0.5, 0.5])
    # When Harm Remains' 2018 row is the only second year of a round
    assert rows.loc[rows["round_row"], ["report_id", "year"]].values.tolist() == [["when-harm-remains", 2018]]


def test_silent_share_from_councils_asked_and_answering():
    shares = silent_shares(load_ledger().figures)
    assert shares["heading-back-to-harm"] == pytest.approx(1 - 200 / 217)


def test_sampler_agrees_with_the_laplace_grid_within_monte_carlo_error(post, data):
    from numpyro.diagnostics import effective_sample_size

    lap = laplace_gap_trend(
        data.rows, data.missing, data.in_care, np.exp(data.log_weights), grid_points=14, **asdict(post.priors)
    )
    gap = gap_trend_draws(post)
    ess = float(effective_sample_size((post.draws["slope"][..., 0] - post.draws["slope"][..., 1])[..., None])[0])
    se_median = 1.253 * gap.std() / np.sqrt(ess)  # the median's MC error, about 1.25 times the mean's
    assert abs(np.median(gap) - np.log(lap.median)) < 4 * se_median + 0.005
    p = float(np.mean(gap > 0))
    assert abs(p - lap.p_widening) < 4 * np.sqrt(p * (1 - p) / ess) + 0.01
    assert gap.std() == pytest.approx(lap.sd, rel=0.2)
    # the review's t interval on 2 df (0.888 to 1.282) is wider than the model's credible interval
    head = headline_quantities(post).set_index("quantity")
    assert 0.888 < head.loc["gap_trend", "cri_low"] < head.loc["gap_trend", "cri_high"] < 1.282


def test_reweighting_to_the_same_priors_keeps_every_draw(post):
    weights, ess = reweighted(post, post.priors)
    assert weights == pytest.approx(np.full(len(weights), 1 / len(weights)))
    assert ess == pytest.approx(len(weights))


def test_bad_diagnostics_fail_loudly(post):
    bad = replace(post, diagnostics=pd.DataFrame({"parameter": ["slope[0]"], "r_hat": [1.2], "ess": [35.0]}))
    with pytest.raises(SamplingError, match=r"R-hat 1\.200 > 1\.01.*ESS 35 < 400"):
        check_diagnostics(bad)
    with pytest.raises(SamplingError, match="3 divergent transitions"):
        check_diagnostics(replace(post, divergences=3), rhat_max=1.05, ess_min=150)


def test_priors_are_checked():
    with pytest.raises(ParameterError, match="rho"):
        SeriesPriors(rho=1.0)
    with pytest.raises(ParameterError, match="report_scale"):
        SeriesPriors(report_scale=0.0)


def test_detectable_trend_by_hand():
    # three reports at years 0, 1, 2 with variance 1: SE of the slope 1 / sqrt(2), t on 1 df
    table = detectable_trend([1.0, 1.0], [0, 1], 1.0, [2])
    assert table["reports"].tolist() == [3]
    row = table.iloc[0]
    assert row["se"] == pytest.approx(1 / np.sqrt(2))
    assert row["detectable"] == pytest.approx(np.exp((stats.t.ppf(0.975, 1) + stats.t.ppf(0.8, 1)) / np.sqrt(2)))
    with pytest.raises(ParameterError, match="three reports"):
        detectable_trend([1.0], [0], 1.0, [1])
