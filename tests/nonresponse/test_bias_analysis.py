"""The probabilistic bias analysis: by hand on made-up rates, against statsmodels, and on the ledger."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit, logit
from statsmodels.stats.proportion import proportion_confint

from helpers.ledger.errors import ParameterError
from helpers.nonresponse.bias_analysis import (
    PRIORS,
    Conclusion,
    Priors,
    RateInputs,
    analyse,
    bias_analysis,
    check_draws,
    draw_rate,
    prior_table,
    tornado,
    widened,
)
from helpers.stats.rates import wilson_interval
from helpers.stats.report_view import report_view

NO_BIAS = Priors(council_spread=0.0, tilt_sd=0.0)
DFE_LIKE = Priors(council_spread=0.3, tilt_sd=0.18)


def rate(x, n, share=(0.0,), *, report="r", group="g", deff=(1.0, 1.0), low=None, high=None, k_eff=20.0):
    share = np.asarray(share, float)
    return RateInputs(
        report_id=report,
        version="single",
        group=group,
        numerator=float(x),
        denominator=float(n),
        share_draws=share,
        share_low=float(share.min() if low is None else low),
        share_high=float(share.max() if high is None else high),
        effective_councils=k_eff,
        deff_low=deff[0],
        deff_high=deff[1],
    )


def test_with_no_silent_children_it_is_the_jeffreys_interval_of_statsmodels_and_close_to_wilson():
    a = analyse([rate(20, 200)], [], DFE_LIKE, draws=40_000)
    h = a.headlines.iloc[0]
    jeffreys = proportion_confint(20, 200, alpha=0.05, method="jeffreys")  # (0.0642, 0.1473)
    assert (h.low, h.high) == (pytest.approx(jeffreys[0], abs=0.001), pytest.approx(jeffreys[1], abs=0.0015))
    wilson = wilson_interval(20, 200, 0.05)  # (0.0657, 0.1494): the sampling interval of the collection
    assert (h.low, h.high) == (pytest.approx(float(wilson[0]), abs=0.003), pytest.approx(float(wilson[1]), abs=0.003))
    # A fixed design effect d is the same interval on the effective sample n / d.
    a = analyse([rate(60, 600, deff=(3.0, 3.0))], [], DFE_LIKE, draws=40_000)
    h = a.headlines.iloc[0]
    assert (h.low, h.high) == (pytest.approx(jeffreys[0], abs=0.0015), pytest.approx(jeffreys[1], abs=0.0015))


@settings(max_examples=25, deadline=None)
@given(st.integers(300, 20_000), st.floats(0.05, 0.6), st.floats(0.01, 0.2))
def test_property_no_silent_share_gives_the_sampling_interval(n, p, alpha):
    x = int(round(n * p))
    a = analyse([rate(x, n)], [], DFE_LIKE, alpha=alpha, draws=20_000, seed=n)
    h = a.headlines.iloc[0]
    lo, hi = proportion_confint(x, n, alpha=alpha, method="jeffreys")
    # Monte Carlo error of a tail quantile of 20,000 draws: a few percent of the interval's width.
    tol = 0.06 * (hi - lo)
    assert abs(h.low - lo) < tol and abs(h.high - hi) < tol


def test_a_hand_checked_case():
    # n so large that sampling error vanishes; 25% of the children silent; a fixed tilt of log 4 on the
    # logit scale takes the silent councils from 20% to expit(logit 0.2 + log 4) = expit(0) = 50%:
    # theta = 0.75 x 0.20 + 0.25 x 0.50 = 0.275.
    assert expit(logit(0.2) + np.log(4)) == pytest.approx(0.5)
    priors = Priors(council_spread=0.0, tilt_sd=0.0, tilt_centre=float(np.log(4)))
    r = rate(2e8, 1e9, [0.25])
    theta = draw_rate(r, priors, draws=1000)
    assert theta == pytest.approx(np.full(1000, 0.275), abs=1e-4)
    a = analyse(
        [r], [Conclusion("above 27%", r, None, 0.27), Conclusion("above 28%", r, None, 0.28)], priors, draws=1000
    )
    assert a.headlines["estimate"].iloc[0] == pytest.approx(0.275, abs=1e-4)
    assert a.conclusions["difference"].tolist() == pytest.approx([0.005, -0.005], abs=1e-4)
    assert a.conclusions["p_holds"].tolist() == [1.0, 0.0]


def test_two_groups_of_one_report_share_their_silent_councils_draw_for_draw():
    shares = np.linspace(0.1, 0.5, 1000)
    a, b = rate(1e6, 3e6, shares, group="a"), rate(1e6, 1e7, shares[::-1].copy(), group="b")
    other = rate(1e6, 1e7, shares[::-1].copy(), group="b", report="other")
    # With the silent councils' rates fixed at 100% the rate is (1 - s) p + s, so it follows s.
    priors = Priors(council_spread=0.0, tilt_sd=0.0, tilt_centre=40.0)
    ta, tb, to = (draw_rate(r, priors, draws=1000) for r in (a, b, other))
    assert np.corrcoef(ta, tb)[0, 1] < -0.99  # the same draws of s, reversed here
    assert abs(np.corrcoef(ta, to)[0, 1]) < 0.2  # another report: not paired


def test_probabilities_lie_in_0_1_and_rise_with_the_observed_rate():
    b = rate(100, 1000, np.linspace(0.2, 0.4, 500), group="b")
    ps = []
    for x in (90, 100, 110, 120, 140):
        a = rate(x, 1000, np.linspace(0.2, 0.4, 500), group="a")
        res = analyse([a, b], [Conclusion("a above b", a, b, b.rate)], DFE_LIKE, draws=2000)
        ps.append(res.conclusions["p_holds"].iloc[0])
    assert all(0 <= p <= 1 for p in ps)
    assert ps == sorted(ps) and ps[0] < 0.5 < ps[-1]
    # Equal counts: about even odds.
    assert ps[1] == pytest.approx(0.5, abs=0.06)


def test_the_interval_widens_when_a_prior_widens():
    r = rate(370, 1000, np.linspace(0.3, 0.44, 1000), low=0.12, high=0.73, deff=(1.2, 1.5))
    narrow = analyse([r], [], Priors(council_spread=0.3, tilt_sd=0.1)).headlines.iloc[0]
    wide = analyse([r], [], Priors(council_spread=0.3, tilt_sd=0.4)).headlines.iloc[0]
    assert wide.high - wide.low > narrow.high - narrow.low + 0.02
    w = widened(analyse([r], [], DFE_LIKE))
    base = w.loc[w["prior"] == "none", "width"].iloc[0]
    for prior in ("silent_share", "mnar_tilt", "council_spread", "design_effect"):
        assert w.loc[w["prior"] == prior, "width"].iloc[0] > base, prior


def test_the_tornado_fixes_each_prior_at_its_5th_and_95th_percentile():
    r = rate(370, 1000, np.linspace(0.3, 0.44, 1000))
    t = tornado(analyse([r], [], DFE_LIKE))
    assert set(t["prior"]) == set(PRIORS)
    tilt = t[t["prior"] == "mnar_tilt"].iloc[0]
    # A tilt of -1.645 x 0.18 or +1.645 x 0.18 moves the median down and up.
    assert tilt.at_low < tilt.base < tilt.at_high
    assert t["swing"].iloc[0] == t["swing"].max()
    table = prior_table(analyse([r], [], DFE_LIKE))
    row = table[table["prior"] == "mnar_tilt"].iloc[0]
    assert (row.low, row.high) == (pytest.approx(-0.18 * 1.6449, abs=1e-4), pytest.approx(0.18 * 1.6449, abs=1e-4))


def test_settings_are_checked():
    with pytest.raises(ParameterError, match="at least 100"):
        check_draws(10)
    with pytest.raises(ParameterError, match="alpha"):
        analyse([rate(1, 10)], [], NO_BIAS, alpha=2.0)


def test_until_harm_ends_on_the_ledger(ledger):
    view = report_view(ledger.figures, "until-harm-ends")
    a = bias_analysis(ledger, view, draws=4000)
    h = a.headlines.set_index(["group", "version"])
    traf = h.loc[("trafficked", "guardian")]
    # 864 of 2,335: the interval holds the rate and is wider than the sampling interval (35.1% to 39.0%).
    assert traf.rate == pytest.approx(864 / 2335)
    assert traf.low < 0.351 and traf.high > 0.390 and traf.low < traf.rate < traf.high
    c = a.conclusions.set_index("conclusion")
    assert c.loc["trafficked above unaccompanied", "p_holds"] == 1.0
    # Another report rests on other councils: the between-report variation (tau2 of the trafficked trend,
    # t on its df) makes a rise from 2020 far less certain than the same report's two groups.
    between = a.conclusions.set_index("conclusion").loc["trafficked 2024 above trafficked 2020"]
    assert 0.6 < between["p_holds"] < 0.95
    spec = next(s for s in a.conclusion_specs if s.conclusion == "trafficked 2024 above trafficked 2020")
    tau2, df = spec.between_reports
    assert tau2 > 0 and df == 2  # four FOI rounds, a straight-line trend: k - 2
    same_report = next(s for s in a.conclusion_specs if s.conclusion == "trafficked above unaccompanied")
    assert same_report.between_reports is None
    rows = prior_table(a)
    assert (rows["prior"] == "between_reports").sum() == 1
    # A given design-effect range replaces DfE's.
    given_d = bias_analysis(ledger, view, draws=4000, deff_range=(1.0, 1.0))
    assert (given_d.headlines["deff_high"] == 1.0).all()


def test_the_cli_defaults_are_the_analysis_defaults():
    from helpers.nonresponse.bias_analysis import DRAWS, SEED
    from helpers.run import nonresponse_cli

    assert (nonresponse_cli.BIAS_DRAWS, nonresponse_cli.BIAS_SEED) == (DRAWS, SEED)


def test_heading_back_to_harm_csv_has_bias_adjusted_rows_and_a_probability_per_conclusion(capsys):
    import csv
    import io

    from helpers.run.cli import main

    args = ["nonresponse", "heading-back-to-harm", "--csv", "--seeds", "2", "--imputations", "2"]
    assert main([*args, "--bias-draws", "2000"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    pba = {r["group"]: r for r in rows if r["method"] == "bias_adjusted"}
    # 167 of 590 trafficked, 593 of 4,744 unaccompanied; 17 of 217 councils silent.
    assert float(pba["trafficked"]["estimate"]) == pytest.approx(167 / 590, abs=0.005)
    assert float(pba["unaccompanied"]["estimate"]) == pytest.approx(593 / 4744, abs=0.003)
    assert {r["interval"] for r in pba.values()} == {"95% bias-adjusted interval"}
    p_holds = {r["group"]: float(r["estimate"]) for r in rows if r["method"] == "p_holds_bias_adjusted"}
    assert set(p_holds) == {r["group"] for r in rows if r["method"] == "two_sided_threshold"}
    assert p_holds["trafficked above unaccompanied"] == 1.0
    assert main([*args, "--bias-draws", "0"]) == 0
    assert "bias_adjusted" not in capsys.readouterr().out


def test_design_effect_ranges_can_be_given_per_report_and_group():
    from helpers.nonresponse.bias_analysis import given_deff_range

    ranges = {("until-harm-ends", "trafficked"): (1.2, 1.8), "unaccompanied": (2.5, 3.2)}
    assert given_deff_range(ranges, "until-harm-ends", "trafficked") == (1.2, 1.8)
    assert given_deff_range(ranges, "heading-back-to-harm", "unaccompanied") == (2.5, 3.2)
    assert given_deff_range(ranges, "heading-back-to-harm", "trafficked") is None
    assert given_deff_range((1, 2), "any", "any") == (1.0, 2.0)
    with pytest.raises(ParameterError, match="1 <= low <= high"):
        given_deff_range((2.0, 1.5), "any", "any")
    with pytest.raises(ParameterError, match="must be"):
        given_deff_range("wide", "any", "any")


def test_correlated_tilts_narrow_the_difference_of_two_groups():
    shares = np.linspace(0.3, 0.44, 2000)
    a, b = rate(3700, 10000, shares, group="a"), rate(1250, 10000, shares, group="b")
    widths = []
    for rho in (0.0, 0.9):
        priors = Priors(council_spread=0.0, tilt_sd=0.3, tilt_correlation=rho)
        c = analyse([a, b], [Conclusion("a above b", a, b, b.rate)], priors, draws=2000).conclusions.iloc[0]
        widths.append(c.high - c.low)
    assert widths[1] < 0.8 * widths[0]
