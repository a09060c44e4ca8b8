"""Notebook hygiene: sources are clean and conventional; executed copies are complete and ran fully.

nbval passes a notebook whose cells never ran, because there is nothing to compare. These tests close
that gap: every code cell of every executed copy has an execution count, and every catalogue entry has
its executed copy (and nothing else is in notebooks/executed/).
"""

from __future__ import annotations

import ast
import re

import nbformat
import pytest

from helpers.ledger.paths import EXECUTED_DIR, NOTEBOOKS_DIR
from helpers.run.runner import load_catalogue

SOURCES = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
CATALOGUE = load_catalogue()
EXECUTED = sorted(EXECUTED_DIR.glob("*.ipynb"))


def read(path):
    return nbformat.read(path, as_version=4)


def h1_count(nb) -> int:
    return sum(len(re.findall(r"^# \S", c.source, flags=re.M)) for c in nb.cells if c.cell_type == "markdown")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_source_notebook_conventions(path):
    nb = read(path)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert h1_count(nb) == 1, "exactly one H1"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, "source notebooks are committed without outputs"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_parameters_cell_holds_literals_only(path):
    nb = read(path)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "one cell tagged 'parameters'"
    for node in ast.parse(tagged[0].source).body:
        assert isinstance(node, ast.Assign), ast.dump(node)
        ast.literal_eval(node.value)  # raises if a parameter is not a literal


def test_every_catalogue_entry_has_its_executed_copy_and_nothing_else_is_there():
    expected = {run.output_name for run in CATALOGUE}
    assert {p.name for p in EXECUTED} == expected


@pytest.mark.parametrize("path", EXECUTED, ids=lambda p: p.name)
def test_executed_copy_ran_every_cell_in_order_without_errors(path, executed_notebooks):
    nb = executed_notebooks[path.name]
    assert nb.metadata["kernelspec"]["name"] == "python3"
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert None not in counts, "a code cell never ran, so nbval would not check it"
    assert counts == list(range(1, len(counts) + 1)), "cells ran once each, top to bottom"
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error"
            assert not (out.output_type == "stream" and out.name == "stderr"), f"stderr output: {out.text[:200]}"


@pytest.mark.parametrize("run", CATALOGUE, ids=lambda r: r.name)
def test_executed_copy_was_run_with_its_catalogue_parameters(run, executed_notebooks):
    nb = executed_notebooks[run.output_name]
    assert nb.metadata.get("parameters", {}) == run.parameters
    assert "papermill" not in nb.metadata, "volatile papermill metadata must be stripped"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_validation_cell_checks_every_declared_parameter(path):
    """The first code cell after the parameters calls check_parameters(globals(), "<stem>"), and
    notebooks/parameters.yaml declares exactly the parameters cell's names, so a mistyped name or a value
    out of range stops the notebook instead of silently running (tests/ledger/test_parameters.py)."""
    from helpers.ledger.parameters import declared_parameters

    nb = read(path)
    index = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    declared = [node.targets[0].id for node in ast.parse(nb.cells[index].source).body]
    validation = next(c for c in nb.cells[index + 1 :] if c.cell_type == "code")
    calls = [
        node
        for node in ast.walk(ast.parse(validation.source))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "check_parameters"
    ]
    assert len(calls) == 1, "the validation cell calls check_parameters(globals(), stem) once"
    assert [ast.unparse(calls[0].args[0]), ast.literal_eval(calls[0].args[1])] == ["globals()", path.stem]
    assert list(declared_parameters(path.stem)) == declared


@pytest.mark.parametrize("run", CATALOGUE, ids=lambda r: r.name)
def test_executed_copy_carries_its_parameters_in_the_parameters_cell(run, executed_notebooks):
    """No injected cell overrides the parameters cell: a student's edit there is what runs."""
    nb = executed_notebooks[run.output_name]
    assert not [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    values = {node.targets[0].id: ast.literal_eval(node.value) for node in ast.parse(cell.source).body}
    for name, value in run.parameters.items():
        assert values[name] == value
