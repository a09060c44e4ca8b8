"""The site's search lists the glossary once for a term (site/conf.py drops the glossary's index entries)."""

from __future__ import annotations

import importlib.util

from docutils import nodes
from sphinx import addnodes

from helpers.present.site import SITE_CONFIG_DIR


def site_conf():
    spec = importlib.util.spec_from_file_location("site_conf", SITE_CONFIG_DIR / "conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_glossary_terms_lose_their_index_entry_and_keep_their_anchor():
    term = nodes.term("", "Logit", ids=["term-Logit"])
    term += addnodes.index(entries=[("single", "Logit", "term-Logit", "main", None)])
    elsewhere = addnodes.index(entries=[("single", "Wilson", "id1", "main", None)])
    doctree = nodes.document(None, None)
    doctree += addnodes.glossary("", nodes.definition_list("", nodes.definition_list_item("", term)))
    doctree += elsewhere
    site_conf().drop_glossary_index_entries(None, doctree)
    assert [n["entries"][0][1] for n in doctree.findall(addnodes.index)] == ["Wilson"]  # only outside the glossary
    assert term["ids"] == ["term-Logit"]  # term references still land on the entry


def test_search_summaries_stay_off_for_a_site_opened_from_disk():
    assert site_conf().html_show_search_summary is False


def test_glossary_links_in_displayed_markdown_become_term_references(tmp_path):
    import nbformat

    from helpers.present.site import prepare_notebook

    shown = nbformat.v4.new_code_cell("Markdown(text)")
    shown.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"text/markdown": "Its [E-value](01_glossary.ipynb#e-value) is 8.66.", "text/plain": "x"},
        )
    ]
    terms = {"e-value": ("selection-bias E-value", "…")}
    staged = prepare_notebook(nbformat.v4.new_notebook(cells=[shown]), "40_nonresponse-x", terms, tmp_path)
    assert staged.cells[0].outputs[0]["data"]["text/markdown"] == (
        "Its {term}`E-value <selection-bias E-value>` is 8.66."
    )
    assert shown.outputs[0]["data"]["text/markdown"].startswith("Its [E-value]"), "the executed copy is not changed"
