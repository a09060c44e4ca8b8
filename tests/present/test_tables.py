"""The one table formatter, ``readable_table``: each rule checked on values worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.present.tables import COLUMN_WORDS, MISSING_TEXT, header_words, readable_table


def test_units_separators_and_missing_values():
    raw = pd.DataFrame(
        {
            "rate": [864 / 2335, np.nan],  # 0.370021... -> 37.0%
            "published_pct": [37, 13.0],
            "difference": [-24.49, 3.0],
            "width": [3.914, 0.5],
            "estimate": [1.0612, 0.9],
            "in_care": [12530.0, 2335],
            "mean": [1234.5678, 2.26],
            "year": [2024.0, 2018],
        }
    )
    shown = readable_table(
        raw,
        units={
            "rate": "share",
            "published_pct": "percent",
            "difference": "points",
            "width": "width in points",
            "estimate": "ratio",
        },
    )
    assert shown.frame.to_dict("list") == {
        "rate": ["37.0%", MISSING_TEXT],
        "published": ["37.0%", "13.0%"],
        "difference": ["-24.5 points", "+3.0 points"],
        "width": ["3.9 points", "0.5 points"],
        "estimate": ["1.06", "0.90"],
        "in care": ["12,530", "2,335"],
        "mean": ["1,234.6", "2.3"],
        "year": ["2024", "2018"],
    }


def test_no_index_headers_in_words_and_codes_as_labels():
    raw = pd.DataFrame(
        {"report_id": ["until-harm-ends"], "version": ["independent"], "verdict": ["not_checkable"], "p_value": [0.5]},
        index=[7],
    )
    shown = readable_table(raw, labels={"report_id": {"until-harm-ends": "Until Harm Ends (2025)"}})
    assert list(shown.frame.columns) == ["report", "version", "verdict", "p-value"]
    assert shown.frame.iloc[0].tolist() == [
        "Until Harm Ends (2025)",
        "all councils counted (Independent)",
        "cannot be checked",
        "0.5",
    ]
    html = shown._repr_html_()
    assert "<th>7</th>" not in html and ">7<" not in html  # the index is gone
    assert header_words("ci_low") == COLUMN_WORDS["ci_low"] and header_words("some_new_name") == "some new name"


def test_long_text_is_whole_and_links_point_at_their_urls(tmp_path):
    text = "a long explanation " * 20
    raw = pd.DataFrame({"outlet": ["BBC News"], "url": ["https://example.org/a b"], "explanation": [text]})
    shown = readable_table(raw, links={"outlet": "url"})
    assert list(shown.frame.columns) == ["outlet", "what went wrong"]
    html = shown._repr_html_()
    assert '<a href="https://example.org/a b">BBC News</a>' in html and text.strip() in html
    assert "white-space:normal" in html  # wrapped in the cell, never cut
    shown.to_csv(tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_text().splitlines()[0] == "outlet,what went wrong"


def test_groups_measures_official_figures_and_periods_read_as_words():
    raw = pd.DataFrame(
        {
            "group": ["looked_after", "non_exploited_looked_after", "trafficked"],
            "measure": ["went_missing_one_in_n", "regional_share_pct", "went_missing"],
            "period": ["2014-09/2015-09", "2018/2020", "2017"],
            "official_measure": ["uasc_at_31_march", "cla_at_31_march", "population_0_17"],
            "first": ["trafficked, 2014-09/2015-09", "a", "b"],
        }
    )
    shown = readable_table(raw).frame
    assert shown.to_dict("list") == {
        "group of children": ["looked-after children", "looked-after children not exploited", "trafficked"],
        "measure": ["recorded as missing, one in N", "share in the named regions", "recorded as missing"],
        "period": ["Sep 2014 to Sep 2015", "2018 to 2020", "2017"],
        "official measure": [
            "unaccompanied children in care on 31 March",
            "children in care on 31 March",
            "children aged 0 to 17 living in the area",
        ],
        "first": ["trafficked, Sep 2014 to Sep 2015", "a", "b"],
    }
