"""The parameter matrix: every declared parameter value of every notebook runs (issue 18).

``notebooks/parameters.yaml`` declares, for each parameter, the values a user may choose (``try``, or
every choice). The matrix covers each of them at least once with the fewest runs: run i of a notebook
sets every parameter to its i-th value other than the default, shorter lists cycling (a covering
design, not every combination), so the matrix stays within its budget of 60 s on two cores.
Values the catalogue already runs (every report of ``10_report``) are left to nbval on the executed
copies. All runs go through the project's runner, one after another in one reused kernel (tests/conftest.py).
The runs are split between three test files by notebook (``PARTS``), each about a third of the matrix's
time, so that pytest-xdist, which keeps each test file in one process, can run them at the same time.

Each run must complete, its output must describe its own parameters (the report's title, the version's
label, the mechanism's name, the claims file's name, the interval level), and nothing may read as a
traceback or an empty pandas frame: a notebook with nothing to show says so in a sentence.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers.ledger.catalogue import Run, load_catalogue
from helpers.ledger.parameters import PARAMETERS_PATH, _load, matrix_values
from helpers.ledger.paths import NOTEBOOKS_DIR, PROJECT_ROOT
from helpers.run.one_run import notebook_defaults

# Values that meet a known defect of a notebook's own cells, owned and being fixed elsewhere. Each runs
# alone, so it hides nothing else, and is expected to fail until the fix is merged (then it XPASSes;
# remove it from here).
KNOWN_DEFECTS = {}
# Notebooks whose every sentence and table states the level that ``alpha`` sets (issue 25).
PROSE_FOLLOWS_ALPHA = {"10_report", "30_trends", "31_trend_sensitivity"}
# Which test file runs which notebooks' matrix runs (the rest: tests/test_parameter_matrix.py).
PARTS = {
    "explore": {"50_explore"},
    "nonresponse": {"40_nonresponse", "41_nonresponse_simulation"},
}


def resolve_value(spec: dict, value):
    """A fixture path in the declarations is relative to the project; the notebook runs in notebooks/."""
    if spec["type"] == "path" and isinstance(value, str):
        return str((PROJECT_ROOT / value).resolve())
    return value


def catalogue_values() -> dict[str, set]:
    """(notebook stem, parameter) -> values the catalogue already runs."""
    covered: dict = {}
    for run in load_catalogue():
        for name, value in run.parameters.items():
            covered.setdefault((Path(run.notebook).stem, name), set()).add(json.dumps(value, sort_keys=True))
    return covered


def matrix_runs() -> list[tuple[Run, str]]:
    """Every run of the matrix, with the known defect it meets ("" for none)."""
    covered = catalogue_values()
    runs = []
    for stem, declared in _load(str(PARAMETERS_PATH))["notebooks"].items():
        defaults = notebook_defaults(NOTEBOOKS_DIR / f"{stem}.ipynb")
        todo, dependent, alone = {}, {}, []
        for name, spec in declared.items():
            values = []
            for v in matrix_values(spec):
                if v == defaults.get(name) or json.dumps(v, sort_keys=True) in covered.get((stem, name), set()):
                    continue
                if (stem, name, json.dumps(v)) in KNOWN_DEFECTS:
                    alone.append((name, resolve_value(spec, v), KNOWN_DEFECTS[(stem, name, json.dumps(v))]))
                else:
                    values.append(resolve_value(spec, v))
            if values:
                (dependent if "depends_on" in spec else todo)[name] = values
        # Values valid only with another parameter's default (a version of the default report) are
        # tried in runs of their own; the rest cycle together.
        for label, group in (("matrix", todo), ("matrix-dependent", dependent)):
            for i in range(max((len(v) for v in group.values()), default=0)):
                # Shorter lists cycle, so every run leaves the defaults (the catalogue runs those) and
                # the cheap values (200 replicates, 2 imputations) keep every run of 41 and 40 short.
                chosen = {name: values[i % len(values)] for name, values in group.items()}
                runs.append((Run(f"{stem}.ipynb", f"{label}-{i + 1}", chosen), ""))
        for number, (name, value, defect) in enumerate(alone, start=1):
            runs.append((Run(f"{stem}.ipynb", f"matrix-known-{number}", {name: value}), defect))
    return runs


MATRIX = matrix_runs()


def runs_of(part: str | None) -> list[tuple[Run, str]]:
    """The matrix runs of one part of ``PARTS`` (None: of every notebook in no part), with their defects."""
    parted = set().union(*PARTS.values())
    stems = PARTS[part] if part else None
    return [
        (run, defect)
        for run, defect in MATRIX
        if (Path(run.notebook).stem in stems if stems else Path(run.notebook).stem not in parted)
    ]


def run_all(runs: list[Run], run_notebooks, out: Path) -> dict:
    """Run ``runs`` one after another in the test process's kept kernel; map run name -> (result, text)."""
    results = run_notebooks(runs, executed_dir=out)
    return {r.name: (r, run_text(out / f"{r.name}.ipynb")) for r in results}


def run_text(path: Path) -> str:
    if not path.is_file():
        return ""
    nb = json.loads(path.read_text(encoding="utf-8"))
    parts = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            parts.append("".join(cell["source"]))
        for out in cell.get("outputs", []):
            parts.append("".join(out.get("text", "")))
            for kind in ("text/plain", "text/markdown", "text/html"):
                parts.append("".join(out.get("data", {}).get(kind, "")))
            if out.get("output_type") == "error":
                parts.append("Traceback")
    return "\n".join(parts)


def evidence(stem: str, name: str, value) -> list[str]:
    """Text that shows a run used this value (not the default)."""
    from helpers.ledger import load_ledger
    from helpers.ledger.vocabulary import version_label
    from helpers.nonresponse import MECHANISMS

    if name == "report_id":
        reports = load_ledger().reports.set_index("report_id")
        return [reports.loc[value, "title"]]
    if name == "versions":
        return [version_label(v) for v in value.values()]
    if name == "mechanisms":
        return [MECHANISMS[m].split(":")[0] for m in value]  # MCAR, MAR, MNAR
    if name == "claims_path":
        return [Path(value).name]
    if name == "alpha":
        return [f"{1 - value:.0%}"]
    return []  # numbers such as a seed change results, not words


def check_run(run: Run, defect: str, result, text: str) -> None:
    """Assert that a matrix run completed and that its output describes its own parameters."""
    problems = [] if result.ok else [result.message]
    for name, value in run.parameters.items():
        problems += [
            f"the output never mentions {shown!r} ({name}={value!r})"
            for shown in evidence(Path(run.notebook).stem, name, value)
            if result.ok and shown not in text
        ]
    problems += [f"the output shows {bad!r}" for bad in ("Traceback", "Empty DataFrame") if bad in text]
    # Prose follows the parameters: at another level, no sentence or table of these notebooks says 95%.
    if Path(run.notebook).stem in PROSE_FOLLOWS_ALPHA and run.parameters.get("alpha", 0.05) != 0.05 and "95%" in text:
        at = text.index("95%")
        problems.append(f"the output says 95% at alpha={run.parameters['alpha']}: ...{text[at - 80 : at + 20]!r}")
    if defect and problems:
        pytest.xfail(f"known defect: {defect}")
    assert problems == [], run.name
