"""The exercises keep their answers folded: in JupyterLab (cell metadata) and on the site (MyST tags)."""

from __future__ import annotations

import json

import pytest

from helpers.ledger.paths import NOTEBOOKS_DIR

FOLDED_IN_LAB = {"source_hidden": True, "outputs_hidden": True}


def cells_of(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


@pytest.fixture(params=["source", "executed"])
def exercises(request):
    folder = NOTEBOOKS_DIR if request.param == "source" else NOTEBOOKS_DIR / "executed"
    return cells_of(folder / "90_exercises.ipynb")


def test_every_worked_answer_is_folded_in_lab_and_on_the_site(exercises):
    answers = [c for c in exercises if "worked-answer" in c["metadata"].get("tags", [])]
    assert len(answers) == 8
    for cell in answers:
        assert cell["metadata"].get("jupyter") == FOLDED_IN_LAB, "".join(cell["source"])[:60]
        assert "hide-cell" in cell["metadata"]["tags"]


def test_the_summary_that_gives_the_answers_away_comes_last_and_folded(exercises):
    summary = [i for i, c in enumerate(exercises) if "answers-summary" in c["metadata"].get("tags", [])]
    assert len(summary) == 1
    (at,) = summary
    last_answer = max(i for i, c in enumerate(exercises) if "worked-answer" in c["metadata"].get("tags", []))
    assert at > last_answer
    meta = exercises[at]["metadata"]
    assert meta.get("jupyter") == FOLDED_IN_LAB and "hide-cell" in meta["tags"]
