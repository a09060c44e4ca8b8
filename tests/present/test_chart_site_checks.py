"""The chart fixes of issue 17 pass the site checks of ``extended_problems``, and the faults they fix are caught."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from helpers.present.plots import extended_problems, plain_log_axis  # noqa: E402


def _log_chart(plain: bool):
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.errorbar([0, 1, 2], [0.8, 1.1, 1.6], yerr=[[0.2, 0.3, 0.4], [0.3, 0.4, 0.5]], fmt="o", capsize=3)
    ax.set_yscale("log")
    if plain:
        plain_log_axis(ax.yaxis)
    ax.set(xlabel="x", ylabel="odds ratio (log scale)")
    fig.canvas.draw()
    return ax


def test_a_default_log_axis_is_caught_and_plain_log_axis_reads_in_plain_numbers():
    default = extended_problems(_log_chart(plain=False))
    assert any("scientific notation" in p for p in default), default
    ax = _log_chart(plain=True)
    assert not [p for p in extended_problems(ax) if "scientific" in p]
    shown = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    lo, hi = ax.get_ylim()
    # ticks at 1, 2 and 5 times a power of ten, printed as plain numbers
    expected = [f"{v:g}" for v in (0.5, 1, 2) if lo <= v <= hi]
    assert [s for s in shown if s in expected] == expected
    plt.close("all")


def _results():
    rows = []
    for scen in ["MCAR", "MNAR, slope -2"]:
        for est, bias, cov in [("respondents_only", 0.001, 0.95), ("ipw", -0.02, 0.99)]:
            rows.append(
                {
                    "scenario": scen,
                    "estimator": est,
                    "bias": bias,
                    "bias_mcse": 0.0005,
                    "coverage": cov,
                    "coverage_mcse": 0.006,
                }
            )
    return pd.DataFrame(rows)


def test_simulation_chart_is_page_wide_with_whiskers_inside_and_bias_in_points():
    from helpers.present.nonresponse_plots import simulation_chart

    fig = simulation_chart(_results(), title="SYNTHETIC councils: " + "a long title " * 8)
    assert fig.get_figwidth() <= 8
    for ax in fig.axes:
        assert extended_problems(ax) == [], extended_problems(ax)
    # coverage 99% with two MCSEs of 0.6 points reaches 100.2%: the axis must reach past it
    assert fig.axes[1].get_ylim()[1] >= 0.99 + 2 * 0.006
    assert "points" in fig.axes[0].get_ylabel() and "%" not in "".join(
        t.get_text() for t in fig.axes[0].get_yticklabels()
    )
    plt.close("all")


def test_a_cap_past_the_axis_is_caught():
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.errorbar([0], [0.49], yerr=[[0.01], [0.012]], fmt="o", capsize=3)
    ax.set_ylim(0, 0.5)
    ax.set(xlabel="x", ylabel="y")
    assert any("cap" in p for p in extended_problems(ax))
    plt.close("all")


def test_estimator_chart_draws_the_bounds_as_a_column_and_distinct_percent_ticks():
    from helpers.present.nonresponse_plots import estimator_chart

    syn = "MCAR (synthetic councils)"
    rows = [
        ("bounds", "item non-response, no assumption", "bounds", 0.125, 0.120, 0.162),
        ("respondents_only", "published counts", "95% CI (sampling only)", 0.125, 0.119, 0.131),
        ("respondents_only", syn, "range across 2 synthetic scenarios", 0.125, 0.125, 0.125),
        ("ipw", syn, "range across 2 synthetic scenarios", 0.126, 0.122, 0.130),
    ]
    table = pd.DataFrame(rows, columns=["method", "scenario", "interval", "estimate", "low", "high"]).assign(
        group="unaccompanied", version="guardian"
    )
    ax = estimator_chart(table, "unaccompanied", published_pct=13.0, title="a title " * 12)
    ax.figure.canvas.draw()
    bars = [p for p in ax.patches if p.get_height() > 0]
    assert len(bars) == 1 and np.isclose(bars[0].get_x() + bars[0].get_width() / 2, -1)
    assert np.isclose(bars[0].get_y(), 0.120) and np.isclose(bars[0].get_height(), 0.162 - 0.120)
    assert ax.get_xticklabels()[0].get_text() == "bounds (no\nassumption)"
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert len(ticks) == len(set(ticks)) and "12.5%" in ticks
    assert extended_problems(ax) == [], extended_problems(ax)
    plt.close("all")


def test_iso_periods_and_ids_on_axes_are_caught_and_rate_chart_writes_periods_in_words():
    from helpers.present.plots import rate_chart

    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot([0, 1], [0.1, 0.2], label="trafficked, 2014-09/2015-09")
    ax.set_xticks([0, 1], ["2014-09/2015-09", "2017"])
    ax.set(xlabel="went_missing", ylabel="share")
    ax.legend(title="what is drawn")
    problems = [p for p in extended_problems(ax) if "ISO period" in p]
    assert len(problems) == 3, problems  # the tick, the axis label and the legend entry
    plt.close("all")

    table = pd.DataFrame(
        {"period": ["2014-09/2015-09", "2018/2020"], "group": ["trafficked"] * 2, "rate": [0.28, 0.3]}
    ).assign(ci_low=lambda t: t["rate"] - 0.02, ci_high=lambda t: t["rate"] + 0.02)
    ax = rate_chart(table, x="period", hue="group", xlabel="period", legend_title="children")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Sep 2014 to Sep 2015", "2018 to 2020"]
    assert not [p for p in extended_problems(ax) if "ISO period" in p]
    plt.close("all")


def test_two_legend_entries_drawn_alike_are_caught_and_a_line_beside_points_is_not():
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.errorbar([0, 1], [0.3, 0.4], yerr=0.05, fmt="o", color="#DE8F05", label="MAR by size")
    ax.errorbar([0.2, 1.2], [0.3, 0.4], yerr=0.05, fmt="o", color="#DE8F05", label="MNAR")
    ax.axhline(0.35, color="#DE8F05", ls=":", label="published %")  # same colour, but a dotted line
    ax.axhline(0.36, color="black", ls="--", label="respondents only")
    ax.axhline(0.37, color="grey", ls="--", label="reference")  # greys mark references
    ax.set(xlabel="estimator", ylabel="share")
    ax.legend(title="scenario")
    alike = [p for p in extended_problems(ax) if "share the colour" in p]
    assert alike == ["the legend entries 'MAR by size' and 'MNAR' share the colour #de8f05 and mark"]
    plt.close("all")


def test_the_estimator_chart_draws_the_published_share_in_a_colour_no_scenario_uses():
    from helpers.present.nonresponse_plots import estimator_chart

    rows = []
    for scenario in ["MCAR (synthetic councils)", "MAR by size, slope +1 (synthetic councils)"]:
        for method in ["respondents_only", "ipw"]:
            rows.append(
                {
                    "group": "trafficked",
                    "scenario": scenario,
                    "method": method,
                    "interval": "range across seeds",
                    "estimate": 0.37,
                    "low": 0.35,
                    "high": 0.39,
                    "version": "guardian",
                }
            )
    ax = estimator_chart(pd.DataFrame(rows), "trafficked", published_pct=37.0, title="Until Harm Ends")
    handles, labels = ax.get_legend_handles_labels()
    published = handles[labels.index("published %")].get_color()
    scenarios = [h.lines[0].get_color() for h, lab in zip(handles, labels) if "synthetic" in lab]
    # far from every scenario's colour (the Okabe-Ito orange it was lies 0.11 from the palette's orange)
    rgb = matplotlib.colors.to_rgb
    distance = [np.abs(np.subtract(rgb(published), rgb(c))).sum() for c in scenarios]
    assert len(scenarios) == 2 and min(distance) > 0.3, distance
    plt.close("all")


def test_rate_chart_leaves_room_so_no_point_sits_on_the_frame():
    from helpers.present.plots import rate_chart

    table = pd.DataFrame(
        {
            "period": ["2020", "2024"],
            "group": ["trafficked"] * 2,
            "rate": [0.33, 0.37],
            "ci_low": [0.31, 0.351],
            "ci_high": [0.35, 0.39],
            "published_pct": [37.0, 40.0],
        }
    )
    ax = rate_chart(table, x="period", hue="group", published="published_pct", legend_title="children")
    low, high = ax.get_ylim()
    assert low == 0 and high >= 0.40 * 1.1 - 1e-12  # above the highest diamond (40%), with a tenth to spare
    assert ax.get_xlim() == (-0.6, 1.6)  # half a category beyond the first and last points
    plt.close("all")
