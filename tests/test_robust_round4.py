"""Robustness, round four (issue 27): nothing a data file or a parameter says runs in a reader's browser,
blows up memory or ends in a traceback. Each test is one of the battery's failing cases."""

from __future__ import annotations

import errno
import os
from types import SimpleNamespace

import pytest

from helpers.ledger import parameters
from helpers.ledger.paths import PROJECT_ROOT
from helpers.run import cli

PARAMETERS = PROJECT_ROOT / "notebooks" / "parameters.yaml"


@pytest.fixture
def run_mfc(capsys):
    """The mfc command in this process: its exit code and what it printed."""

    def call(*args):
        code = cli.main(list(args))
        captured = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=captured.out, stderr=captured.err)

    return call


def one_line(result, code: int) -> str:
    """The command exited with ``code`` and said why in exactly one line, with no traceback."""
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and "unexpected error" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


# --- item 8: a missing -f exits 2; a full disk names the file ------------------------------------------------


def test_a_missing_parameter_file_is_bad_usage_exit_2(tmp_path, run_mfc):
    missing = tmp_path / "nope.yaml"
    result = run_mfc("run", "10_report", "-f", str(missing), "--output-dir", str(tmp_path / "out"))
    assert one_line(result, 2) == f"mfc run: -f {missing}: file not found"


def test_a_full_disk_during_build_context_names_the_file(tmp_path, monkeypatch, run_mfc):
    from helpers.ledger import files

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files.os, "fsync", full)
    out = tmp_path / "context"
    result = run_mfc("build-context", "--out", str(out))
    line = one_line(result, 2)
    assert line == f"mfc build-context: {out / 'england_national.csv'}: {os.strerror(errno.ENOSPC)}"
    assert list(out.iterdir()) == []  # nothing half-written


# --- item 6: parameters.yaml is checked against its own schema, entry by entry ------------------------------


@pytest.fixture
def declarations(tmp_path, monkeypatch):
    """Point the declarations at an edited copy of notebooks/parameters.yaml: ``edit(old, new)``."""
    copy = tmp_path / "parameters.yaml"
    copy.write_text(PARAMETERS.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(parameters, "PARAMETERS_PATH", copy)
    parameters._load.cache_clear()

    def edit(old: str, new: str) -> None:
        text = copy.read_text(encoding="utf-8")
        assert text.count(old) == 1, old
        copy.write_text(text.replace(old, new), encoding="utf-8")
        parameters._load.cache_clear()

    yield edit
    parameters._load.cache_clear()


JOBS = "    jobs:\n      type: int\n      min: 1\n      max: 64\n"


def test_a_missing_jobs_entry_stops_only_the_commands_that_use_it(declarations, run_mfc, tmp_path):
    declarations(JOBS, "")
    result = run_mfc("check-data")
    assert result.returncode == 0, result.stderr
    result = run_mfc("run", "--jobs", "2", "--only", "nosuchrun")
    assert one_line(result, 1) == (
        "notebooks/parameters.yaml: commands.run.jobs is missing; declare it under 'commands: run:' "
        "with its type and range, e.g. jobs: {type: int, min: 1, max: 64}"
    ).replace("notebooks/parameters.yaml", str(tmp_path / "parameters.yaml"))


def test_an_entry_of_the_wrong_type_is_one_line_naming_the_key(declarations, run_mfc, tmp_path):
    declarations(JOBS, "    jobs:\n      type: int\n      min: one\n      max: 64\n")
    assert run_mfc("check-data").returncode == 0
    result = run_mfc("run", "--list")
    assert one_line(result, 1) == (
        f"{tmp_path / 'parameters.yaml'}: commands.run.jobs: 'min' must be a number, e.g. min: 1; got 'one'"
    )


def test_an_unknown_key_is_one_line_naming_the_key_and_the_fix(declarations, run_mfc, tmp_path):
    declarations(JOBS, "    jobs:\n      type: int\n      minimum: 1\n      max: 64\n")
    result = run_mfc("run", "--list")
    line = one_line(result, 1)
    assert line.startswith(
        f"{tmp_path / 'parameters.yaml'}: commands.run.jobs: unknown key 'minimum' (did you mean 'min'?); "
        "an entry's keys are: above, choices,"
    )


def test_a_wrong_type_name_in_a_notebook_entry_stops_that_notebook_only(declarations, run_mfc, tmp_path):
    text = PARAMETERS.read_text(encoding="utf-8")
    start = text.index("  40_nonresponse:")
    alpha = text.index("alpha: *alpha", start)
    declarations(text[start:alpha] + "alpha: *alpha", text[start:alpha] + "alpha: {type: number}")
    assert run_mfc("headlines", "still-in-harms-way", "--csv").returncode == 0
    result = run_mfc("run", "40_nonresponse", "-p", "seed=3", "--output-dir", str(tmp_path / "out"))
    assert one_line(result, 1) == (
        f"{tmp_path / 'parameters.yaml'}: notebooks.40_nonresponse.alpha: 'type' must be one of "
        "bool, dict, float, int, list, path, str; got 'number'"
    )


def test_the_projects_own_declarations_follow_the_schema():
    parameters._load.cache_clear()
    doc = parameters._load(str(PARAMETERS))
    for stem in doc["notebooks"]:
        assert parameters.declared_parameters(stem)
    assert parameters.command_option("run", "jobs")["max"] == 64
