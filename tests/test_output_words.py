"""Every value a reader meets in a table of the executed copies is in words: no snake_case id
(``looked_after``, ``cla_at_31_march``) and no period as data/ writes it (``2014-09/2015-09``).

The check reads every HTML table of every executed copy (what the site shows), cell by cell. The
checker is tried on made-up tables first, so a pass on the real copies means something. Charts are
held to the same rule by ``helpers.present.plots.assert_readable`` (ticks, axis labels, legends), which
every chart of the notebooks ends with.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nbformat
import pytest

from helpers.ledger.paths import EXECUTED_DIR

EXECUTED = sorted(EXECUTED_DIR.glob("*.ipynb"))

#: A snake_case id anywhere in a cell ("went_missing_one_in_n"), and a period as data/ writes it.
SNAKE = re.compile(r"(?<![\w/.-])[a-z0-9]+(?:_[a-z0-9]+)+(?![\w/.-])")
ISO_PERIOD = re.compile(r"\b\d{4}(?:-\d{2})?/\d{4}(?:-\d{2})?\b")

#: Values that stay as they are, with the reason. Empty: claim, discrepancy, report and source ids are
#: written with hyphens or as D14, never in snake_case, so no id a reader needs trips the check.
AGREED_EXCEPTIONS: dict[str, str] = {}


class _Cells(HTMLParser):
    """The text of every <td> and <th> cell of an HTML fragment, in order (links and markup dropped)."""

    def __init__(self):
        super().__init__()
        self.cells: list[str] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("td", "th"):
            self._open = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._open is not None:
            self.cells.append(" ".join("".join(self._open).split()))
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open.append(data)


def table_cells(html_text: str) -> list[str]:
    """The text of every table cell in an HTML output."""
    parser = _Cells()
    parser.feed(html_text)
    return parser.cells


def id_problems(nb) -> list[str]:
    """One line per table cell of ``nb`` that shows a snake_case id or an ISO period."""
    problems = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html", "")
            if "<table" not in html:
                continue
            for text in table_cells(html):
                found = [m for m in SNAKE.findall(text) + ISO_PERIOD.findall(text) if m not in AGREED_EXCEPTIONS]
                if found:
                    problems.append(f"cell {index}: {found[0]!r} in the table cell {text[:70]!r}")
    return problems


def _notebook(html: str):
    cell = nbformat.v4.new_code_cell("x", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/html": html}, execution_count=1)]
    return nbformat.v4.new_notebook(cells=[cell])


@pytest.mark.parametrize(
    "cell, found",
    [
        ("looked_after", "looked_after"),
        ("<a href='x'>cla_at_31_march</a>", "cla_at_31_march"),
        ("went_missing_one_in_n", "went_missing_one_in_n"),
        ("2014-09/2015-09", "2014-09/2015-09"),
        ("trafficked, 2014-09/2015-09: 167 of 590 = 28.3%", "2014-09/2015-09"),
        ("2018/2020", "2018/2020"),
    ],
)
def test_checker_finds_ids_and_iso_periods(cell, found):
    problems = id_problems(_notebook(f"<table><tr><th>group</th></tr><tr><td>{cell}</td></tr></table>"))
    assert len(problems) == 1 and repr(found) in problems[0], problems


def test_checker_passes_words_ids_with_hyphens_and_text_outside_tables():
    words = [
        "looked-after children",
        "Sep 2014 to Sep 2015",
        "until-harm-ends",
        "D14",
        "2014-15",
        "1 in 4",
        "https://example.org/a_b",
    ]
    html = "<p>looked_after</p><table>" + "".join(f"<tr><td>{w}</td></tr>" for w in words) + "</table>"
    assert id_problems(_notebook(html)) == []


@pytest.mark.parametrize("path", EXECUTED, ids=lambda p: p.name)
def test_executed_tables_show_words_not_ids_or_iso_periods(path, executed_notebooks):
    problems = id_problems(executed_notebooks[path.name])
    assert not problems, "\n".join(problems)
