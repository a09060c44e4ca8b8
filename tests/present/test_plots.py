"""The site checks of ``assert_readable``: each one fails on a chart made to break it and passes a good one.

Charts are drawn headless (Agg) at the theme's settings; a figure wider than the page
(``PAGE_WIDTH_IN``) is judged at the size the page shows it.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from helpers.present.plots import PAGE_WIDTH_IN, apply_theme, assert_readable, extended_problems, rate_chart  # noqa: E402


@pytest.fixture(autouse=True)
def theme():
    apply_theme()
    yield
    plt.close("all")


def _axes(width=6.0):
    fig, ax = plt.subplots(figsize=(width, 3.5))
    ax.set(xlabel="year", ylabel="odds ratio")
    return ax


def test_scientific_ticks_on_a_ratio_axis_are_found():
    ax = _axes()
    ax.plot([1, 2, 3], [0.6, 1.0, 2.0])
    ax.set_yscale("log")  # matplotlib labels this 10^0 in mathtext unless told otherwise
    ax.figure.canvas.draw()
    assert any("scientific notation" in p for p in extended_problems(ax))
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(plt.NullFormatter())
    assert not any("scientific notation" in p for p in extended_problems(ax))


def test_an_error_bar_cap_above_the_axis_is_found():
    ax = _axes()
    ax.errorbar([1], [0.45], yerr=[[0.05], [0.052]], fmt="o", capsize=3)
    ax.set_ylim(0, 0.5)  # the cap sits at 0.502, past the top
    assert [p for p in extended_problems(ax) if "error-bar cap" in p]
    ax.set_ylim(0, 0.55)
    assert not [p for p in extended_problems(ax) if "error-bar cap" in p]


@pytest.mark.parametrize(
    "entry, bad", [("mar_size", True), ("not_checkable", True), ("guardian", True), ("MAR", False)]
)
def test_legend_entries_must_be_words_not_ids(entry, bad):
    ax = _axes()
    ax.plot([1, 2], [1, 2], label=entry)
    ax.plot([1, 2], [2, 1], label="the other series")
    ax.legend(title="scenario")
    found = [p for p in extended_problems(ax) if "legend shows the id" in p]
    assert bool(found) is bad


def test_text_smaller_than_8_pt_at_the_displayed_size_is_found():
    wide = _axes(width=2 * PAGE_WIDTH_IN)  # shown at half size: 9 pt ticks read as 4.5 pt
    wide.plot([1, 2], [1, 2])
    problems = [p for p in extended_problems(wide) if "pt as displayed" in p]
    assert problems and "4.5 pt" in problems[0]
    fitting = _axes(width=PAGE_WIDTH_IN)
    fitting.plot([1, 2], [1, 2])
    assert not [p for p in extended_problems(fitting) if "pt as displayed" in p]


def test_text_running_off_the_figure_is_found():
    ax = _axes()
    ax.plot([1, 2], [1, 2])
    ax.text(1.02, 0.5, "a label that runs well past the right edge", transform=ax.transAxes)
    assert [p for p in extended_problems(ax) if "runs past the edge" in p]


def test_a_rate_chart_of_the_collection_passes_every_check():
    table = pd.DataFrame(
        {
            "year": [2017, 2017, 2024, 2024],
            "group": ["trafficked", "unaccompanied (UASC)"] * 2,
            "rate": [0.242, 0.153, 0.370, 0.125],
            "ci_low": [0.217, 0.143, 0.351, 0.119],
            "ci_high": [0.270, 0.163, 0.390, 0.131],
            "published_pct": [24, 15, 37, 13],
        }
    )
    ax = rate_chart(table, x="year", hue="group", published="published_pct", title="Went missing")
    assert_readable(ax, extended=True)
