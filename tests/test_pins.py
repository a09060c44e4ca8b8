"""Exact pins live in pyproject.toml; environment.yml and constraints.txt must agree with them."""

import re
import tomllib
from importlib.metadata import version

import yaml

from helpers.ledger.paths import PROJECT_ROOT


def pyproject_pins() -> dict[str, str]:
    """Every pin of pyproject.toml: the runtime dependencies and every optional extra."""
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    deps = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        deps += extra
    pins = {}
    for dep in deps:
        name, sep, ver = dep.partition("==")
        assert sep, f"{dep} is not pinned exactly with =="
        pins[name.strip().lower()] = ver.strip()
    return pins


def test_every_direct_dependency_is_pinned_exactly():
    pins = pyproject_pins()
    assert {"jupyterlab", "pandas", "seaborn", "statsmodels", "papermill", "nbval", "ipykernel", "pytest"} <= set(pins)


def test_environment_yml_repeats_the_same_pins():
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    conda_pins = {}
    for dep in pip_section:
        if "==" in dep:
            name, _, ver = dep.partition("==")
            conda_pins[name.lower()] = ver
    assert conda_pins == pyproject_pins()
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert python == "python=3.11"


def test_constraints_agree_with_pins():
    lines = (PROJECT_ROOT / "constraints.txt").read_text().splitlines()
    locked = {}
    for line in lines:
        m = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)$", line)
        if m:
            locked[m.group(1).lower().replace("_", "-")] = m.group(2)
    for name, ver in pyproject_pins().items():
        assert locked.get(name.replace("_", "-")) == ver, name


def test_installed_versions_are_the_pinned_ones():
    for name, ver in pyproject_pins().items():
        assert version(name) == ver, name


def test_test_tools_are_an_extra_not_a_runtime_dependency():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    runtime = {dep.partition("==")[0].lower() for dep in project["dependencies"]}
    test = {dep.partition("==")[0].lower() for dep in project["optional-dependencies"]["test"]}
    tools = {"pytest", "pytest-xdist", "nbval", "playwright", "ruff", "import-linter", "hypothesis", "mutmut"}
    assert tools <= test
    assert not tools & runtime
    assert {"pandas", "statsmodels", "papermill", "seaborn", "jupyterlab"} <= runtime
