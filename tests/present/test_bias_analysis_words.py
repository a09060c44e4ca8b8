"""The bias analysis for readers: its words, its rows of the non-response table and its tornado chart."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers.nonresponse.bias_analysis import Conclusion, Priors, RateInputs, analyse, tornado, widened  # noqa: E402
from helpers.present.bias_analysis_words import (  # noqa: E402
    bias_adjusted_rows,
    bias_analysis_findings,
    conclusion_interval_table,
    headline_interval_table,
    probability_words,
    tornado_chart,
    tornado_words_table,
    widened_words_table,
)
from helpers.present.figure_output import chart_alt_text  # noqa: E402
from helpers.present.plots import apply_theme, assert_readable  # noqa: E402


@pytest.fixture(autouse=True)
def theme():
    apply_theme()
    yield
    plt.close("all")


def made_up_analysis(alpha=0.05):
    shares = np.linspace(0.3, 0.44, 1000)
    a = RateInputs("r", "single", "trafficked", 370, 1000, shares, 0.12, 0.73, 20.0, 1.2, 1.5)
    b = RateInputs("r", "single", "unaccompanied", 125, 1000, shares, 0.12, 0.73, 20.0, 2.0, 4.0)
    specs = [Conclusion("trafficked above unaccompanied", a, b, b.rate, "unaccompanied rate")]
    return analyse([a, b], specs, Priors(council_spread=0.3, tilt_sd=0.18), report_id="r", alpha=alpha, draws=2000)


def test_rows_name_the_interval_in_the_collections_vocabulary_at_any_alpha():
    rows = bias_adjusted_rows(made_up_analysis(alpha=0.1))
    assert list(rows["method"]) == [
        "bias_adjusted",
        "bias_adjusted",
        "bias_adjusted_difference",
        "p_holds_bias_adjusted",
    ]
    assert set(rows.loc[rows["method"] != "p_holds_bias_adjusted", "interval"]) == {"90% bias-adjusted interval"}
    p = rows.loc[rows["method"] == "p_holds_bias_adjusted", "estimate"].iloc[0]
    assert p == 1.0  # 37% against 12.5% of 1,000 each: no draw reverses it


def test_findings_say_the_interval_and_never_a_certainty():
    lines = bias_analysis_findings(made_up_analysis())
    assert lines[0].startswith("- **trafficked (as published)**: published 37.0%")
    assert "95% bias-adjusted interval" in lines[0]
    assert "holds with probability more than 99.95% under these priors" in lines[2]
    assert probability_words(0.0, 2000) == "less than 0.05%"
    assert probability_words(0.9866, 10_000) == "98.7%"


def test_headline_table_puts_the_sampling_interval_beside_the_bias_adjusted_one():
    import pandas as pd

    sampling = pd.DataFrame({"group": ["trafficked"], "version": ["single"], "ci_low": [0.3405], "ci_high": [0.4006]})
    table = headline_interval_table(made_up_analysis(), sampling)
    assert table.loc[0, "95% CI (sampling only) from"] == 0.3405
    assert np.isnan(table.loc[1, "95% CI (sampling only) from"])
    assert table.loc[0, "95% bias-adjusted interval from"] < 0.3405


def test_tornado_chart_is_readable_and_has_alt_text_of_its_own():
    t = tornado(made_up_analysis())
    ax = tornado_chart(t, "trafficked (single)")
    assert_readable(ax)
    alt = chart_alt_text(ax.figure)
    assert alt.startswith("Chart: How much each prior moves: trafficked (as published).")
    assert "moves the median most" in alt
    ax = tornado_chart(t, "trafficked above unaccompanied")
    assert ax.get_xlabel() == "median difference (percentage points)"
    assert_readable(ax)
    with pytest.raises(ValueError, match="valid: trafficked"):
        tornado_chart(t, "no such quantity")


def test_widened_table_names_each_change():
    w = widened_words_table(widened(made_up_analysis()))
    assert w["change"].iloc[0] == "the priors as stated"
    assert "tilt's standard deviation doubled" in set(w["change"])


def test_tables_in_words_give_probabilities_in_words_when_told_the_draws():
    a = made_up_analysis()
    t = tornado_words_table(tornado(a), a.draws)
    assert list(t.columns) == ["result", "prior", "base", "at_low", "at_high", "swing", "p_low", "p_high"]
    assert set(t.loc[t["result"] == "trafficked above unaccompanied", "p_low"]) == {"more than 99.95%"}
    assert t.loc[t["result"] == "trafficked (as published)", "p_low"].isna().all()
    c = conclusion_interval_table(a)
    assert c.loc[0, "probability"] == "more than 99.95%"
    assert c.loc[0, "difference"] == pytest.approx(24.5, abs=2.0)  # 37% against 12.5%, in points


def test_beside_the_sliders_places_the_slider_against_the_child_share_range():
    from helpers.present.bias_analysis_words import beside_the_sliders

    a = made_up_analysis()
    lines = beside_the_sliders(a, "single", 0.35)
    # Shares drawn evenly from 30% to 44%: the 5th and 95th percentiles are 30.7% and 43.3%.
    assert lines[0].startswith(
        "- **trafficked**: silent councils could hold 12.0% to 73.0% of the children (random silence: 30.7% to "
        "43.3%, 5th to 95th percentile); your 35.0% is inside the random-silence range. Over every council: "
        "95% bias-adjusted interval "
    )
    assert "your 80.0% is outside what the council counts allow" in beside_the_sliders(a, "single", 0.8)[0]
    assert "possible, but outside the random-silence range" in beside_the_sliders(a, "single", 0.2)[0]
    assert lines[2].startswith("- **trafficked above unaccompanied**: holds with probability more than 99.95%")
    assert beside_the_sliders(a, "guardian", 0.35) == []
