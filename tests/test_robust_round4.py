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


# --- item 3: YAML from the user is parsed within bounds: aliases, nesting, size -----------------------------

# Six levels of ten aliases each: a million strings once expanded, from 300 bytes of YAML.
ALIAS_BOMB = "[" + ", ".join(["*e"] * 10) + "]"
ALIAS_LEVELS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join(['*' + previous] * 10)}]\n" for previous, name in zip("abcd", "bcde")
)
DEEP = "[" * 5000 + "]" * 5000


def _short(line: str) -> str:
    """The message is one line that quotes at most about 80 characters of the value."""
    assert len(line) < 300, line[:300]
    return line


def test_an_alias_bomb_in_a_parameter_file_is_refused_in_one_line(tmp_path, run_mfc):
    params = tmp_path / "p.yaml"
    params.write_text(ALIAS_LEVELS + "mechanisms: " + ALIAS_BOMB + "\n", encoding="utf-8")
    result = run_mfc("run", "40_nonresponse", "-f", str(params), "--output-dir", str(tmp_path / "out"))
    assert _short(one_line(result, 2)) == (
        f"mfc run: -f {params}: expands to more than 100,000 elements (aliases repeating aliases?); "
        "write the values out"
    )


def test_an_alias_bomb_in_a_p_value_is_refused_in_one_line(tmp_path, run_mfc):
    value = "{" + ALIAS_LEVELS.strip().replace("\n", ", ") + ", f: " + ALIAS_BOMB + "}"
    result = run_mfc("run", "40_nonresponse", "-p", f"strengths={value}", "--output-dir", str(tmp_path / "o"))
    assert _short(one_line(result, 2)) == (
        "mfc run: -p strengths: the value expands to more than 100,000 elements (aliases repeating aliases?); "
        "write the values out"
    )


def test_an_alias_bomb_in_parameters_yaml_is_one_line(declarations, run_mfc, tmp_path):
    block = "".join("  " + line + "\n" for line in (ALIAS_LEVELS + "f: " + ALIAS_BOMB).splitlines())
    declarations("common:\n", "common:\n" + block)
    result = run_mfc("run", "--list")
    assert _short(one_line(result, 1)) == (
        f"{tmp_path / 'parameters.yaml'}: expands to more than 100,000 elements (aliases repeating aliases?); "
        "write the values out"
    )


def test_deep_nesting_is_refused_in_one_line_wherever_it_is_given(tmp_path, run_mfc):
    params = tmp_path / "p.yaml"
    params.write_text("mechanisms: " + DEEP + "\n", encoding="utf-8")
    result = run_mfc("run", "40_nonresponse", "-f", str(params), "--output-dir", str(tmp_path / "out"))
    assert one_line(result, 2) == f"mfc run: -f {params}: nests deeper than 20 levels; flatten it"
    result = run_mfc("run", "40_nonresponse", "-p", f"mechanisms={DEEP}", "--output-dir", str(tmp_path / "out"))
    assert one_line(result, 2) == "mfc run: -p mechanisms: the value nests deeper than 20 levels; flatten it"


def test_deep_nesting_in_an_option_value_is_refused(capsys):
    """An mfc option declared as a dict or list reads its value as YAML, within the same bounds."""
    import argparse

    from helpers.run.params import add_declared_option

    parser = argparse.ArgumentParser(prog="mfc nonresponse")
    add_declared_option(parser, "--strengths", "40_nonresponse", "strengths", None, "slopes")
    with pytest.raises(SystemExit) as info:
        parser.parse_args(["--strengths", DEEP])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "RecursionError" not in err
    assert err.splitlines()[-1] == (
        "mfc nonresponse: error: argument --strengths: the value nests deeper than 20 levels; flatten it"
    )


def test_a_20_mb_value_is_refused_without_being_read_or_echoed(tmp_path, run_mfc):
    params = tmp_path / "p.yaml"
    params.write_text("report_id: " + "x" * 20_000_000 + "\n", encoding="utf-8")
    result = run_mfc("run", "10_report", "-f", str(params), "--output-dir", str(tmp_path / "out"))
    assert _short(one_line(result, 2)) == (
        f"mfc run: -f {params}: is 20,000,012 bytes long (at most 1,000,000); it was not read"
    )


def test_a_long_value_is_quoted_in_at_most_80_characters(tmp_path, run_mfc):
    params = tmp_path / "p.yaml"
    params.write_text("report_id: " + "x" * 50_000 + "\n", encoding="utf-8")
    result = run_mfc("run", "10_report", "-f", str(params), "--output-dir", str(tmp_path / "out"))
    line = _short(one_line(result, 2))
    assert line.startswith(f"mfc run: -f {params}: a value of 50,000 characters is too long (at most 10,000): 'xxx")
    assert line.endswith("... (50,000 characters)")
    result = run_mfc("run", "10_report", "-p", "report_id=" + "y" * 9_000, "--output-dir", str(tmp_path / "o"))
    line = _short(one_line(result, 2))
    assert line.startswith("mfc run: report_id='yyyy") and "... (9,000 characters) is not valid" in line


def test_the_bounded_loader_reads_what_the_project_writes():
    from helpers.ledger.bounded_yaml import brief, load_bounded

    assert load_bounded("{mnar: -1, mar_size: 0.5}") == {"mnar": -1, "mar_size": 0.5}
    assert load_bounded("a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}
    assert load_bounded("") is None
    assert brief("abc") == "'abc'" and brief(list(range(100))).endswith("...") and len(brief(list(range(100)))) == 80


# --- item 2: one CSV writer, quoting CR and LF and neutralising formulas everywhere --------------------------

CLAIMS_HEADER = ["claim_id", "kind", "a", "b", "stated", "qualifier", "description"]
FORMULAS = ["=1+1", "+1+1", "-1+cmd|' /C calc'!A0", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]
VARIANTS = FORMULAS + [" " + text for text in FORMULAS]  # each leading, and after white space


def _write_claims(path, descriptions):
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")  # \r\n: a CR inside a cell is quoted here
        writer.writerow(CLAIMS_HEADER)
        for number, text in enumerate(descriptions):
            writer.writerow([f"c{number}", "proportion", "864", "2335", "37", "", text])


def _rows_as_a_spreadsheet_reads_them(path) -> list[list[str]]:
    import csv

    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


@pytest.mark.parametrize("text", VARIANTS, ids=[repr(v) for v in VARIANTS])
def test_every_formula_variant_is_neutralised_by_the_one_writer(capsys, text):
    """The writer behind --csv, --out and the site: each of the 12 variants gets its leading '."""
    import csv
    import io

    import pandas as pd

    from helpers.run.output import print_csv

    print_csv(pd.DataFrame({"claim_id": ["c1"], "description": [text]}))
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out, newline="")))
    assert rows == [["claim_id", "description"], ["c1", "'" + text]]


@pytest.mark.parametrize("text", VARIANTS, ids=[repr(v) for v in VARIANTS])
def test_every_formula_variant_is_neutralised_in_the_out_file(tmp_path, run_mfc, text):
    """The claims reader strips white space from a cell; what is left is neutralised, on one row."""
    claims = tmp_path / "c.csv"
    _write_claims(claims, [text])
    result = run_mfc("claims", str(claims), "--out", str(tmp_path / "v.csv"))
    assert result.returncode == 0, result.stderr
    rows = _rows_as_a_spreadsheet_reads_them(tmp_path / "v.csv")
    assert len(rows) == 2  # the header and the one claim: no row was split at a CR
    assert rows[1][rows[0].index("description")] == "'" + text.strip()


def test_a_carriage_return_inside_a_cell_is_quoted_so_no_row_starts_there(tmp_path, run_mfc):
    claims = tmp_path / "c.csv"
    _write_claims(claims, ["a note\r=1+1", "two\nlines", "plain"])
    run_mfc("claims", str(claims), "--out", str(tmp_path / "v.csv"))
    raw = (tmp_path / "v.csv").read_bytes()
    assert b'"a note\r=1+1"' in raw and b'"two\nlines"' in raw and b"\r\n" not in raw
    rows = _rows_as_a_spreadsheet_reads_them(tmp_path / "v.csv")
    assert [row[0] for row in rows] == ["claim_id", "c0", "c1", "c2"]


def test_plain_numbers_are_left_as_numbers():
    from helpers.ledger.csv_out import neutralise_formula

    assert [neutralise_formula(v) for v in ["-22", "+3.5", " -1", "1e3", "37 per cent", "-inf", "-1_000"]] == [
        "-22",
        "+3.5",
        " -1",
        "1e3",
        "37 per cent",
        "'-inf",
        "'-1_000",
    ]


def test_csv_on_standard_output_is_neutralised_and_quoted(capsys):
    import pandas as pd

    from helpers.run.output import print_csv

    print_csv(pd.DataFrame({"group": ["=1+1", "x\r=2+2", "ok"], "rate": [0.5, float("nan"), 1 / 3]}))
    assert capsys.readouterr().out == ('group,rate\n\'=1+1,0.500000\n"x\r=2+2",\n' + "ok,0.333333\n")


def test_the_sites_table_downloads_are_neutralised_and_quoted(tmp_path):
    import nbformat

    from helpers.present.site import prepare_notebook

    html = (
        "<table><thead><tr><th>claim</th><th>note</th></tr></thead><tbody>"
        '<tr><td>=HYPERLINK("http://x")</td><td>a, b</td></tr>'
        "<tr><td>c2</td><td> @SUM(A1)</td></tr><tr><td>c3</td><td>-22</td></tr></tbody></table>"
    )
    cell = nbformat.v4.new_code_cell("table")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": html})]
    nb = nbformat.v4.new_notebook(cells=[cell])
    prepare_notebook(nb, "20_claims", {}, tmp_path)
    (download,) = tmp_path.glob("20_claims-*.csv")  # named after the table's caption or section
    rows = _rows_as_a_spreadsheet_reads_them(download)
    assert rows == [["claim", "note"], ['\'=HYPERLINK("http://x")', "a, b"], ["c2", "'@SUM(A1)"], ["c3", "-22"]]


# --- item 1: markup in a data field is shown, never run -----------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"


def _planted_ledger(tmp_path):
    """A copy of data/ whose text columns carry markup: the sources' publisher, title and note, the claims'
    description and locator, the reports' title and the discrepancies' likely explanation."""
    import shutil

    import pandas as pd

    from helpers.ledger.paths import DATA_DIR
    from helpers.ledger.tables import load_ledger, rehash

    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    sources = pd.read_csv(data / "sources.csv", dtype=str, keep_default_na=False)
    for column in ("publisher", "title", "note"):
        sources[column] = [f"{IMAGE} {value} {SCRIPT}" for value in sources[column]]
    sources.to_csv(data / "sources.csv", index=False, lineterminator="\n")
    claims = pd.read_csv(data / "claims.csv", dtype=str, keep_default_na=False)
    for column in ("description", "locator"):
        claims[column] = [f"{SCRIPT}{value}{IMAGE}" for value in claims[column]]
    claims.to_csv(data / "claims.csv", index=False, lineterminator="\n")
    for table, column in (("reports", "title"), ("discrepancies", "likely_explanation")):
        frame = pd.read_csv(data / f"{table}.csv", dtype=str, keep_default_na=False)
        frame[column] = [f"{value} {SCRIPT}" for value in frame[column]]
        frame.to_csv(data / f"{table}.csv", index=False, lineterminator="\n")
    rehash(data)
    return load_ledger(data)


def _users_claims_with_markup_ids(tmp_path, ledger):
    """A reader's claims file (claims_path) whose claim ids are markup: ids are not checked for a pattern there."""
    claims = ledger.claims.copy()
    claims["claim_id"] = [f"{SCRIPT}{IMAGE}{number}" for number in range(len(claims))]
    path = tmp_path / "mine.csv"
    claims.to_csv(path, index=False, lineterminator="\n")
    return path


def _no_live_markup(text: str) -> None:
    """No tag from the data survives as a tag; its escaped form is there (so the field did reach the page)."""
    lowered = text.lower()
    assert "<script" not in lowered and "<img" not in lowered, text[:500]
    assert "&lt;script&gt;" in lowered or "&lt;img" in lowered


def _rendered(markdown: str) -> str:
    """Markdown as Jupyter and the site's MyST render it (raw HTML passes through markdown-it)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").render(markdown)


def test_markup_in_claim_ids_and_publishers_is_escaped_in_every_claims_output(tmp_path):
    from helpers.claims import alternatives_from, check_claims, read_claims
    from helpers.present import (
        claims_table,
        closing_paragraph,
        count_copies_once,
        impact_lines,
        inconsistent_claims,
        readable_table,
        short_titles,
        verdicts_by,
        with_sources,
    )

    ledger = _planted_ledger(tmp_path)
    claims = read_claims(_users_claims_with_markup_ids(tmp_path, ledger))
    verdicts = with_sources(check_claims(claims, alternatives_from(ledger.figures)), ledger.sources)
    distinct = count_copies_once(verdicts, ledger.sources)
    titles = short_titles(ledger.reports)
    assert (distinct["verdict"] == "inconsistent").any()  # so the sentences name claims and outlets

    _no_live_markup(claims_table(verdicts, ledger.sources, titles)._repr_html_())
    _no_live_markup(verdicts_by(distinct.assign(outlet=distinct["article"]), "outlet")._repr_html_())
    _no_live_markup(readable_table(inconsistent_claims(distinct), labels={"report_id": titles})._repr_html_())
    lines = "\n".join(impact_lines(distinct))
    _no_live_markup(_rendered(lines))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in _rendered(lines)
    _no_live_markup(_rendered(closing_paragraph(distinct, ledger.discrepancies, titles)))


def test_markup_in_the_description_column_is_escaped_in_the_claims_table(tmp_path):
    from helpers.claims import alternatives_from, check_claims, read_claims
    from helpers.present import claims_table, with_sources

    ledger = _planted_ledger(tmp_path)
    claims = read_claims(ledger.data_dir / "claims.csv")
    verdicts = with_sources(check_claims(claims, alternatives_from(ledger.figures)), ledger.sources)
    html = claims_table(verdicts, ledger.sources)._repr_html_()
    _no_live_markup(html)
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 2 * len(verdicts)  # description and outlet


def test_a_source_link_shows_a_markup_title_as_text_and_never_links_javascript():
    import pandas as pd

    from helpers.present.labels import source_link

    sources = pd.DataFrame(
        {
            "source_id": ["a", "b"],
            "title": [f"{SCRIPT} [x](javascript:alert(2))", IMAGE],
            "url": ["javascript:alert(1)", "https://example.org/?q=<b>"],
        }
    )
    markdown = source_link(sources, "a")
    assert markdown == "&lt;script&gt;alert(1)&lt;/script&gt; (x)(javascript:alert(2))"
    assert "href" not in _rendered(markdown) and "<script" not in _rendered(markdown)
    assert source_link(sources, "a", markup="html") == "&lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:alert(2))"
    assert source_link(sources, "b", markup="html") == (
        '<a href="https://example.org/?q=&lt;b&gt;">&lt;img src=x onerror=alert(1)&gt;</a>'
    )
    _no_live_markup(_rendered(source_link(sources, "b")))


def test_a_readable_table_never_links_a_javascript_url_nor_runs_its_caption():
    import pandas as pd

    from helpers.present.tables import Table

    frame = pd.DataFrame({"outlet": ["x"]})
    html = Table(frame, frame, caption=SCRIPT, urls={"outlet": ["javascript:alert(1)"]})._repr_html_()
    assert "href" not in html and "<script" not in html and "<em>&lt;script&gt;" in html


# --- item 4: no silent success ------------------------------------------------------------------------------


class _PoolThatCannotStartWorkers:
    """A process pool whose worker cannot start: spawn's pipe to the new process breaks."""

    def __init__(self, *args, **kwargs):
        pass

    def submit(self, *args, **kwargs):
        raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))

    def shutdown(self, *args, **kwargs):
        pass


def test_a_worker_that_fails_to_start_is_an_error_naming_the_notebook(monkeypatch, run_mfc):
    from helpers.run import runner

    monkeypatch.setattr(runner, "ProcessPoolExecutor", _PoolThatCannotStartWorkers)
    result = run_mfc("run", "--only", "00_overview", "01_glossary", "--quiet")
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stderr.splitlines() == [
        f"FAILED  00_overview (00_overview.ipynb): the worker process could not start "
        f"(BrokenPipeError: [Errno {errno.EPIPE}] {os.strerror(errno.EPIPE)})",
        f"FAILED  01_glossary (01_glossary.ipynb): the worker process could not start "
        f"(BrokenPipeError: [Errno {errno.EPIPE}] {os.strerror(errno.EPIPE)})",
    ]
    assert result.stdout.strip().splitlines()[-1] == "0 of 2 notebook(s) executed; failed: 00_overview, 01_glossary"


def test_a_broken_pipe_that_is_not_standard_output_is_an_error(monkeypatch, run_mfc):
    def breaks(args):
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    monkeypatch.setattr(cli, "cmd_check_data", breaks)
    result = run_mfc("check-data")
    assert one_line(result, 1) == (
        "mfc check-data: a pipe to another process broke ([Errno 32] Broken pipe); nothing more was done"
    )


def test_only_a_standard_output_whose_reader_has_gone_counts_as_closed(monkeypatch):
    from helpers.run.output import stdout_closed

    read_end, write_end = os.pipe()
    monkeypatch.setattr("sys.stdout", open(write_end, "w", closefd=False))  # noqa: SIM115 (closed below)
    try:
        assert stdout_closed() is False
        os.close(read_end)
        assert stdout_closed() is True
    finally:
        monkeypatch.undo()
        os.close(write_end)


# --- item 7: the explorer answers only requests addressed to this machine ----------------------------------


def _explore_command(port: int) -> list[str]:
    """The voila command line of `make explore`, read from the Makefile, with ``port``."""
    import re
    import shlex
    import sys
    from pathlib import Path

    recipe = re.search(r"^explore:.*?(?=^\S|\Z)", (PROJECT_ROOT / "Makefile").read_text(), flags=re.S | re.M)
    text = recipe.group(0).replace("\\\n", " ")  # the recipe's continued lines as one
    line = next(part for part in text.split(";") if "/voila " in part).strip()
    words = shlex.split(line.replace("$(BIN)", str(Path(sys.executable).parent)).replace("$$port", str(port)))
    return [word for word in words if not word.startswith("JUPYTER_PATH=")]


def _status(port: int, host: str, path: str = "/api/kernels") -> int:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Host": host})
        return connection.getresponse().status
    finally:
        connection.close()


def test_the_explorer_refuses_a_host_other_than_this_machine():
    import signal
    import socket
    import subprocess
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = _explore_command(port)
    env = {**os.environ, "JUPYTER_PATH": "notebooks"}
    proc = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        end = time.monotonic() + 60
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert proc.poll() is None and time.monotonic() < end, "Voilà did not start"
            time.sleep(0.2)
        for host in ("evil.example", "localhost.evil.example", "192.168.1.5"):
            assert _status(port, f"{host}:{port}") == 403, host
            assert _status(port, f"{host}:{port}", "/") == 403, host
        for host in ("127.0.0.1", "localhost", "[::1]"):
            assert _status(port, f"{host}:{port}") in (200, 302), host  # 302: to the page that sets a cookie
        assert "--Voila.ip=127.0.0.1" in command  # and it listens on this machine only
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        proc.stderr.close()


# --- item 5: signals, whatever the moment ---------------------------------------------------------------------


def _signal_group_when(tmp_path, signum, child_says: str, delay: float):
    """Run one notebook with `mfc run` in a process group of its own; as soon as one of its processes'
    command lines holds ``child_says`` (a worker starting, a kernel running), wait ``delay`` seconds and
    send ``signum`` to the whole group, as a terminal does. Return the exit code and standard error."""
    import subprocess
    import sys
    import time

    import psutil

    command = [sys.executable, "-m", "helpers.run.cli", "run", "00_overview", "--output-dir", str(tmp_path / "o")]
    proc = subprocess.Popen(
        command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        end = time.monotonic() + 90
        while not any(
            child_says in " ".join(child.cmdline())
            for child in psutil.Process(proc.pid).children(recursive=True)
            if child.is_running()
        ):
            assert proc.poll() is None and time.monotonic() < end, f"no process ran {child_says}"
            time.sleep(0.005)
        time.sleep(delay)
        os.killpg(proc.pid, signum)
        _, err = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
            proc.wait()
    return proc.returncode, err


@pytest.mark.parametrize("delay", [0.02, 0.05, 0.15])
def test_ctrl_c_while_workers_start_stops_them_quietly(tmp_path, delay):
    import signal

    code, err = _signal_group_when(tmp_path, signal.SIGINT, "spawn_main", delay)
    assert code == 130 and "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert err.strip().splitlines() == [
        f"mfc run: interrupted; workers and kernels stopped, unfinished notebooks left as they were in {tmp_path / 'o'}/"
    ]


def test_sighup_to_the_group_leaves_no_traceback_from_the_resource_tracker(tmp_path):
    import signal

    code, err = _signal_group_when(tmp_path, signal.SIGHUP, "ipykernel", 1.0)
    assert code == 129 and "Traceback" not in err and "resource_tracker" not in err, err
    assert err.strip().splitlines() == [
        f"mfc run: stopped by SIGHUP; workers and kernels stopped, unfinished notebooks left as they were "
        f"in {tmp_path / 'o'}/"
    ]


WRITER = """
import sys, time
from pathlib import Path
{setup}
from helpers.ledger.files import write_atomically

def write(stream):
    stream.write("new, half written")
    stream.flush()
    print("writing", flush=True)
    time.sleep(60)

write_atomically(Path(sys.argv[1]), write)
"""


@pytest.mark.parametrize(
    ("who", "setup", "code"),
    [
        ("a pool worker", "from helpers.run.runner import _worker_signals\n_worker_signals()", 143),
        ("mfc itself", "from helpers.run.signals import stop_policy\npolicy = stop_policy()\npolicy.__enter__()", None),
    ],
)
def test_sigterm_in_the_middle_of_a_write_leaves_no_partial_file(tmp_path, who, setup, code):
    import signal
    import subprocess
    import sys

    target = tmp_path / "out" / "10_report.ipynb"
    target.parent.mkdir()
    target.write_text("the old copy", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER.format(setup=setup), str(target)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline() == "writing\n", proc.stderr.read()
    assert len(list(target.parent.iterdir())) == 2  # the old copy and the temporary file being written
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=30)
    if code is not None:
        assert proc.returncode == code
    assert [p.name for p in target.parent.iterdir()] == ["10_report.ipynb"], who
    assert target.read_text(encoding="utf-8") == "the old copy"
