"""The explorer's computations (helpers.present.explore), checked by hand arithmetic on the ledger's counts.

Until Harm Ends (Guardian version): 864 of 2,335 trafficked and 1,501 of 11,999 unaccompanied children went
missing; 141 of the 212 councils in the frame answered on unaccompanied children. The statistical review of
issue 16 found, with its own code, that "trafficked above unaccompanied" is overturned with no assumption
once silent councils hold 19.7% of the children (13.6% for Heading Back to Harm), and that at a silent
share of 0.335 it needs a gap of 48.6 points; and a random-effects trend of 1.0585 (0.957 to 1.170).
"""

from __future__ import annotations

import math

import matplotlib
import pytest

matplotlib.use("Agg")

from helpers.ledger import load_ledger  # noqa: E402
from helpers.ledger.errors import ParameterError  # noqa: E402
from helpers.present import assert_readable  # noqa: E402
from helpers.present import explore as ex  # noqa: E402

T, U = 864 / 2335, 1501 / 11999


@pytest.fixture(scope="module")
def ledger():
    return load_ledger()


@pytest.fixture(scope="module")
def uhe(ledger):
    return ex.silent_inputs(ledger, "until-harm-ends", "guardian")


def wilson(k, n, z=1.959963984540054):
    """The Wilson score interval, written out: (p + z²/2n ± z √(p(1-p)/n + z²/4n²)) / (1 + z²/n)."""
    p = k / n
    centre, half = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)


def test_all_council_rate_is_the_share_weighted_mix():
    assert ex.all_council_rate(0.37, 0.335, 0.0) == pytest.approx(0.665 * 0.37)
    assert ex.all_council_rate(0.125, 0.335, 1.0) == pytest.approx(0.665 * 0.125 + 0.335)
    assert ex.all_council_rate(0.2, 0.0, 0.9) == pytest.approx(0.2)


@pytest.mark.parametrize("args", [(0.3, 1.2, 0.1), (-0.1, 0.2, 0.1), (0.3, 0.2, "high"), (0.3, True, 0.1)])
def test_a_value_outside_0_to_1_is_named(args):
    with pytest.raises(ParameterError, match="must be a fraction from 0 to 1"):
        ex.all_council_rate(*args)


def test_two_sided_thresholds_reproduce_the_review():
    assert ex.no_assumption_share(T, U) == pytest.approx(0.197, abs=5e-4)
    assert ex.needed_gap(T, U, 0.335) == pytest.approx(0.486, abs=5e-4)
    assert ex.no_assumption_share(167 / 590, 593 / 4744) == pytest.approx(0.136, abs=5e-4)
    assert ex.no_assumption_share(0.1, 0.2) == 0  # a conclusion that does not hold cannot be overturned
    assert math.isinf(ex.needed_gap(T, U, 0.0))


def test_silent_inputs_start_from_the_published_rates_and_share_of_councils(uhe):
    assert uhe["rates"] == pytest.approx({"trafficked": T, "unaccompanied": U})
    assert uhe["share"] == pytest.approx(1 - 141 / 212)
    assert "approximation" in uhe["share_note"] and "141 answered of 212" in uhe["share_note"]
    assert "(When Harm Remains" in " ".join(uhe["conclusions"]["comparator_label"])  # titles, not ids


def test_the_two_sided_conclusion_flips_exactly_at_the_needed_gap(uhe):
    s = 0.335
    gap = (1 - s) * (T - U) / s
    just_holds = ex.conclusions_under(uhe, s, 0.2, 0.2 + gap - 0.001).set_index("conclusion")
    overturned = ex.conclusions_under(uhe, s, 0.2, 0.2 + gap + 0.001).set_index("conclusion")
    assert just_holds.loc["trafficked above unaccompanied", "holds"] == "yes"
    assert overturned.loc["trafficked above unaccompanied", "holds"] == "NO, overturned"


def test_a_fixed_comparator_moves_only_the_trafficked_side(uhe):
    # trafficked 2024 against When Harm Remains's 378 of 1,231 (30.7%); DfE 2024 is far below.
    table = ex.conclusions_under(uhe, 0.5, 0.2, 0.0).set_index("conclusion")
    moved = 0.5 * T + 0.5 * 0.2  # 28.5%: below 30.7%, above DfE
    assert table.loc["trafficked 2024 above trafficked 2020", "all councils"] == f"{moved:.1%} against {378 / 1231:.1%}"
    assert table.loc["trafficked 2024 above trafficked 2020", "holds"] == "NO, overturned"
    assert table.loc["trafficked above all looked-after (DfE)", "holds"] == "yes"


def test_rates_view_shows_the_mix_for_each_group(uhe):
    view = ex.rates_view(uhe, 0.25, 0.5, 0.1)
    assert list(view["all councils"]) == [f"{0.75 * T + 0.125:.1%}", f"{0.75 * U + 0.025:.1%}"]
    assert list(view["group"]) == ["trafficked", "unaccompanied (UASC)"]


def test_tipping_in_words(uhe, ledger):
    words = ex.tipping_in_words(uhe, 0.335)
    assert "19.7%" in words and "48.6 points" in words
    hbth = ex.silent_inputs(ledger, "heading-back-to-harm", "single")
    assert hbth["share"] == pytest.approx(1 - 200 / 217)
    assert "13.6%" in ex.tipping_in_words(hbth, hbth["share"]) and "robust" in ex.tipping_in_words(hbth, 0.08)
    companion = ex.silent_inputs(ledger, "exploited-looked-after-children", "single")
    assert companion["share"] is None and "does not publish both groups" in ex.tipping_in_words(companion, 0.0)


def test_chart_draws_the_boundary_where_the_arithmetic_puts_it(uhe):
    ax = ex.silent_rates_chart(uhe, 0.335, 0.3, 0.5)
    line = next(ln for ln in ax.get_lines() if ln.get_label().startswith("trafficked above unaccompanied"))
    assert line.get_ydata()[0] == pytest.approx((1 - 0.335) * (T - U) / 0.335)
    point = next(ln for ln in ax.get_lines() if "you chose" in ln.get_label())
    assert (point.get_xdata()[0], point.get_ydata()[0]) == (0.3, 0.5)
    assert_readable(ax)


def test_choices_read_as_words(ledger):
    reports = ex.report_choices(ledger.figures, ledger.reports)
    assert reports[0] == ("Heading Back to Harm", "heading-back-to-harm") and len(reports) == 5
    assert [v for _, v in ex.version_choices(ledger.figures, "until-harm-ends")] == ["guardian", "independent"]
    assert ex.version_choices(ledger.figures, "until-harm-ends")[0][0] == "councils answering each question (Guardian)"
    groups = ex.group_choices(ledger.figures, "until-harm-ends", "guardian")
    assert groups == [("Trafficked", "trafficked"), ("Unaccompanied (UASC)", "unaccompanied")]
    with pytest.raises(ParameterError, match="valid: guardian, independent"):
        ex.group_choices(ledger.figures, "until-harm-ends", "revised")


def test_headline_names_its_interval_and_takes_one_more(ledger):
    rows = ex.headline_rows(ledger.figures, "until-harm-ends", "guardian", "trafficked")
    lo, hi = wilson(864, 2335)
    view = ex.headline_view(rows)
    assert view.loc[0, "95% CI (sampling only)"] == f"{lo:.1%} to {hi:.1%}" == "35.1% to 39.0%"
    assert view.loc[0, "rebuilt rate"] == "37.0%" and view.loc[0, "children in care"] == "2,335"
    wider = ex.headline_view(rows, extra={"sensitivity interval (design effect 2)": ([0.3], [0.4])})
    assert wider.loc[0, "sensitivity interval (design effect 2)"] == "30.0% to 40.0%"
    lo90, hi90 = wilson(864, 2335, z=1.6448536269514722)
    rows90 = ex.headline_rows(ledger.figures, "until-harm-ends", "guardian", "trafficked", alpha=0.1)
    assert ex.headline_view(rows90).loc[0, "90% CI (sampling only)"] == f"{lo90:.1%} to {hi90:.1%}"
    with pytest.raises(ParameterError, match="valid: trafficked, unaccompanied"):
        ex.headline_rows(ledger.figures, "until-harm-ends", "guardian", "exploited")


def test_trend_view_reproduces_the_review_and_names_the_interval(ledger):
    table, sentences = ex.trend_view(ledger)
    first = table.iloc[0]
    assert first["group"] == "trafficked" and first["reports"] == 4
    assert first["odds ratio per year"] == "1.059"  # the review's 1.0585
    assert first["95% CI (random effects, t on k−2 df)"] == "0.957 to 1.170"
    assert sentences[0].startswith("Trafficked: odds up about 6% a year")
    with pytest.raises(ParameterError, match="model"):
        ex.trend_view(ledger, model="lasso")
