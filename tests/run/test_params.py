"""Which run a copy is: the line the validation cell shows (helpers.run.params.run_statement)."""

from __future__ import annotations

import json

from helpers.ledger.catalogue import load_catalogue
from helpers.ledger.paths import EXECUTED_DIR, NOTEBOOKS_DIR
from helpers.run.one_run import notebook_defaults
from helpers.run.params import run_statement


def test_run_statement_names_only_what_differs_from_the_defaults():
    defaults = {"report_id": "until-harm-ends", "seed": 1, "versions": {}}
    assert run_statement(dict(defaults), defaults) == "**This run:** the notebook's default parameters."
    assert run_statement({**defaults, "seed": 7, "versions": {"until-harm-ends": "independent"}}, defaults) == (
        "**This run:** seed = 7, versions = {'until-harm-ends': 'independent'}; every other parameter at its default."
    )
    # a value from a user is shown, never run as Markdown or HTML
    assert "<script>" not in run_statement({"report_id": "<script>x</script>"}, defaults)


def test_every_executed_copy_says_which_run_it_is():
    for run in load_catalogue():
        cells = json.loads((EXECUTED_DIR / run.output_name).read_text(encoding="utf-8"))["cells"]
        shown = [
            "".join(out.get("data", {}).get("text/markdown", ""))
            for cell in cells
            if "check_parameters(globals()" in "".join(cell["source"])
            for out in cell.get("outputs", [])
        ]
        assert shown and shown[0].startswith("**This run:**"), run.name  # the first thing the cell shows
        defaults = notebook_defaults(NOTEBOOKS_DIR / run.notebook)
        changed = {name: value for name, value in run.parameters.items() if defaults.get(name) != value}
        for name, value in changed.items():
            assert f"{name} = {value}" in shown[0], (run.name, shown[0])
        if not changed:
            assert shown[0] == "**This run:** the notebook's default parameters."
