"""No executed notebook shows "nan", "None", "<NA>" or text cut off; the notebooks in ``READABLE`` also show
every table through the one formatter and no finding through ``print()``.

A reader of the executed copies (or of the site built from them) should never meet a missing value printed
as a programming token, nor a table cell cut short by pandas. The notebooks listed in ``READABLE`` are held
to more: no snake_case header, no bare pandas index (0, 1, 2, ...), no unformatted float, no code shown where
the collection has a label for it, and no printed (stream) output. Each checker is tested on made-up
notebooks first, so a pass on the real ones means something. Add a notebook's executed copies to
``READABLE`` once its tables go through ``helpers.present.readable_table``.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from helpers.ledger.paths import EXECUTED_DIR
from helpers.present.site import table_rows
from helpers.present.tables import code_labels

EXECUTED = sorted(EXECUTED_DIR.glob("*.ipynb"))
TEXT_KINDS = ("text/plain", "text/html", "text/markdown", "text/latex")
PATTERNS = {
    "nan": re.compile(r"(?<![\w-])nan(?![\w-])", re.I),
    "NaT": re.compile(r"(?<![\w-])NaT(?![\w-])"),
    "None": re.compile(r"(?<![\w-])None(?![\w-])"),
    "<NA>": re.compile(r"<NA>|&lt;NA&gt;"),
    "cut-off text": re.compile(r"…|\.\.\.|&hellip;"),
}


def output_texts(nb):
    """(cell index, kind, text) for every text output of every code cell."""
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                yield index, "stream", output.get("text", "")
            for kind in TEXT_KINDS:
                if kind in output.get("data", {}):
                    yield index, kind, output["data"][kind]


def hygiene_problems(nb) -> list[str]:
    """One line per forbidden token found: cell, output kind, token and the text around it."""
    problems = []
    for index, kind, text in output_texts(nb):
        for name, pattern in PATTERNS.items():
            for match in pattern.finditer(text):
                around = text[max(0, match.start() - 50) : match.end() + 20].replace("\n", " ")
                problems.append(f"cell {index} {kind}: {name!r} in ...{around}...")
                break
    return problems


def _notebook(*outputs):
    cell = nbformat.v4.new_code_cell("x", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("execute_result", data=d, execution_count=1) for d in outputs]
    return nbformat.v4.new_notebook(cells=[cell])


@pytest.mark.parametrize(
    "data, token",
    [
        ({"text/markdown": "**Until Harm Ends**: nan. Published"}, "nan"),
        ({"text/plain": "a   NaN\nb   1.0"}, "nan"),
        ({"text/html": "<td>None</td>"}, "None"),
        ({"text/plain": "10  2024   <NA>"}, "<NA>"),
        ({"text/html": "<td>&lt;NA&gt;</td>"}, "<NA>"),
        ({"text/plain": "1,501 of 11,999 =..."}, "cut-off text"),
        ({"text/html": "<td>The Independent and outlets follo…</td>"}, "cut-off text"),
    ],
)
def test_checker_finds_each_forbidden_token(data, token):
    problems = hygiene_problems(_notebook(data))
    assert len(problems) == 1 and repr(token) in problems[0]


def test_checker_passes_clean_text_and_words_that_contain_the_tokens():
    clean = {
        "text/plain": "none published; finance; Nanny; 37.0% (35.1% to 39.0%)",
        "text/html": "<td>–</td><td>none</td>",
    }
    assert hygiene_problems(_notebook(clean)) == []


def test_the_table_formatters_show_missing_values_as_a_dash():
    import numpy as np
    import pandas as pd

    from helpers.present.tables import MISSING_TEXT, table_html, table_text

    frame = pd.DataFrame({"n": pd.array([1, None], dtype="Int64"), "x": [np.nan, 2.5], "s": [None, "a" * 80]})
    for text in (table_text(frame), table_html(frame)):
        assert MISSING_TEXT in text and "a" * 80 in text
        assert hygiene_problems(_notebook({"text/plain": text})) == []


@pytest.mark.parametrize("path", EXECUTED, ids=lambda p: p.name)
def test_executed_outputs_have_no_nan_none_or_cut_off_text(path, executed_notebooks):
    problems = hygiene_problems(executed_notebooks[path.name])
    assert not problems, "\n".join(problems)


#: Executed copies held to the readable-table rules (extend as notebooks adopt ``readable_table``).
READABLE = [
    "00_overview",
    "01_glossary",
    "05_methods",
    "10_report",
    "20_claims",
    "30_trends",
    "31_trend_sensitivity",
    "35_series_model",
    "40_nonresponse",
    "41_nonresponse_simulation",
    "50_explore",
    "90_exercises",
]

SNAKE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)+$")
# a float as pandas prints it: four or more decimals, a whole number with ".0", or a large number
# without thousands separators (years 1900-2099 are not counts and stay bare)
RAW_FLOAT = re.compile(r"^-?\d+\.\d{4,}$|^-?\d+\.0$|^-?\d{5,}(?:\.\d+)?$|^-?(?!19|20)\d{4}(?:\.\d+)?$")


def _labelled_codes() -> set[str]:
    """Every code that has a label different from itself (such a code should never be shown)."""
    return {code for words in code_labels().values() for code, label in words.items() if code and code != label}


def table_problems(nb) -> list[str]:
    """Snake_case headers, bare indexes, unformatted floats and labelled codes in HTML tables; printed output."""
    codes = _labelled_codes()
    problems = []
    for index, kind, text in output_texts(nb):
        if kind == "stream":
            problems.append(f"cell {index}: printed output (show findings as Markdown): {text[:60]!r}")
        if kind != "text/html" or "<table" not in text:
            continue
        heads = (
            re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", re.search(r"<thead.*?</thead>", text, re.S).group(0), re.S)
            if "<thead" in text
            else []
        )
        problems += [f"cell {index}: snake_case header {h!r}" for h in heads if SNAKE.match(h.strip())]
        body = re.search(r"<tbody.*?</tbody>", text, re.S)
        row_heads = re.findall(r"<tr[^>]*>\s*<th(?:\s[^>]*)?>(.*?)</th>", body.group(0), re.S) if body else []
        if row_heads and all(h.strip().isdigit() for h in row_heads):
            problems.append(f"cell {index}: a bare pandas index ({', '.join(row_heads[:3])}, ...)")
        for row in table_rows(text)[1:]:
            for value in row:
                if RAW_FLOAT.match(value):
                    problems.append(f"cell {index}: unformatted number {value!r}")
                elif value in codes:
                    problems.append(f"cell {index}: the code {value!r} is shown instead of its label")
    return problems


def _html_table(head: str, rows: list[list[str]], index: bool = False) -> dict:
    cells = "".join(
        "<tr>" + (f"<th>{i}</th>" if index else "") + "".join(f"<td>{v}</td>" for v in row) + "</tr>"
        for i, row in enumerate(rows)
    )
    th = "".join(f"<th>{h}</th>" for h in ([""] if index else []) + head.split(","))
    return {"text/html": f"<table><thead><tr>{th}</tr></thead><tbody>{cells}</tbody></table>"}


@pytest.mark.parametrize(
    "data, found",
    [
        (_html_table("ci_low,rate", [["35.1%", "37.0%"]]), "snake_case header 'ci_low'"),
        (_html_table("report,rate", [["x", "37.0%"], ["y", "12.5%"]], index=True), "bare pandas index"),
        (_html_table("report,rate", [["x", "68.641471"]]), "unformatted number '68.641471'"),
        (_html_table("report,count", [["x", "590.0"]]), "unformatted number '590.0'"),
        (_html_table("report,count", [["x", "4744"]]), "unformatted number '4744'"),
        (_html_table("report,verdict", [["x", "not_checkable"]]), "the code 'not_checkable'"),
        (_html_table("report,version", [["x", "guardian"]]), "the code 'guardian'"),
        (_html_table("estimator,rate", [["respondents_only", "1.0%"]]), "the code 'respondents_only'"),
    ],
)
def test_table_checker_finds_each_problem(data, found):
    problems = table_problems(_notebook(data))
    assert len(problems) == 1 and found in problems[0], problems


def test_table_checker_finds_printed_output():
    nb = _notebook({"text/plain": "x"})
    nb.cells[0].outputs.append(nbformat.v4.new_output("stream", name="stdout", text="13 of 85 claims"))
    assert [p for p in table_problems(nb) if "printed output" in p]


def test_table_checker_passes_what_show_table_displays():
    import pandas as pd

    from helpers.present.tables import readable_table

    raw = pd.DataFrame(
        {
            "report_id": ["until-harm-ends"],
            "version": ["guardian"],
            "year": [2024],
            "rate": [0.370021],
            "in_care": [2335.0],
            "tau2": [0.0123456],
            "verdict": ["not_checkable"],
            "method": ["respondents_only"],
        }
    )
    shown = readable_table(
        raw,
        units={"rate": "share", "tau2": "ratio"},
        labels={"report_id": {"until-harm-ends": "Until Harm Ends (2025)"}},
    )
    assert table_problems(_notebook({"text/html": shown._repr_html_()})) == []
    assert shown.frame.iloc[0].tolist() == [
        "Until Harm Ends (2025)",
        "councils answering each question (Guardian)",
        "2024",
        "37.0%",
        "2,335",
        "0.01",
        "cannot be checked",
        "respondents only",
    ]
    assert list(shown.frame.columns)[:3] == ["report", "version", "year"]


def _readable_copies():
    return [p for p in EXECUTED if any(p.stem == n or p.stem.startswith(n + "-") for n in READABLE)]


@pytest.mark.parametrize("path", _readable_copies(), ids=lambda p: p.name)
def test_readable_notebooks_show_readable_tables_and_no_printed_findings(path, executed_notebooks):
    problems = table_problems(executed_notebooks[path.name])
    assert not problems, "\n".join(problems)


def test_show_table_hands_over_to_readable_table():
    import pandas as pd

    from helpers.present.nonresponse_findings import show_table

    raw = pd.DataFrame(
        {
            "method": ["respondents_only", "bounds"],
            "councils": [1234.0, None],
            "estimate": [0.123456, 0.5],
            "source_id": ["s1", "s2"],
        }
    )
    shown = show_table(
        raw,
        {"estimate": "{:.1%}"},
        na_rep="–",
        headers={"method": "method", "councils": "councils", "estimate": "estimate", "source_id": "source"},
        labels={"source_id": {"s1": "The Guardian, news article"}},
    )
    assert list(shown.frame.columns) == ["method", "councils", "estimate", "source"]
    assert shown.frame.to_dict("list") == {
        "method": ["respondents only", "item non-response bounds"],
        "councils": ["1,234", "–"],
        "estimate": ["12.3%", "50.0%"],
        "source": ["The Guardian, news article", "s2"],
    }
    assert table_problems(_notebook({"text/html": shown._repr_html_()})) == []


def test_readable_table_takes_a_format_as_unit_and_labels_figure_units():
    import pandas as pd

    from helpers.present.tables import readable_table

    shown = readable_table(
        pd.DataFrame({"ratio": [1.027612, 0.99], "unit": ["ratio", "one_in_n"], "k": [12000, 3]}),
        units={"ratio": "{:.3f}"},
    )
    assert shown.frame.to_dict("list") == {
        "ratio": ["1.028", "0.990"],
        "unit": ["ratio (times as many)", "one in N"],
        "k": ["12,000", "3"],
    }


def test_source_labels_name_publisher_and_kind():
    import pandas as pd

    from helpers.present.labels import source_labels

    sources = pd.DataFrame(
        {
            "source_id": ["a", "b"],
            "publisher": ["ECPAT UK; Missing People", "The Guardian"],
            "kind": ["report", "news_article"],
        }
    )
    assert source_labels(sources) == {"a": "ECPAT UK and Missing People, report", "b": "The Guardian, news article"}
