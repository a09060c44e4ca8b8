"""The explorer's computations (helpers.present.explore), checked by hand arithmetic on the ledger's counts.

Until Harm Ends (Guardian version): 864 of 2,335 trafficked and 1,501 of 11,999 unaccompanied children went
missing; 135 of the 212 councils in the frame answered on trafficked children (141 on unaccompanied). The statistical review of
issue 16 found, with its own code, that "trafficked above unaccompanied" is overturned with no assumption
once silent councils hold 19.7% of the children (13.6% for Heading Back to Harm), and that at a silent
share of 0.335 it needs a gap of 48.6 points; and a random-effects trend of 1.0585 (0.957 to 1.170).
"""

from __future__ import annotations

import math

import matplotlib
import pytest

matplotlib.use("Agg")

from helpers.ledger.errors import ParameterError  # noqa: E402
from helpers.nonresponse.two_sided import all_council_rate  # noqa: E402
from helpers.present import assert_readable  # noqa: E402
from helpers.present import explore as ex  # noqa: E402
from helpers.stats.report_view import report_view  # noqa: E402

T, U = 864 / 2335, 1501 / 11999


@pytest.fixture(scope="module")
def uhe(ledger):
    return ex.silent_inputs(ledger, report_view(ledger.figures, "until-harm-ends"), "guardian")


def wilson(k, n, z=1.959963984540054):
    """The Wilson score interval, written out: (p + z²/2n ± z √(p(1-p)/n + z²/4n²)) / (1 + z²/n)."""
    p = k / n
    centre, half = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)


def test_all_council_rate_is_the_share_weighted_mix():
    assert all_council_rate(0.37, 0.335, 0.0) == pytest.approx(0.665 * 0.37)
    assert all_council_rate(0.125, 0.335, 1.0) == pytest.approx(0.665 * 0.125 + 0.335)
    assert all_council_rate(0.2, 0.0, 0.9) == pytest.approx(0.2)


@pytest.mark.parametrize("args", [(0.3, 1.2, 0.1), (-0.1, 0.2, 0.1), (0.3, 0.2, "high"), (0.3, True, 0.1)])
def test_a_value_outside_0_to_1_is_named(args):
    with pytest.raises(ParameterError, match="must be a fraction from 0 to 1"):
        all_council_rate(*args)


def test_two_sided_thresholds_reproduce_the_review():
    assert ex.no_assumption_share(T, U) == pytest.approx(0.197, abs=5e-4)
    assert ex.needed_gap(T, U, 0.335) == pytest.approx(0.486, abs=5e-4)
    assert ex.no_assumption_share(167 / 590, 593 / 4744) == pytest.approx(0.136, abs=5e-4)
    assert ex.no_assumption_share(0.1, 0.2) == 0  # a conclusion that does not hold cannot be overturned
    assert math.isinf(ex.needed_gap(T, U, 0.0))


def test_silent_inputs_start_from_the_published_rates_and_share_of_councils(uhe):
    assert uhe["rates"] == pytest.approx({"trafficked": T, "unaccompanied": U})
    assert uhe["share"] == pytest.approx(1 - 135 / 212)  # the larger share of the two groups, as in 40
    assert "approximation" in uhe["share_note"] and "77 of 212 councils" in uhe["share_note"]
    assert uhe["analysis"][0].startswith("trafficked above unaccompanied: holds if")
    assert "14.2%" in uhe["analysis"][0]  # the review's threshold with item non-response too
    assert "(When Harm Remains" in " ".join(uhe["conclusions"]["comparator_label"])  # titles, not ids


def test_the_two_sided_conclusion_flips_exactly_at_the_needed_gap(uhe):
    s = 0.335
    gap = (1 - s) * (T - U) / s
    just_holds = ex.conclusions_under(uhe, s, 0.2, 0.2 + gap - 0.001).set_index("conclusion")
    overturned = ex.conclusions_under(uhe, s, 0.2, 0.2 + gap + 0.001).set_index("conclusion")
    assert just_holds.loc["trafficked above unaccompanied", "holds at these values"] == "yes"
    assert overturned.loc["trafficked above unaccompanied", "holds at these values"] == "NO, overturned"


def test_a_fixed_comparator_moves_only_the_trafficked_side(uhe):
    # trafficked 2024 against When Harm Remains's 378 of 1,231 (30.7%); DfE 2024 is far below.
    table = ex.conclusions_under(uhe, 0.5, 0.2, 0.0).set_index("conclusion")
    moved = 0.5 * T + 0.5 * 0.2  # 28.5%: below 30.7%, above DfE
    assert table.loc["trafficked 2024 above trafficked 2020", "all councils"] == f"{moved:.1%} against {378 / 1231:.1%}"
    assert table.loc["trafficked 2024 above trafficked 2020", "holds at these values"] == "NO, overturned"
    assert table.loc["trafficked above all looked-after (DfE)", "holds at these values"] == "yes"


def test_a_conclusion_the_answering_councils_do_not_support_says_so(ledger):
    # Still in Harm's Way (first figures): 246 of 1,015 trafficked in 2017 against 167 of 590 in 2015.
    sihw = ex.silent_inputs(
        ledger, report_view(ledger.figures, "still-in-harms-way"), "original"
    )  # not the default version: no analysis
    table = ex.conclusions_under(sihw, 0.0, 0.0, 0.0).set_index("conclusion")
    row = table.loc["trafficked 2017 above trafficked 2015"]
    assert row["answering councils"] == f"{246 / 1015:.1%} against {167 / 590:.1%}" == "24.2% against 28.3%"
    assert row["holds at these values"] == "no (not even in the answering councils)"
    assert sihw["share"] is None and "no count of answering councils" in sihw["share_note"]


def test_rates_view_shows_the_mix_for_each_group(uhe):
    view = ex.rates_view(uhe, 0.25, 0.5, 0.1)
    assert list(view["all councils"]) == [f"{0.75 * T + 0.125:.1%}", f"{0.75 * U + 0.025:.1%}"]
    assert list(view["group"]) == ["trafficked", "unaccompanied (UASC)"]


def test_tipping_in_words(uhe, ledger):
    words = ex.tipping_in_words(uhe, 0.335)
    assert "19.7%" in words and "48.6 points" in words
    hbth = ex.silent_inputs(ledger, report_view(ledger.figures, "heading-back-to-harm"), "single")
    assert hbth["share"] == pytest.approx(1 - 200 / 217)
    assert (
        ex.silent_inputs(ledger, report_view(ledger.figures, "until-harm-ends"), "independent")["analysis"] == []
    )  # 40 uses Guardian
    assert "13.6%" in ex.tipping_in_words(
        hbth, hbth["share"]
    ) and "no rates in the silent councils can overturn it" in ex.tipping_in_words(hbth, 0.08)
    reversed_ = {"rates": {"trafficked": 0.1, "unaccompanied": 0.2}}
    assert ex.tipping_in_words(reversed_, 0.3).endswith(
        "does not hold even in the answering councils (10.0% against 20.0%)."
    )
    companion = ex.silent_inputs(ledger, report_view(ledger.figures, "exploited-looked-after-children"), "single")
    assert companion["share"] is None and "does not publish both groups" in ex.tipping_in_words(companion, 0.0)


def test_chart_draws_the_boundary_where_the_arithmetic_puts_it(uhe):
    ax = ex.silent_rates_chart(uhe, 0.335, 0.3, 0.5)
    line = next(ln for ln in ax.get_lines() if ln.get_label().startswith("trafficked above unaccompanied"))
    assert line.get_ydata()[0] == pytest.approx((1 - 0.335) * (T - U) / 0.335)
    point = next(ln for ln in ax.get_lines() if "you chose" in ln.get_label())
    assert (point.get_xdata()[0], point.get_ydata()[0]) == (0.3, 0.5)
    # DfE's 11.2% would need a silent trafficked rate below 0 at this share: named, not drawn
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "trafficked above all looked-after (DfE): no silent rates overturn it at this share" in labels
    assert_readable(ax)


def test_choices_read_as_words(ledger):
    reports = ex.report_choices(ledger.figures, ledger.reports)
    assert reports[0] == ("Heading Back to Harm", "heading-back-to-harm") and len(reports) == 5
    assert [v for _, v in ex.version_choices(report_view(ledger.figures, "until-harm-ends"))] == [
        "guardian",
        "independent",
    ]
    # first the version with the smallest denominator: Still in Harm's Way's revised 910 against 1,015
    assert [v for _, v in ex.version_choices(report_view(ledger.figures, "still-in-harms-way"))] == [
        "revised",
        "original",
    ]
    assert (
        ex.version_choices(report_view(ledger.figures, "until-harm-ends"))[0][0]
        == "councils answering each question (Guardian)"
    )
    groups = ex.group_choices(report_view(ledger.figures, "until-harm-ends"), "guardian")
    assert groups == [("Trafficked", "trafficked"), ("Unaccompanied (UASC)", "unaccompanied")]
    with pytest.raises(ParameterError, match="valid: guardian, independent"):
        ex.group_choices(report_view(ledger.figures, "until-harm-ends"), "revised")


def test_headline_names_its_interval_and_takes_one_more(ledger):
    rows = ex.headline_rows(ledger, report_view(ledger.figures, "until-harm-ends"), "guardian", "trafficked")
    lo, hi = wilson(864, 2335)
    view = ex.headline_view(rows)
    assert view.loc[0, "95% CI (sampling only)"] == f"{lo:.1%} to {hi:.1%}" == "35.1% to 39.0%"
    assert view.loc[0, "rebuilt rate"] == "37.0%" and view.loc[0, "children in care"] == "2,335"
    # the design-effect grid: Wilson on the effective sample size, both counts divided by d
    for d in (1.5, 3, 7):
        lo_d, hi_d = wilson(864 / d, 2335 / d)
        assert view.loc[0, f"95% sensitivity interval (design effect {d:g})"] == f"{lo_d:.1%} to {hi_d:.1%}"
    low, d = rows.loc[0, "deff_low"], rows.loc[0, "deff_high"]
    implied = (
        f"95% sensitivity interval (design effect {low:.2f}–{d:.2f}, derived from DfE councils, not measured; "
        "upper end)"
    )
    lo_d, hi_d = wilson(864 / d, 2335 / d)
    assert 1 < low < d < 3 and view.loc[0, implied] == f"{lo_d:.1%} to {hi_d:.1%}"
    wider = ex.headline_view(rows, extra={"sensitivity interval (design effect 2)": ([0.3], [0.4])})
    assert wider.loc[0, "sensitivity interval (design effect 2)"] == "30.0% to 40.0%"
    lo90, hi90 = wilson(864, 2335, z=1.6448536269514722)
    rows90 = ex.headline_rows(ledger, report_view(ledger.figures, "until-harm-ends", 0.1), "guardian", "trafficked")
    assert ex.headline_view(rows90).loc[0, "90% CI (sampling only)"] == f"{lo90:.1%} to {hi90:.1%}"
    with pytest.raises(ParameterError, match="valid: trafficked, unaccompanied"):
        ex.headline_rows(ledger, report_view(ledger.figures, "until-harm-ends"), "guardian", "exploited")


def test_trend_view_reproduces_the_review_and_names_the_interval(ledger):
    table, sentences = ex.trend_view(ledger)
    first = table.iloc[0]
    assert first["group"] == "trafficked" and first["reports"] == 4
    assert first["odds ratio per year"] == "1.059"  # the review's 1.0585
    assert first["95% CI (random effects, t on k−2 df)"] == "0.957 to 1.170"
    assert sentences[0].startswith("Trafficked: inconclusive across 4 reports")
    assert "(95% CI (random effects, t on 2 df) 0.957 to 1.170)" in sentences[0]
    _, binomial = ex.trend_view(ledger, model="binomial")
    assert "shown for contrast only" in binomial[0] and "detectable" not in binomial[0]
    with pytest.raises(ParameterError, match="model"):
        ex.trend_view(ledger, model="lasso")


def test_every_menu_choice_and_slider_of_the_notebook_works_in_a_kernel(kept_kernel):
    """The notebook's wiring, driven in a kernel: every report, version, group and trend choice redraws
    without an error, and the sliders move the all-council rate to the value the helper computes. The
    kernel is the test process's kept one, reset to a fresh kernel's state (tests/conftest.py)."""
    import nbformat
    from nbclient import NotebookClient

    from helpers.ledger.paths import NOTEBOOKS_DIR

    nb = nbformat.read(NOTEBOOKS_DIR / "50_explore.ipynb", as_version=4)
    nb.cells.append(
        nbformat.v4.new_code_cell(
            """
seen = []
for _, rid in pick_report.options:
    pick_report.value = rid
    for _, v in pick_version.options:
        pick_version.value = v
        for _, g in pick_group.options:
            pick_group.value = g
            assert "<td>" in headline_box.value
            # a chart, or (the companion study: no trafficked or unaccompanied rate) a sentence, never blank
            drawn = bytes(chart_box.value[:5]) == b"<?xml" and b"<svg" in bytes(chart_box.value)
            assert drawn or (chart_box.value == b"" and "publishes no rate" in rates_box.value), rid
            assert drawn == (rid != "exploited-looked-after-children"), rid
            seen.append((rid, v, g))
    share.value, silent_t.value, silent_u.value = 0.5, 0.0, 1.0
assert not trend_controls  # the trend tab is built when first opened
explorer.selected_index = 1
for control in trend_controls:
    for _, value in control.options:
        control.value = value
        assert "odds ratio per year" in trend_box.value
pick_report.value = "heading-back-to-harm"
pick_report.value = "until-harm-ends"
share.value, silent_t.value = 0.5, 0.0
analyses.wait("until-harm-ends")  # drawn in the background; a slider move then only rewrites the text
share.value = 0.3
assert "your 30.0% is inside the random-silence range" in bias_box.value, bias_box.value
assert "bias-adjusted interval 33.2% to 40.9%" in bias_box.value
pick_report.value = "when-harm-remains"
analyses.wait("when-harm-remains")
assert "gives no count of silent councils" in bias_box.value, bias_box.value
pick_report.value = "until-harm-ends"
share.value, silent_t.value = 0.5, 0.0
print(len(seen), pick_version.value, silent_u.value, rates_box.value.count("18.5%"))
"""
        )
    )
    with kept_kernel() as kernel:
        NotebookClient(
            nb, km=kernel.km, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS_DIR)}}
        ).execute()
    out = nb.cells[-1].outputs[0]["text"].split()
    # 1 x 2 + 2 x 3 + 1 x 2 + 1 x 1 + 2 x 2 = 15 (report, version, group) choices; a new report resets the
    # version to its first and the sliders: the unaccompanied one is back at 1,501 / 11,999 to its step, 12.5%
    assert out[:3] == ["15", "guardian", "0.125"]
    assert out[3] == "1"  # trafficked over all councils: 0.5 x 864 / 2,335 + 0.5 x 0 = 18.5%


def test_executed_copies_keep_a_widget_as_its_sentence_only():
    """The runner drops widget state and view ids (random per run) and keeps the LiveOnly sentence."""
    import nbformat

    from helpers.run.runner import strip_volatile

    class Widget:
        def _repr_mimebundle_(self, **kwargs):
            return {"text/plain": "Tab(...)", "application/vnd.jupyter.widget-view+json": {"model_id": "f00"}}

    data, _ = ex.LiveOnly(Widget(), "Run make explore.")._repr_mimebundle_()
    assert data == {"text/plain": "Run make explore.", "application/vnd.jupyter.widget-view+json": {"model_id": "f00"}}
    cell = nbformat.v4.new_code_cell("explorer", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("execute_result", data=data, execution_count=1)]
    nb = nbformat.v4.new_notebook(cells=[cell], metadata={"widgets": {"state": {"f00": {}}}})
    clean = strip_volatile(nb)
    assert "widgets" not in clean.metadata
    assert clean.cells[0].outputs[0]["data"] == {"text/plain": "Run make explore."}


def test_view_heading_names_the_report_by_title_year_version_and_group(ledger):
    assert ex.view_heading(ledger.reports, "heading-back-to-harm", "single", "unaccompanied") == (
        "Heading Back to Harm (2016); version: as published; group: unaccompanied (UASC)"
    )
    # published 20 December 2018 (data/reports.csv)
    assert ex.view_heading(ledger.reports, "still-in-harms-way", "original", "trafficked").startswith(
        "Still in Harm's Way (2018); version: "
    )


def test_a_report_without_the_two_groups_says_each_empty_part_in_a_sentence(ledger):
    title = "Exploited looked after children going missing from care (2022)"
    inputs = ex.silent_inputs(ledger, report_view(ledger.figures, "exploited-looked-after-children"), "single")
    assert inputs["rates"] == {} and inputs["conclusions"].empty  # the companion study counts exploited children
    empty = ex.nothing_to_show(inputs, title)
    assert set(empty) == {"rates", "conclusions", "chart"}
    assert empty["rates"].startswith(title) and empty["conclusions"].startswith(title)


def test_a_report_with_both_groups_has_nothing_to_excuse(uhe):
    assert ex.nothing_to_show(uhe, "Until Harm Ends (2025)") == {}


def test_a_report_with_rates_but_no_conclusion_keeps_its_rates_and_chart(uhe):
    inputs = {**uhe, "conclusions": uhe["conclusions"].iloc[:0]}
    assert set(ex.nothing_to_show(inputs, "Until Harm Ends (2025)")) == {"conclusions"}


@pytest.mark.parametrize(
    ("typed", "share"), [("25", 0.25), ("25%", 0.25), (" 12.5 % ", 0.125), ("0", 0.0), ("100", 1.0)]
)
def test_a_typed_share_is_read_in_per_cent(typed, share):
    assert ex.parse_percent(typed) == pytest.approx(share)


@pytest.mark.parametrize(
    ("typed", "message"),
    [("250", "250% is out of range"), ("-3", "-3% is out of range"), ("abc", "“abc” is not a number")],
)
def test_a_typed_share_out_of_range_or_not_a_number_is_refused_with_a_sentence(typed, message):
    with pytest.raises(ValueError, match=message):
        ex.parse_percent(typed)


def test_the_analysis_under_the_sliders_follows_the_silent_share(uhe):
    below, above = ex.analysis_at(uhe, 0.10), ex.analysis_at(uhe, 0.363)
    assert below[0].endswith(
        "At your silent share of 10.0%, below 14.2%, it holds whatever the silent councils' rates."
    )
    assert "At your silent share of 36.3%, not below 14.2%, it rests on the silent councils' rates" in above[0]
    assert below[0].startswith(uhe["analysis"][0])  # the fixed sentence of 40_nonresponse, then the moving one


def test_the_terms_section_defines_every_term_the_explorer_links_to_as_the_glossary_does(tmp_path):
    """Each glossary link of 50_explore has its definition on the page (where the live page's links lead),
    word for word the glossary's; a link inside a definition stays on the page only if its term is there."""
    import re

    import nbformat

    from helpers.ledger.paths import NOTEBOOKS_DIR
    from helpers.present.glossary import links_in

    nb = nbformat.read(NOTEBOOKS_DIR / "50_explore.ipynb", as_version=4)
    linked = set().union(*(links_in(c.source) for c in nb.cells if c.cell_type == "markdown"))
    # Outputs link the terms each link_terms call names (its second argument, a list of anchors).
    for cell in nb.cells:
        if cell.cell_type == "code" and "link_terms(" in cell.source:
            lists = re.findall(r"[,(]\s*\[([^\]]*)\]", cell.source)  # an argument list, not a subscript
            linked |= {a for lst in lists for a in re.findall(r'"([a-z0-9-]+)"', lst)}
    terms_cell = next(c.source for c in nb.cells if "glossary_section(" in c.source)
    listed = re.findall(r'"([a-z0-9-]+)"', terms_cell)
    assert linked <= set(listed)
    assert {
        "versions",
        "wilson",
        "tipping-point",
        "random-effects",
        "looked-after",
        "odds-ratio",
        "bias-adjusted-interval",
    } <= linked
    text = ex.glossary_section(listed)
    assert (
        text.count('<a id="glossary-') == len(listed) == 11
        and '<a id="glossary-wilson"></a>\n**Wilson score interval.**' in text
    )
    assert "it stays inside 0 to 1 and behaves well for small counts" in text

    glossary = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(
                '<a id="a"></a>\n### Term A\nSee [term b](01_glossary.ipynb#b) and [term c](01_glossary.ipynb#c).\n'
                '<a id="b"></a>\n### Term B\nPlain.\n'
            )
        ]
    )
    path = tmp_path / "01_glossary.ipynb"
    nbformat.write(glossary, path)
    assert ex.glossary_section(["a", "b"], path) == (
        '<a id="glossary-a"></a>\n**Term A.** See [term b](#glossary-b) and term c.\n\n'
        '<a id="glossary-b"></a>\n**Term B.** Plain.'
    )
    with pytest.raises(KeyError, match="no glossary entry for zz"):
        ex.glossary_section(["a", "zz"], path)


def test_the_explorer_reads_the_glossary_as_the_site_does_without_nbformat():
    """The definitions the explorer shows are the entries the site's glossary is built from, read without
    nbformat (its import takes seconds the live page would wait for)."""
    import subprocess
    import sys

    import nbformat

    from helpers.ledger.paths import NOTEBOOKS_DIR
    from helpers.present.glossary import definitions
    from helpers.present.site import glossary_entries

    site = glossary_entries(nbformat.read(NOTEBOOKS_DIR / "01_glossary.ipynb", as_version=4))
    assert definitions() == site and len(site) >= 50
    code = (
        "import sys, helpers.present.explore as ex; ex.glossary_section(['wilson']); print('nbformat' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


def test_the_tipping_chart_is_an_svg_of_the_chosen_share_and_its_figure_is_closed(uhe):
    import matplotlib.pyplot as plt

    ax = ex.silent_rates_chart(uhe, 0.363, 0.37, 0.125)
    svg = ex.figure_svg(ax)
    assert svg.startswith(b"<?xml") and b"<svg" in svg
    assert b"Silent councils hold 36.3% of each group" in svg  # text drawn as paths keeps its words in a comment
    assert ax.figure.number not in plt.get_fignums()


@pytest.fixture(scope="module")
def uhe_bias(ledger):
    """Until Harm Ends' bias analysis (a few seconds of draws), as the explorer builds it once per report."""
    from helpers.nonresponse.bias_analysis import bias_analysis

    return bias_analysis(ledger, report_view(ledger.figures, "until-harm-ends"))


def test_beside_the_sliders_stands_the_bias_adjusted_interval_and_where_the_share_falls(uhe_bias):
    h = uhe_bias.headlines.set_index(["group", "version"])
    interval = f"95% bias-adjusted interval {h.loc[('trafficked', 'guardian'), 'low']:.1%} to "
    interval += f"{h.loc[('trafficked', 'guardian'), 'high']:.1%}"
    assert interval == "95% bias-adjusted interval 33.2% to 40.9%"
    inside, possible, outside = (ex.bias_words(uhe_bias, "guardian", s, "UHE") for s in (0.363, 0.10, 0.80))
    rise = uhe_bias.conclusions.set_index("conclusion").loc["trafficked 2024 above trafficked 2020", "p_holds"]
    assert f"{rise:.1%}" == "82.4%"  # another report's councils: the between-report variation is drawn too
    for text in (inside, possible, outside):
        assert interval in text and "holds with probability 82.4%" in text
    # the trafficked children's silent share: 7.5% to 73.3% allowed, 29.2% to 43.7% under random silence
    assert "your 36.3% is inside the random-silence range" in inside
    assert "your 10.0% is possible, but outside the random-silence range" in possible
    assert "your 80.0% is outside what the council counts allow" in outside
    # the independent's figures have their own interval, and only their own conclusions
    independent = ex.bias_words(uhe_bias, "independent", 0.363, "UHE")
    assert interval not in independent and "bias-adjusted interval 29.4% to 36.4%" in independent


def test_beside_the_sliders_a_report_without_silent_councils_says_so_and_drawing_says_computing(ledger):
    no_count = ex.build_bias_analysis(ledger, report_view(ledger.figures, "when-harm-remains"))
    assert ex.bias_words(no_count, "single", 0.3, "When Harm Remains (2022)") == ex.no_silent_count_sentence(
        "When Harm Remains (2022)"
    )
    assert ex.no_silent_count_sentence("X").startswith("X gives no count of silent councils")
    assert ex.bias_words(None, "single", 0.3, "X") == ex.COMPUTING
    assert ex.bias_words(ValueError("no ICC"), "single", 0.3, "X").endswith(": no ICC")
    assert ex.bias_words_html("- **a**: b\n- c") == "<ul><li><b>a</b>: b</li><li>c</li></ul>"
    assert ex.bias_words_html("One sentence.") == "<p>One sentence.</p>"


def test_each_report_is_drawn_once_in_the_background_and_kept(ledger):
    import threading

    built, ready, release = [], [], threading.Event()

    def build(view):
        release.wait(10)
        built.append(view.report_id)
        return f"analysis of {view.report_id}"

    analyses = ex.BiasAnalyses(build, on_ready=ready.append)
    view = report_view(ledger.figures, "until-harm-ends")
    analyses.start(view)
    analyses.start(view)  # chosen again while drawing: not drawn twice
    assert analyses.get("until-harm-ends") is None  # "computing" until the draws are made
    release.set()
    assert analyses.wait("until-harm-ends") == "analysis of until-harm-ends"
    analyses.start(view)  # chosen again once drawn: kept
    assert analyses.wait("until-harm-ends") == "analysis of until-harm-ends"
    assert built == ready == ["until-harm-ends"]
