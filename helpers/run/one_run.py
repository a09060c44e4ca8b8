"""``mfc run NOTEBOOK -p name=value ... -f params.yaml --output-dir DIR``: one notebook, values chosen.

Values are read as YAML, as papermill reads ``-y`` and ``-f`` (``-p alpha=0.1`` is a number,
``-p 'mechanisms=[mnar]'`` a list); ``-p`` wins over ``-f``. Every value is checked against its
declaration (``notebooks/parameters.yaml``) here, before a kernel starts, so a bad value is one line and
exit 2. The executed copy goes to the folder the user names, never to ``notebooks/executed/``, whose
copies are the collection's committed record. Its file name says which run it is (the values that differ
from the notebook's defaults), and an existing copy is replaced only with ``--force``.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import yaml

from helpers.ledger.bounded_yaml import brief, load_bounded, read_bounded
from helpers.ledger.catalogue import Run
from helpers.ledger.errors import DataError, ParameterError
from helpers.ledger.paths import EXECUTED_DIR, NOTEBOOKS_DIR


def notebook_defaults(path: Path) -> dict:
    """The literal values of a notebook's ``parameters`` cell."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    values = {}
    for node in ast.parse("".join(cell["source"])).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            values[node.targets[0].id] = ast.literal_eval(node.value)
    return values


def parse_assignments(pairs: list[str], parameter_file: str | None) -> dict:
    """The values given by ``-f`` (a YAML mapping), then by each ``-p name=value``."""
    values = {}
    if parameter_file:
        from helpers.ledger.files import check_input_path

        try:
            path = check_input_path(parameter_file, "YAML parameter file")
        except DataError as exc:  # the user's file, named on the command line: bad usage, exit 2
            raise ParameterError(f"-f {exc}") from None
        try:
            loaded = load_bounded(read_bounded(path)) or {}
        except ParameterError as exc:  # too large, too deep, or aliases expanding without end
            raise ParameterError(f"-f {parameter_file}: {exc}") from None
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ParameterError(
                f"-f {parameter_file}: not valid YAML ({brief(str(exc).splitlines()[0], 120)})"
            ) from None
        if not isinstance(loaded, dict):
            raise ParameterError(f"-f {parameter_file}: expected a mapping of name: value")
        values.update(loaded)
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"-p {brief(pair)}: write name=value, e.g. -p report_id=still-in-harms-way")
        try:
            values[name.strip()] = load_bounded(text) if text.strip() else None
        except ParameterError as exc:
            shown = name.strip() if len(name.strip()) <= 40 else brief(name.strip(), 40)
            raise ParameterError(f"-p {shown}: the value {exc}") from None
        except yaml.YAMLError:
            values[name.strip()] = text  # not YAML: the text as given (the check then says what is valid)
    return values


def find_notebook(name: str, notebooks_dir: Path = NOTEBOOKS_DIR) -> Path:
    """A notebook of the collection by stem or file name (``40_nonresponse`` or ``40_nonresponse.ipynb``)."""
    stem = Path(name).stem
    path = notebooks_dir / f"{stem}.ipynb"
    if Path(name).name != name.removeprefix("notebooks/") or not path.is_file():
        valid = ", ".join(sorted(p.stem for p in notebooks_dir.glob("*.ipynb")))
        raise ParameterError(f"notebook {brief(name)} is not one of the collection's; valid: {valid}")
    return path


def check_output_dir(output_dir: str | None) -> Path:
    """The folder the user named, created if missing; never ``notebooks/executed/`` or inside it."""
    if not output_dir:
        raise ParameterError("--output-dir is required with NOTEBOOK: name the folder the executed copy goes to")
    out = Path(output_dir).resolve()
    executed = EXECUTED_DIR.resolve()
    if out == executed or executed in out.parents:
        raise ParameterError(
            f"--output-dir {output_dir}: is notebooks/executed/, the collection's committed copies; "
            "name another folder (`mfc run` without NOTEBOOK re-executes the catalogue there)"
        )
    if out.exists() and not out.is_dir():
        raise ParameterError(f"--output-dir {output_dir}: is a file, not a folder")
    out.mkdir(parents=True, exist_ok=True)
    return out


def _slug(value) -> str:
    """A value as a short piece of a file name: ``until-harm-ends``, ``0.1``, ``mnar+mar``."""
    if isinstance(value, (list, tuple)):
        return "+".join(_slug(v) for v in value)
    if isinstance(value, dict):
        return "+".join(f"{_slug(k)}={_slug(v)}" for k, v in value.items())
    text = Path(value).stem if isinstance(value, str) and ("/" in value or "\\" in value) else str(value)
    return re.sub(r"[^A-Za-z0-9.=+-]+", "-", text).strip("-").lower() or "none"


def run_variant(given: dict, defaults: dict) -> str | None:
    """The part of the output name that says which run this is: each value that differs from the
    notebook's default, in the order given. Words stand alone (``heading-back-to-harm``); anything else
    carries its name (``seed7``, ``alpha0.1``). None when every value is a default."""
    parts = []
    for name, value in given.items():
        if name in defaults and defaults[name] == value:
            continue
        word = isinstance(value, str) and re.fullmatch(r"[A-Za-z][A-Za-z-]*", value)
        parts.append(_slug(value) if word else f"{name.replace('_', '-')}{_slug(value)}")
    return "-".join(parts) or None


def check_not_overwriting(run: Run, output_dir: Path, force: bool) -> None:
    """Refuse to replace an earlier run's copy unless ``force``: a second run must not erase the first."""
    target = output_dir / run.output_name
    if target.exists() and not force:
        raise ParameterError(
            f"--output-dir {output_dir}: {run.output_name} already holds a run with these values; "
            "pass --force to replace it, or name another folder"
        )


def prepare_run(
    notebook: str | None,
    pairs: list[str],
    parameter_file: str | None,
    output_dir: str | None,
    force: bool = False,
):
    """Check everything a one-notebook run needs; return ``(Run, output folder)`` or raise ParameterError.

    The run is named after the values that differ from the notebook's defaults
    (``40_nonresponse-heading-back-to-harm-seed7.ipynb``), and an existing copy of that name is replaced
    only when ``force`` is true.
    """
    from helpers.ledger.parameters import check_namespace, declared_parameters

    if not notebook:
        raise ParameterError("-p, -f and --output-dir need a NOTEBOOK, e.g. mfc run 10_report -p report_id=...")
    path = find_notebook(notebook)
    given = parse_assignments(pairs, parameter_file)
    declared = declared_parameters(path.stem)
    unknown = [name for name in given if name not in declared]
    if unknown:
        raise ParameterError(
            f"unknown parameter(s) {', '.join(brief(n, 40) for n in unknown)}; "
            f"{path.stem}'s parameters are: {', '.join(declared)}"
        )
    for name, value in given.items():  # the notebook runs in notebooks/: paths are made absolute first
        if declared[name]["type"] == "path" and isinstance(value, str):
            given[name] = str(Path(value).resolve())
    defaults = notebook_defaults(path)
    check_namespace({**defaults, **given}, path.stem)
    run = Run(path.name, run_variant(given, defaults), given)
    out = check_output_dir(output_dir)
    check_not_overwriting(run, out, force)
    return run, out
