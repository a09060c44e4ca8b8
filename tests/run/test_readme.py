"""The README and the docs/ pages are current: their generated blocks match the ledger, the catalogue and the
executed copies; the README stays a short front door that points to the pages."""

from __future__ import annotations

import re

from helpers.ledger.paths import PROJECT_ROOT
from helpers.run.readme import BUILDERS, README, generated_documents, outputs_map, render
from helpers.run.runner import load_catalogue


def test_generated_blocks_are_current_in_every_document():
    texts = {path.name: path.read_text(encoding="utf-8") for path in generated_documents()}
    assert {"README.md", "outputs.md"} <= set(texts)
    for name in BUILDERS:
        holders = [doc for doc, text in texts.items() if f"<!-- BEGIN {name} -->" in text]
        assert len(holders) == 1 and f"<!-- END {name} -->" in texts[holders[0]], name
    for doc, text in texts.items():
        assert render(text) == text, f"{doc} is out of date: run `mfc readme` (make run does)"
    assert "<!-- BEGIN key-findings -->" in texts["README.md"] and "<!-- BEGIN notebooks -->" in texts["README.md"]
    assert "<!-- BEGIN outputs -->" in texts["outputs.md"]


def test_readme_is_a_front_door_that_links_every_reference_page():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 200
    pages = sorted(p.name for p in (PROJECT_ROOT / "docs").glob("*.md"))
    assert len(pages) >= 9
    for page in pages:
        assert f"](docs/{page})" in text, page
    assert "make run" in text and "make test" in text


def test_readme_maps_every_catalogue_notebook_and_shows_the_key_chart():
    text = README.read_text(encoding="utf-8")
    for run in load_catalogue():
        assert f"`{run.notebook}`" in text and f"`{run.output_name}`" in text
    assert "](docs/key-chart.png)" in text and (PROJECT_ROOT / "docs" / "key-chart.png").is_file()
    assert (PROJECT_ROOT / "docs" / "key-chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (PROJECT_ROOT / "CITATION.cff").is_file()
    for heading in ("## Key findings", "## Computational requirements", "## Data availability and licences"):
        assert heading in text
    steps = (PROJECT_ROOT / "docs" / "add-a-report.md").read_text(encoding="utf-8")
    assert steps.startswith("# How to add a report\n") and "mfc rehash && mfc check-data && make run" in steps


def test_the_outputs_page_maps_every_executed_copy():
    text = (PROJECT_ROOT / "docs" / "outputs.md").read_text(encoding="utf-8")
    for run in load_catalogue():
        assert f"- `{run.notebook}`" in text


def test_outputs_map_lists_each_section_that_shows_a_table_or_chart():
    text = outputs_map()
    assert "- `00_overview.ipynb`\n" in text and "  - The picture: 1 chart" in text
    assert re.search(r"- `10_report.ipynb` \(\d+ runs\)", text)


def test_a_notebook_added_later_appears_without_code_changes(tmp_path, monkeypatch):
    """A new catalogue entry (say a non-response notebook) shows up in the generated blocks."""
    import nbformat

    import helpers.run.readme as readme

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(
                "# Non-response\n\n**What this shows.** Bounds for councils that did not answer. More text."
            ),
            nbformat.v4.new_markdown_cell("## Bounds"),
        ]
    )
    out = nbformat.v4.new_code_cell("x", execution_count=1)
    out.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "fig"})]
    nb.cells.append(out)
    (tmp_path / "40_nonresponse.ipynb").write_text(nbformat.writes(nb))
    (tmp_path / "executed").mkdir()
    (tmp_path / "executed" / "40_nonresponse.ipynb").write_text(nbformat.writes(nb))

    class Run:
        notebook, output_name, variant, parameters = "40_nonresponse.ipynb", "40_nonresponse.ipynb", None, {}

    monkeypatch.setattr(readme, "load_catalogue", lambda: [Run()])
    table = readme.notebook_table(tmp_path)
    assert "| `40_nonresponse.ipynb` | Non-response | Bounds for councils that did not answer. |" in table
    assert readme.outputs_map(tmp_path / "executed") == "- `40_nonresponse.ipynb`\n  - Bounds: 1 chart"


def test_mfc_readme_names_a_stale_document_then_rewrites_it(tmp_path, monkeypatch, capsys):
    import helpers.run.readme as readme
    from helpers.run.cli import main as mfc

    doc = tmp_path / "README.md"
    doc.write_text("Intro.\n\n<!-- BEGIN notebooks -->\nold table\n<!-- END notebooks -->\n", encoding="utf-8")
    monkeypatch.setattr(readme, "README", doc)
    monkeypatch.setattr(readme, "DOCS_DIR", tmp_path / "docs")  # no pages there
    assert mfc(["readme", "--check"]) == 1
    assert capsys.readouterr().err == f"{doc}: generated blocks are out of date; run `mfc readme`\n"
    assert "old table" in doc.read_text(encoding="utf-8"), "--check writes nothing"
    assert mfc(["readme"]) == 0 and capsys.readouterr().out == f"{doc}\n"
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("Intro.\n\n<!-- BEGIN notebooks -->\n| notebook | title |") and "old table" not in text
    assert "| `00_overview.ipynb` | The series at a glance |" in text
    assert mfc(["readme", "--check"]) == 0 and mfc(["readme"]) == 0
    assert capsys.readouterr().out == "", "an up-to-date document is not rewritten"
