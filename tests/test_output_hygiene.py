"""No executed notebook shows "nan", "None", "<NA>" or text cut off with an ellipsis, in HTML or plain text.

A reader of the executed copies (or of the HTML site built from them) should never meet a missing value
printed as a programming token, nor a table cell cut short by pandas. The checker is tested on made-up
notebooks first, so a pass on the real ones means something.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from helpers.ledger.paths import EXECUTED_DIR

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
def test_executed_outputs_have_no_nan_none_or_cut_off_text(path):
    problems = hygiene_problems(nbformat.read(path, as_version=4))
    assert not problems, "\n".join(problems)
