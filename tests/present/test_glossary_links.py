"""Every page of the catalogue links each glossary term at its first use, and every entry is linked somewhere.

A page is an executed notebook as the reader sees it: its Markdown cells and the Markdown its code cells
display (findings written by ``helpers/present``), in order. Tables (HTML) and code are not prose and are
not held to this; nor are headings (a link in a heading would make the page's contents and its search title
links), code spans, URLs and the text of links to other pages (``helpers.present.glossary.prose_of``). The
glossary page itself is left out. Which words count as a use of a term is ``TERM_USES`` (with
``NOT_USES`` and ``SENSE_PAGES``) in ``helpers/present/glossary.py``. The pages are the executed copies in ``notebooks/executed/``; set
``GLOSSARY_PAGES_DIR`` to check another folder of executed runs (e.g. one written by ``mfc run NB
--output-dir``).
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from helpers.ledger.catalogue import load_catalogue
from helpers.ledger.paths import EXECUTED_DIR
from helpers.present.glossary import (
    GLOSSARY_NOTEBOOK,
    TERM_USES,
    TERMS,
    links_in,
    term_uses,
    unlinked_first_uses,
)

PAGES_DIR = Path(os.environ.get("GLOSSARY_PAGES_DIR") or EXECUTED_DIR)
RUNS = [run for run in load_catalogue() if run.notebook != GLOSSARY_NOTEBOOK]


def page_parts(path: Path):
    """(where, markdown) for each Markdown cell and each Markdown output of a notebook, in reading order."""
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        # the executed copy's index (papermill adds a cell after the parameters) and the id the source shares
        where = f"cell {index} (id {cell.get('id', '?')})"
        if cell.cell_type == "markdown":
            yield where, cell.source
        for output in cell.get("outputs", []):
            markdown = output.get("data", {}).get("text/markdown")
            # The explorer's "Terms used here" quotes glossary definitions (helpers.present.explore.
            # glossary_section): a definition's words are the glossary's, not a use on the page.
            if markdown and '<a id="glossary-' not in markdown:
                yield f"{where}, its displayed Markdown", markdown


def page_path(run) -> Path:
    path = PAGES_DIR / run.output_name
    if not path.is_file():
        pytest.skip(f"{path} not executed")
    return path


# --- the rules themselves, on small texts -------------------------------------------------------------


def test_uses_and_variants_are_found_outside_code_headings_and_other_links():
    text = (
        "# Knapp-Hartung in a title\n\n"
        "With `ICC` in code, the Knapp–Hartung interval uses random-effects weights and "
        "[a source on MICE](https://example.org/mice) before MICE is named, then p-values."
    )
    found = [(anchor, words) for _, anchor, words in term_uses(text, "30_trends")]
    assert found == [
        ("knapp-hartung", "Knapp–Hartung"),
        ("random-effects", "random-effects"),
        ("mice", "MICE"),
        ("p-value", "p-values"),
    ]


def test_acronyms_match_in_capitals_only_and_everyday_senses_only_on_their_pages():
    assert term_uses("in March, mice and the icc", "10_report") == []
    assert term_uses("selection bias and press coverage", "10_report") == []
    assert [a for _, a, _ in term_uses("bias and coverage", "41_nonresponse_simulation")] == ["bias", "coverage"]


def test_first_use_must_be_linked_at_or_before_it():
    linked_later = [("cell 1", "MICE fills gaps; [MICE](01_glossary.ipynb#mice) again.")]
    assert unlinked_first_uses(linked_later, "40_nonresponse") == [("cell 1", "mice", "MICE")]
    linked_first = [
        ("cell 1", "[multiple imputation](01_glossary.ipynb#mice) by chained equations"),
        ("cell 2", "MICE, unlinked, is fine here."),
    ]
    assert unlinked_first_uses(linked_first, "40_nonresponse") == []
    # the words of a link to one entry are not a use of another ("design effect" inside Kish's link)
    kish = [("cell 3", "[Kish's design effect](01_glossary.ipynb#kish) and then a design effect")]
    assert unlinked_first_uses(kish, "10_report") == [("cell 3", "design-effect", "design effect")]


def test_every_term_has_phrases():
    assert set(TERM_USES) == set(TERMS)


# --- the pages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("run", RUNS, ids=[run.name for run in RUNS])
def test_first_use_of_every_term_links_to_its_entry(run):
    page = Path(run.notebook).stem
    missing = unlinked_first_uses(page_parts(page_path(run)), page)
    assert not missing, f"{run.output_name}: first uses without a glossary link: " + "; ".join(
        f"{where}: {words!r} -> {GLOSSARY_NOTEBOOK}#{anchor}" for where, anchor, words in missing
    )


def test_every_entry_is_linked_outside_the_glossary():
    linked = set()
    for run in RUNS:
        path = PAGES_DIR / run.output_name
        if path.is_file():
            linked |= set().union(*(links_in(markdown) for _, markdown in page_parts(path)))
    unused = [anchor for anchor in TERMS if anchor not in linked]
    assert not unused, f"glossary entries no page links to: {unused}"
