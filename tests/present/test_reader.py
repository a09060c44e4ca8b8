"""Readable labels, the glossary's links, the key findings, the teaching inputs and the chart theme."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from helpers.ledger.errors import ParameterError  # noqa: E402
from helpers.ledger.paths import EXECUTED_DIR, NOTEBOOKS_DIR  # noqa: E402
from helpers.ledger.versions import version_labels  # noqa: E402
from helpers.present.findings import findings_markdown, key_findings  # noqa: E402
from helpers.present.glossary import TERMS, glossary_anchors, links_in, term_link  # noqa: E402
from helpers.present.labels import (  # noqa: E402
    discrepancy_markdown,
    report_heading,
    source_link,
    source_links,
    sources_markdown,
    version_label,
)
from helpers.present.plots import OKABE_ITO, rate_chart, readability_problems, year_line, year_positions  # noqa: E402
from helpers.present.teaching import claim_counts, points_and_per_cent  # noqa: E402

# --- labels -------------------------------------------------------------------------------------


def test_version_labels_read_as_words_and_cover_every_version_in_the_ledger(ledger):
    assert version_label("guardian") == "councils answering each question (Guardian)"
    assert version_label("independent") == "all councils counted (Independent)"
    assert set(ledger.figures["version"]) <= set(version_labels(ledger))
    with pytest.raises(ValueError, match="valid ids: single, original"):
        version_label("")


def test_a_source_is_its_title_linked_to_its_url(ledger):
    row = ledger.sources.iloc[0]
    assert source_link(ledger.sources, row["source_id"]) == f"[{row['title']}]({row['url']})"
    assert source_link(ledger.sources, row["source_id"], markup="html") == f'<a href="{row["url"]}">{row["title"]}</a>'
    two = source_links(ledger.sources, f"{ledger.sources.iloc[0]['source_id']};{ledger.sources.iloc[1]['source_id']}")
    assert two.count("](http") == 2 and "; " in two
    with pytest.raises(KeyError, match="'nope' is not in data/sources.csv"):
        source_link(ledger.sources, "nope")


def test_report_heading_leaves_out_a_missing_subtitle(ledger):
    assert pd.isna(ledger.reports.set_index("report_id").loc["until-harm-ends", "subtitle"])
    text = report_heading(ledger.reports, "until-harm-ends")
    assert text.startswith("**Until Harm Ends**. Published 24 November 2025 by ECPAT UK and Missing People;")
    assert "nan" not in text.lower().split()
    assert report_heading(ledger.reports, "still-in-harms-way").startswith(
        "**Still in Harm's Way**: An update report on trafficked"
    )


def test_discrepancies_become_a_markdown_list_with_whole_text_and_links(ledger):
    text = discrepancy_markdown(ledger.discrepancies[ledger.discrepancies["discrepancy_id"] == "D1"], ledger.sources)
    summary = ledger.discrepancies.set_index("discrepancy_id").loc["D1", "summary"]
    assert text.startswith("- **D1** (known discrepancy). ") and summary in text
    assert "  - *Likely explanation:* Probably the larger totals" in text and "](https://" in text
    assert discrepancy_markdown(ledger.discrepancies.iloc[0:0]) == "The ledger records no discrepancy for this report."


# --- glossary -----------------------------------------------------------------------------------


def test_every_glossary_term_has_its_anchor_in_the_glossary():
    assert set(TERMS) <= glossary_anchors()
    assert term_link("wilson") == "[Wilson score interval](01_glossary.ipynb#wilson)"
    with pytest.raises(KeyError, match="valid anchors: foi"):
        term_link("wilsn")


@pytest.mark.parametrize(
    "path",
    sorted(NOTEBOOKS_DIR.glob("*.ipynb")) + sorted(EXECUTED_DIR.glob("*.ipynb")),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_every_glossary_link_in_a_notebook_has_a_target(path):
    nb = nbformat.read(path, as_version=4)
    texts = [c.source for c in nb.cells if c.cell_type == "markdown"]
    texts += [o.get("data", {}).get("text/markdown", "") for c in nb.cells for o in c.get("outputs", [])]
    linked = set().union(*(links_in(t) for t in texts))
    assert linked <= glossary_anchors(), f"links to missing glossary entries: {sorted(linked - glossary_anchors())}"


def test_glossary_is_linked_from_the_notebooks_that_use_its_terms():
    text = (NOTEBOOKS_DIR / "00_overview.ipynb").read_text() + (NOTEBOOKS_DIR / "05_methods.ipynb").read_text()
    assert {"wilson", "versions", "newcombe", "per-cent-vs-points"} <= links_in(text)


# --- findings -----------------------------------------------------------------------------------


def test_key_findings_state_the_ledger_numbers(ledger):
    facts = key_findings(ledger)
    t = facts["latest"]["trafficked"]
    assert (t.count, t.of) == (864, 2335) and facts["latest"]["version"] == "guardian"
    assert math.isclose(t.rate, 864 / 2335)
    other = facts["latest"]["other_versions"]["independent"]
    assert (other.count, other.of) == (864, 2638)
    u = facts["latest"]["unaccompanied"]
    assert (u.count, u.of) == (1501, 11999)
    assert facts["published"]["unexplained"] == 0
    text = findings_markdown(facts, ledger.reports)
    assert "864 of 2,335 trafficked children in care (37.0%; 95% CI (sampling only) 35.1% to 39.0%)" in text
    assert "864 of 2,638 (32.8%" in text and "nan" not in text.lower().split()


# --- teaching -----------------------------------------------------------------------------------


def test_claim_counts_and_points_against_per_cent(ledger):
    assert claim_counts(ledger, "hbth-fosterline-trafficked-28pct") == (167, 590, "28")
    change = points_and_per_cent(0.20, 0.25)
    assert math.isclose(change["points"], 5.0) and math.isclose(change["per_cent"], 25.0)
    with pytest.raises(ParameterError, match="not in data/claims.csv"):
        claim_counts(ledger, "no-such-claim")


# --- chart theme --------------------------------------------------------------------------------


def test_setup_applies_the_okabe_ito_palette():
    from helpers.run.notebook import setup

    setup()
    colours = [c["color"] for c in matplotlib.rcParams["axes.prop_cycle"]]
    assert colours == OKABE_ITO
    import warnings

    warnings.resetwarnings()


def test_years_get_distinct_positions_in_calendar_order():
    assert year_positions(["2020", 2018.0, 2018, None, "2015"]) == {2015: 0, 2018: 1, 2020: 2}


def _rates(labels):
    return pd.DataFrame({"x": labels, "g": "a", "rate": 0.3, "ci_low": 0.2, "ci_high": 0.4})


def test_rate_chart_puts_year_labels_in_order_and_passes_the_readability_check():
    ax = rate_chart(_rates(["2020", "2018"]), x="x", hue="g")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2018", "2020"]
    assert readability_problems(ax) == []
    plt.close(ax.figure)


def test_rate_chart_refuses_values_missing_from_x_order():
    with pytest.raises(ValueError, match=r"not in x_order: \['2018.0'\]"):
        rate_chart(_rates([2018.0]).astype({"x": str}), x="x", hue="g", x_order=["2018"])


def test_readability_check_names_each_problem():
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [0, 1], label="one")
    ax.plot([0, 1], [1, 0], label="two")
    ax.set_xticks([0, 0.02, 1], ["2020", "a long overlapping label", "2018"])
    problems = readability_problems(ax)
    assert "the x axis has no label" in problems and "the y axis has no label" in problems
    assert "several series are drawn but there is no legend" in problems
    assert "x tick labels overlap" in problems
    ax.legend()
    assert "the legend has no title" in readability_problems(ax)
    plt.close(fig)


def test_readability_check_catches_years_out_of_order_and_sharing_a_position():
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot([0, 1], [0, 1])
    ax.set(xlabel="year", ylabel="rate")
    ax.set_xticks([0, 1], ["2020", "2018"])
    assert readability_problems(ax) == ["years on the x axis are not in calendar order"]
    ax.set_xticks([0, 0], ["2018", "2020"])
    assert "two years share one position on the x axis" in readability_problems(ax)
    plt.close(fig)


def test_year_line_breaks_across_missing_years():
    fig, ax = plt.subplots()
    line = year_line(ax, pd.DataFrame({"year": [2015, 2017, 2018], "v": [1.0, 2.0, 3.0]}), "year", "v", label="s")
    ys = line.get_ydata()
    assert list(line.get_xdata()) == [2015, 2016, 2017, 2018] and math.isnan(ys[1]) and list(ys[[0, 2, 3]]) == [1, 2, 3]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2015", "2016", "2017", "2018"]
    plt.close(fig)


def test_claims_chart_counts_identical_claims_and_labels_inconsistent_ones(ledger):
    from helpers.claims.alternatives import alternatives_from
    from helpers.claims.check import check_claims, read_claims
    from helpers.present.claims_report import chart_points

    verdicts = check_claims(read_claims(ledger.data_dir / "claims.csv"), alternatives_from(ledger.figures))
    points = chart_points(verdicts)
    assert points["claims"].sum() == len(verdicts)
    same = verdicts[(verdicts["a"] == "864") & (verdicts["b"] == "2638") & (verdicts["stated"] == "37")]
    row = points[(points["stated_value"] == 37) & points["computed_value"].round(3).eq(round(100 * 864 / 2638, 3))]
    assert len(row) == 1 and row["claims"].item() == len(same) > 1
    # the point is labelled with the row numbers of its claims in the table of inconsistent claims
    assert row["label"].item().split(", ") == [
        str(i + 1) for i in same.index.map(list(verdicts.index[verdicts["verdict"] == "inconsistent"]).index)
    ]
    assert (points.loc[points["verdict"] == "inconsistent", "label"] != "").all()


def test_claims_chart_panels_are_readable(ledger):
    from helpers.claims.alternatives import alternatives_from
    from helpers.claims.check import check_claims, read_claims
    from helpers.present.claims_report import stated_vs_computed_chart

    verdicts = check_claims(read_claims(ledger.data_dir / "claims.csv"), alternatives_from(ledger.figures))
    fig = stated_vs_computed_chart(verdicts)
    from helpers.present.plots import extended_problems

    assert [readability_problems(ax) + extended_problems(ax) for ax in fig.axes] == [[]] * len(fig.axes)
    legend = fig.legends[0]
    assert legend.get_title().get_text() == "verdict, and point size: identical claims"
    words = {"consistent": "consistent", "inconsistent": "inconsistent", "not_checkable": "cannot be checked"}
    shown = {words[v] for v in verdicts["verdict"].unique()}  # a verdict no claim has gets no legend entry
    assert {"consistent", "inconsistent"} <= shown
    assert shown | {"1 claim"} <= {t.get_text() for t in legend.get_texts()}
    plt.close(fig)


def test_sources_markdown_lists_each_source_once_with_its_link(ledger):
    ids = list(ledger.sources["source_id"][:2])
    text = sources_markdown(ledger.sources, ids + ids[:1] + [None])
    assert text.splitlines()[0] == f"- `{ids[0]}`: {source_link(ledger.sources, ids[0])}"
    assert len(text.splitlines()) == 2
    assert sources_markdown(ledger.sources, []) == "No source is cited here."
