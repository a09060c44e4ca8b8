"""The README is current: its generated blocks match the ledger, the catalogue and the executed copies."""

from __future__ import annotations

import re

from helpers.ledger.paths import PROJECT_ROOT
from helpers.run.readme import BUILDERS, README, outputs_map, render
from helpers.run.runner import load_catalogue


def test_readme_generated_blocks_are_current():
    text = README.read_text(encoding="utf-8")
    for name in BUILDERS:
        assert f"<!-- BEGIN {name} -->" in text and f"<!-- END {name} -->" in text, name
    assert render(text) == text, "README.md is out of date: run `python -m helpers.run.readme` (make run does)"


def test_readme_maps_every_catalogue_notebook_and_shows_the_key_chart():
    text = README.read_text(encoding="utf-8")
    for run in load_catalogue():
        assert f"`{run.notebook}`" in text and f"`{run.output_name}`" in text
    assert "](docs/key-chart.png)" in text and (PROJECT_ROOT / "docs" / "key-chart.png").is_file()
    assert (PROJECT_ROOT / "docs" / "key-chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (PROJECT_ROOT / "CITATION.cff").is_file()
    for heading in (
        "## Key findings",
        "## Computational requirements",
        "## Data availability and licences",
        "## How to add a report",
    ):
        assert heading in text


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
