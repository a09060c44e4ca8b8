"""The notebook catalogue (``notebooks/catalogue.yaml``): which notebooks run, with which parameters.

Reading it is the ledger's job because it is declared input, like ``data/``: the runner, the site and
the README's generated blocks all read the same list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from helpers.ledger.errors import DataError, ParameterError
from helpers.ledger.paths import CATALOGUE_PATH, NOTEBOOKS_DIR

RUN_KEYS = {"notebook", "variant", "parameters", "description"}
# A notebook is a plain file name in notebooks/, a variant a plain name: nothing may leave notebooks/.
PLAIN_NOTEBOOK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*\.ipynb$")
PLAIN_VARIANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Run:
    """One entry of the catalogue."""

    notebook: str
    variant: str | None = None
    parameters: dict = field(default_factory=dict)
    description: str = ""

    @property
    def name(self) -> str:
        stem = Path(self.notebook).stem
        return f"{stem}-{self.variant}" if self.variant else stem

    @property
    def output_name(self) -> str:
        return f"{self.name}.ipynb"


def load_catalogue(path: Path | str = CATALOGUE_PATH, notebooks_dir: Path | str = NOTEBOOKS_DIR) -> list[Run]:
    """Read and check the catalogue; problems name the entry and the key."""
    path, notebooks_dir = Path(path), Path(notebooks_dir)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DataError(f"{path}: catalogue not found") from exc
    except yaml.YAMLError as exc:
        raise DataError(f"{path}: not valid YAML ({exc})") from exc
    entries = doc.get("runs") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise DataError(f"{path}: expected a top-level 'runs' list")
    runs, problems = [], []
    for number, entry in enumerate(entries, start=1):
        where = f"{path.name} run {number}"
        if not isinstance(entry, dict) or "notebook" not in entry:
            problems.append(f"{where}: each run needs a 'notebook' key")
            continue
        unknown = set(entry) - RUN_KEYS
        if unknown:
            problems.append(f"{where}: unknown key(s) {sorted(unknown)}; valid keys: {sorted(RUN_KEYS)}")
        notebook, variant = entry["notebook"], entry.get("variant")
        if not isinstance(notebook, str) or not PLAIN_NOTEBOOK.match(notebook):
            problems.append(
                f"{where}: column 'notebook': {notebook!r} is not a plain notebook name in notebooks/ "
                "(letters, digits, _ and -, ending .ipynb; no folders)"
            )
            continue
        if variant is not None and (not isinstance(variant, str) or not PLAIN_VARIANT.match(variant)):
            problems.append(
                f"{where}: column 'variant': {variant!r} is not a plain name (letters, digits, _ and -); "
                "it names the executed copy in notebooks/executed/"
            )
            continue
        if not (notebooks_dir / entry["notebook"]).is_file():
            problems.append(f"{where}: column 'notebook': {entry['notebook']} not found in {notebooks_dir}")
        runs.append(
            Run(
                entry["notebook"],
                entry.get("variant"),
                dict(entry.get("parameters") or {}),
                entry.get("description", ""),
            )
        )
    names = [r.name for r in runs]
    problems += [
        f"{path.name}: run name {n!r} appears more than once" for n in sorted(set(names)) if names.count(n) > 1
    ]
    if problems:
        raise DataError(problems)
    return runs


def select_runs(runs: list[Run], only: list[str] | None) -> list[Run]:
    """Runs whose name, or notebook stem, is in ``only`` (all runs when ``only`` is empty)."""
    if not only:
        return runs
    valid = {r.name for r in runs} | {Path(r.notebook).stem for r in runs}
    unknown = [n for n in only if n not in valid]
    if unknown:
        raise ParameterError(f"unknown run(s) {', '.join(unknown)}; valid: {', '.join(sorted(valid))}")
    return [r for r in runs if r.name in only or Path(r.notebook).stem in only]
