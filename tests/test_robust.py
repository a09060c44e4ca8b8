"""Regression tests for bad input a real user produces: each gives one clear line, the right exit code,
and damages nothing (issue 10, "What breaks")."""

from __future__ import annotations

import csv
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.ledger.paths import DATA_DIR, PROJECT_ROOT
from helpers.ledger.tables import data_fingerprint, rehash, stamp_path, validate_data_dir, validate_once
from helpers.run import cli

HEADER = "claim_id,kind,a,b,stated,qualifier"


def mfc(*args, umask=None):
    def preexec():
        if umask is not None:
            os.umask(umask)

    return subprocess.run(
        [sys.executable, "-m", "helpers.run.cli", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        preexec_fn=preexec,
    )


def one_clean_line(result, code):
    """The command exited with ``code`` and said what was wrong in one line, with no traceback."""
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    return lines


@pytest.fixture
def data_copy(tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def set_cells(data_dir: Path, table: str, changes: dict[tuple[int, int], str]) -> None:
    """Set cells (record index, column index) of a table as text, then rehash."""
    path = data_dir / f"{table}.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    for (row, column), text in changes.items():
        rows[row][column] = text
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    rehash(data_dir)


VALUE = 7  # column index of figures.csv 'value'


# --- non-finite and huge numbers in the ledger --------------------------------------------------------


@pytest.mark.parametrize(
    "text, reason",
    [
        ("NaN", "is not a finite number"),
        ("inf", "is not a finite number"),
        ("-Infinity", "is not a finite number"),
        ("1e308", "is too large (above 1,000,000,000)"),
    ],
)
def test_non_finite_or_huge_figure_is_rejected_by_every_command(data_copy, text, reason, run_mfc):
    set_cells(data_copy, "figures", {(2, VALUE): text})
    expected = (
        f"data/figures.csv line 3 (figure_id hbth-fosterline-trafficked-in-care): column 'value': {text} {reason}"
    )
    assert validate_data_dir(data_copy) == [expected]
    for args in (["check-data", str(data_copy)], ["headlines", "until-harm-ends", "--data-dir", str(data_copy)]):
        lines = one_clean_line(run_mfc(*args), 1)
        assert lines[0] == expected


def test_a_400_digit_number_in_a_data_file_is_too_large(data_copy):
    set_cells(data_copy, "figures", {(2, VALUE): "9" * 400})
    problems = validate_data_dir(data_copy)
    assert problems == [
        "data/figures.csv line 3 (figure_id hbth-fosterline-trafficked-in-care): column 'value': "
        "999999999999... (400 characters) is too large (above 1,000,000,000)"
    ]


def test_a_suppressed_value_typed_as_zero_is_flagged(data_copy):
    with (data_copy / "figures.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    row = next(i for i, r in enumerate(rows) if r[9] == "not_found" and r[10] in ("children", "episodes_per_child"))
    set_cells(data_copy, "figures", {(row, VALUE): "0", (row, 9): ""})
    problems = validate_data_dir(data_copy)
    assert len(problems) == 1
    assert problems[0].startswith(
        f"data/figures.csv line {row + 1} (figure_id {rows[row][0]}): column 'value': 0 without a value_flag"
    )


# --- broken files and descriptors ------------------------------------------------------------------------


def test_duplicate_header_in_a_data_file(data_copy, run_mfc):
    path = data_copy / "figures.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",note\n", ",unit\n", 1), encoding="utf-8")
    rehash(data_copy)
    position = text.splitlines()[0].split(",").index("note") + 1
    lines = one_clean_line(run_mfc("check-data", str(data_copy)), 1)
    assert lines[0] == (
        f"data/figures.csv header: column 'unit' (column {position}) repeats an earlier column's name; "
        "every name must be unique"
    )
    assert len(lines) == 2  # the problem and the count


def test_binary_data_file_is_one_line_without_follow_on_key_errors(data_copy, run_mfc):
    (data_copy / "reports.csv").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)) * 4)
    rehash(data_copy)
    lines = one_clean_line(run_mfc("check-data", str(data_copy)), 1)
    assert lines == [
        "data/reports.csv: binary data (NUL bytes), not a UTF-8 CSV text file",
        f"{data_copy}: 1 problem(s)",
    ]


def test_descriptor_resource_without_a_path(data_copy, run_mfc):
    descriptor = data_copy / "datapackage.yaml"
    descriptor.write_text(
        descriptor.read_text(encoding="utf-8").replace("  path: reports.csv\n", "", 1), encoding="utf-8"
    )
    expected = (
        f"{descriptor}: resource 2 ('reports'): no 'path'; every table names its CSV file, e.g. path: reports.csv"
    )
    assert one_clean_line(run_mfc("check-data", str(data_copy)), 1)[0] == expected
    assert one_clean_line(run_mfc("headlines", "until-harm-ends", "--data-dir", str(data_copy)), 1) == [expected]


def test_extra_cells_are_reported_once_per_file(data_copy):
    path = data_copy / "figures.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1:5] = [line.rstrip("\n") + ",extra\n" for line in lines[1:5]]
    path.write_text("".join(lines), encoding="utf-8")
    rehash(data_copy)
    assert validate_data_dir(data_copy) == [
        "data/figures.csv line(s) 2, 3, 4, 5: more cells than the header names; remove them or name the "
        "column in the header and the descriptor"
    ]


def test_check_data_names_the_true_line_after_a_multi_line_quoted_field(data_copy):
    # A note with two line breaks on record 1 pushes record 11 from line 12 to line 14.
    note = (data_copy / "figures.csv").read_text(encoding="utf-8").splitlines()[0].split(",").index("note")
    set_cells(data_copy, "figures", {(1, note): "first line\nsecond line\nthird line", (11, VALUE): "-5"})
    problems = validate_data_dir(data_copy)
    assert problems and all(p.startswith("data/figures.csv line 14 ") for p in problems), problems
    set_cells(data_copy, "figures", {(11, VALUE): "abc"})  # a schema (frictionless) error: same line
    assert [p.split(":")[0] for p in validate_data_dir(data_copy)] == [
        "data/figures.csv line 14 (figure_id hbth-guardian-councils-asked)"
    ]


# --- claims files --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, expected",
    [
        (
            f"{HEADER}\nc1,proportion,{'9' * 400},2638,37,\n",
            "big.csv line 2 (claim_id c1): column 'a': 999999999999... (400 characters) is too large; numbers above "
            "1,000,000,000 are not accepted",
        ),
        (
            f"{HEADER},a\nc1,proportion,864,2638,37,,5\n",
            "big.csv header: column 'a' appears twice (columns 3 and 7); column names must be unique",
        ),
        (
            f"{HEADER}\nc1,proportion,-864,2638,37,\n",
            "big.csv line 2 (claim_id c1): column 'a': -864 is negative, but a count cannot be",
        ),
        (
            f"{HEADER}\nc1,total,5,-3,2,\n",
            "big.csv line 2 (claim_id c1): column 'b': -3 is negative, but a count cannot be",
        ),
        (
            f"{HEADER}\nc1,proportion,300,200,150,\n",
            "big.csv line 2 (claim_id c1): column 'stated': 150 is outside 0 to 100; a share is a per cent of a whole",
        ),
        (
            f"{HEADER}\n" + "".join(f"c{i},proportion,864,2638,37,,x,y\n" for i in range(4)),
            "big.csv line(s) 2, 3, 4, 5: more fields than the header's 6 columns; name every column in the header "
            "(or quote values that contain commas)",
        ),
    ],
    ids=["400-digits", "duplicate-header", "negative-a", "negative-b", "share-over-100", "extra-fields-once"],
)
def test_bad_claims_file_exits_2_with_one_line(tmp_path, body, expected, run_mfc):
    path = tmp_path / "big.csv"
    path.write_text(body, encoding="utf-8")
    out = tmp_path / "verdicts.csv"
    lines = one_clean_line(run_mfc("claims", str(path), "--out", str(out)), 2)
    assert lines == [expected]
    assert not out.exists()


def test_a_folder_or_binary_file_as_the_claims_file(tmp_path, run_mfc):
    assert one_clean_line(run_mfc("claims", str(tmp_path)), 2) == [f"{tmp_path}: is a folder, not a claims CSV file"]
    binary = tmp_path / "claims.csv"
    binary.write_bytes(b"claim_id\x00\x01\x02")
    assert one_clean_line(run_mfc("claims", str(binary)), 2) == [
        "claims.csv: binary data (NUL bytes), not a CSV text file"
    ]


def test_extra_named_columns_are_written_once(tmp_path, run_mfc):
    path = tmp_path / "mine.csv"
    path.write_text(f"{HEADER},note\nc1,proportion,864,2638,37,,x\nc2,total,1,2,3,,y\n", encoding="utf-8")
    out = tmp_path / "verdicts.csv"
    assert run_mfc("claims", str(path), "--out", str(out)).returncode == 0
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header.count("note") == 1 and len(header) == len(set(header))


# --- --out --------------------------------------------------------------------------------------------

GOOD = f"{HEADER}\nc1,proportion,864,2335,37,\n"


def test_out_refuses_the_input_file(tmp_path, run_mfc):
    path = tmp_path / "claims.csv"
    path.write_text(GOOD, encoding="utf-8")
    lines = one_clean_line(run_mfc("claims", str(path), "--out", str(path)), 2)
    assert lines == [f"mfc claims: --out {path}: is the input file {path}; write to another path"]
    assert path.read_text(encoding="utf-8") == GOOD


def test_out_refuses_a_symlink_a_fifo_and_a_device(tmp_path, run_mfc):
    path = tmp_path / "claims.csv"
    path.write_text(GOOD, encoding="utf-8")
    target = tmp_path / "kept.csv"
    target.write_text("kept\n", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for out, why in (
        (link, "is a symbolic link"),
        (fifo, "is a special file"),
        (Path(os.devnull), "is a special file"),
    ):
        lines = one_clean_line(run_mfc("claims", str(path), "--out", str(out)), 2)
        assert len(lines) == 1 and why in lines[0]
    assert link.is_symlink() and target.read_text() == "kept\n"
    assert stat.S_ISFIFO(fifo.stat().st_mode)


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640)])
def test_out_is_written_with_the_users_umask(tmp_path, umask, mode):
    path = tmp_path / "claims.csv"
    path.write_text(GOOD, encoding="utf-8")
    out = tmp_path / "verdicts.csv"
    assert mfc("claims", str(path), "--out", str(out), umask=umask).returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == mode
    assert [p.name for p in tmp_path.iterdir()] != [] and not list(tmp_path.glob(".*partial"))


def test_executed_notebooks_are_written_with_the_umask(tmp_path):
    import nbformat
    from nbformat.v4 import new_notebook

    from helpers.run.runner import write_atomically

    old = os.umask(0o022)
    try:
        write_atomically(new_notebook(), tmp_path / "nb.ipynb")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "nb.ipynb").stat().st_mode) == 0o644
    assert nbformat.read(tmp_path / "nb.ipynb", as_version=4).cells == []


# --- pipes and the one handler ----------------------------------------------------------------------------


def test_broken_pipe_ends_quietly():
    process = subprocess.Popen(
        [sys.executable, "-m", "helpers.run.cli", "headlines", "until-harm-ends", "--csv"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=PROJECT_ROOT,
    )
    process.stdout.close()  # the reader has gone before the first line, as `| head -0` would
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0
    assert err == ""


def test_an_unreadable_file_is_one_line_exit_2(tmp_path, monkeypatch, capsys):
    def refuse(args):
        raise PermissionError(13, "Permission denied", str(tmp_path / "x.csv"))

    monkeypatch.setattr(cli, "cmd_check_data", refuse)
    assert cli.main(["check-data"]) == 2
    assert capsys.readouterr().err == f"mfc check-data: {tmp_path / 'x.csv'}: Permission denied\n"


def test_an_unexpected_error_is_one_line_exit_1(monkeypatch, capsys):
    def broken(args):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(cli, "cmd_check_data", broken)
    monkeypatch.delenv("MFC_DEBUG", raising=False)
    assert cli.main(["check-data"]) == 1
    assert capsys.readouterr().err == (
        "mfc check-data: unexpected error ZeroDivisionError: division by zero (set MFC_DEBUG=1 for details)\n"
    )


# --- validation once per run, and the stamp --------------------------------------------------------------


def test_invalid_data_stop_the_run_before_any_notebook(monkeypatch, capsys):
    import helpers.ledger.tables
    import helpers.run.runner

    monkeypatch.setattr(
        helpers.ledger.tables, "validate_once", lambda data_dir=None: ["data/figures.csv line 3: broken"]
    )

    def must_not_run(*args, **kwargs):
        raise AssertionError("a notebook ran on invalid data")

    monkeypatch.setattr(helpers.run.runner, "run_catalogue", must_not_run)
    assert cli.main(["run", "--quiet"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "data/figures.csv line 3: broken",
        "mfc run: 1 data problem(s); no notebook was run (see `mfc check-data`)",
    ]


def test_valid_data_are_validated_once_then_checked_by_hash(data_copy, monkeypatch):
    import helpers.ledger.tables

    stamp = stamp_path(data_fingerprint(data_copy))
    stamp.unlink(missing_ok=True)
    assert validate_once(data_copy) == [] and stamp.is_file()
    monkeypatch.setattr(helpers.ledger.tables, "validate_data_dir", lambda d=None: pytest.fail("validated again"))
    assert helpers.ledger.tables.load_ledger(data_copy).figures.shape[0] > 200
    stamp.unlink()


def test_the_stamp_key_covers_every_file_under_data(data_copy):
    before = data_fingerprint(data_copy)
    (data_copy / "raw").mkdir(exist_ok=True)  # the vendored raw files may already be there
    (data_copy / "raw" / "new.csv").write_text("a\n1\n", encoding="utf-8")
    with_raw = data_fingerprint(data_copy)
    assert with_raw != before
    (data_copy / "raw" / "new.csv").write_text("a\n2\n", encoding="utf-8")
    assert data_fingerprint(data_copy) not in (before, with_raw)
    (data_copy / "raw" / "new.csv").unlink()
    assert data_fingerprint(data_copy) == before


def test_an_invalid_edit_is_never_hidden_by_an_old_stamp(data_copy):
    assert validate_once(data_copy) == []
    set_cells(data_copy, "figures", {(2, VALUE): "NaN"})
    assert len(validate_once(data_copy)) == 1


# --- Ctrl-C during a parallel run ------------------------------------------------------------------------


def test_ctrl_c_stops_a_parallel_run_kills_workers_and_kernels_and_keeps_executed_copies():
    import signal
    import time

    import psutil

    from helpers.ledger.paths import EXECUTED_DIR

    before = {p.name: p.read_bytes() for p in EXECUTED_DIR.glob("*.ipynb")}
    process = subprocess.Popen(
        [sys.executable, "-m", "helpers.run.cli", "run", "--jobs", "2", "--quiet", "--only", "10_report"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=PROJECT_ROOT,
        start_new_session=True,
    )
    parent = psutil.Process(process.pid)
    deadline = time.monotonic() + 120
    kernels = []
    while time.monotonic() < deadline and len(kernels) < 2:
        time.sleep(0.5)
        try:
            kernels = [p for p in parent.children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]
        except psutil.NoSuchProcess:
            pass
    assert len(kernels) == 2, "two kernels should be running"
    descendants = parent.children(recursive=True)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole foreground group
    started = time.monotonic()
    out, err = process.communicate(timeout=30)
    assert time.monotonic() - started < 10, "stopped within a few seconds"
    assert process.returncode == 130
    assert err.decode().strip().splitlines() == [
        "mfc run: interrupted; workers and kernels stopped, unfinished notebooks left as they were in "
        "notebooks/executed/"
    ]
    time.sleep(0.5)
    alive = [p for p in descendants if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert alive == [], f"orphans left: {[p.cmdline() for p in alive]}"
    after = {p.name: p.read_bytes() for p in EXECUTED_DIR.glob("*.ipynb")}
    assert after == before
    assert not list(EXECUTED_DIR.glob(".*partial"))


def test_out_refuses_a_folder_and_a_missing_folder(tmp_path):
    from helpers.ledger.errors import ParameterError
    from helpers.ledger.files import check_output_path

    with pytest.raises(ParameterError, match="is a folder; give a file name"):
        check_output_path(tmp_path)
    with pytest.raises(ParameterError, match=f"folder {tmp_path / 'absent'} does not exist"):
        check_output_path(tmp_path / "absent" / "v.csv")
    assert check_output_path(tmp_path / "v.csv") == tmp_path / "v.csv"


def test_text_checks_apply_to_csv_tables_only():
    from helpers.ledger.tables import is_csv

    assert [
        is_csv("a.csv"),
        is_csv("raw/a.xlsx"),
        is_csv("a.txt", {"format": "csv"}),
        is_csv("a.csv", {"format": "xlsx"}),
    ] == [True, False, True, False]


# --- issue 19: nothing lost, nothing left running, nothing silently wrong ---------------------------------


@pytest.mark.parametrize("code", ["ENOSPC", "EIO"])
@pytest.mark.parametrize("fault", ["write", "replace"])
def test_atomic_write_under_a_full_disk_or_io_error_leaves_no_partial_and_no_temp(tmp_path, monkeypatch, code, fault):
    import errno

    from helpers.ledger import files

    target = tmp_path / "councils.csv"
    target.write_text("committed\n", encoding="utf-8")
    error = OSError(getattr(errno, code), os.strerror(getattr(errno, code)))

    def broken(*args, **kwargs):
        raise error

    if fault == "replace":
        monkeypatch.setattr(os, "replace", broken)
        write = lambda stream: stream.write("new,table\n" * 1000)  # noqa: E731
    else:

        def write(stream):  # part of the table written, then the disk fills
            stream.write("code,name\nN92000002,Northern Ire")
            broken()

    with pytest.raises(OSError) as info:
        files.write_atomically(target, write)
    assert info.value.errno == getattr(errno, code)
    assert target.read_text(encoding="utf-8") == "committed\n"
    assert [p.name for p in tmp_path.iterdir()] == ["councils.csv"]


def test_a_set_of_files_changes_together_or_not_at_all(tmp_path, monkeypatch):
    import errno

    from helpers.ledger.files import write_all_atomically

    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("old a\n"), b.write_text("old b\n")

    def full(stream):
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError):
        write_all_atomically({a: lambda s: s.write("new a\n"), b: full})
    assert (a.read_text(), b.read_text()) == ("old a\n", "old b\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]
    write_all_atomically({a: lambda s: s.write("new a\n"), b: lambda s: s.write("new b\n")})
    assert (a.read_text(), b.read_text()) == ("new a\n", "new b\n")


def test_claims_out_is_written_even_when_the_reader_of_stdout_goes_early(tmp_path):
    """`mfc claims FILE --out v.csv | head -1` exits 0 and v.csv is there, whole."""
    out = tmp_path / "v.csv"
    process = subprocess.Popen(
        [sys.executable, "-m", "helpers.run.cli", "claims", str(DATA_DIR / "claims.csv"), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=PROJECT_ROOT,
    )
    process.stdout.readline()
    process.stdout.close()  # what `| head -1` does after its line
    err = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0, err
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with (DATA_DIR / "claims.csv").open(newline="", encoding="utf-8") as handle:
        assert len(rows) == len(list(csv.DictReader(handle)))


def test_a_users_verdict_column_is_refused_in_one_line_and_nothing_is_written(tmp_path, run_mfc):
    claims = tmp_path / "c.csv"
    claims.write_text(HEADER + ",verdict\nc1,proportion,864,2335,37,,mine\n", encoding="utf-8")
    result = run_mfc("claims", str(claims), "--out", str(tmp_path / "v.csv"))
    assert one_clean_line(result, 2) == [
        "c.csv header: column(s) verdict are written by the checker (computed, verdict, diagnosis, explanation); "
        "rename yours (e.g. 'your_verdict') so neither is lost"
    ]
    assert not (tmp_path / "v.csv").exists()


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("37 per cent", "37 per cent"),
        ("-22", "-22"),
    ],
)
def test_formula_like_claim_text_is_neutralised_in_the_out_file(tmp_path, run_mfc, text, written):
    """OWASP's advice for CSV meant for spreadsheets: a cell that would run as a formula gets a leading '."""
    claims = tmp_path / "c.csv"
    with claims.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(
            [HEADER.split(",") + ["description"], ["c1", "proportion", "864", "2335", "37", "", text]]
        )
    result = run_mfc("claims", str(claims), "--out", str(tmp_path / "v.csv"))
    assert result.returncode == 0, result.stderr
    with (tmp_path / "v.csv").open(newline="", encoding="utf-8") as handle:
        assert next(csv.DictReader(handle))["description"] == written


def test_a_fifo_as_the_claims_file_is_refused_before_it_is_opened(tmp_path):
    fifo = tmp_path / "claims.csv"
    os.mkfifo(fifo)
    result = subprocess.run(
        [sys.executable, "-m", "helpers.run.cli", "claims", str(fifo)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=60,  # it used to wait for ever for a writer
    )
    assert one_clean_line(result, 2) == [
        f"{fifo}: is a special file (FIFO, device or socket), not a claims CSV file; it was not opened"
    ]


def test_rehash_names_a_missing_table_and_writes_nothing(data_copy, run_mfc):
    before = (data_copy / "datapackage.yaml").read_bytes()
    (data_copy / "discrepancies.csv").unlink()
    result = run_mfc("rehash", str(data_copy))
    assert one_clean_line(result, 1) == [
        "data/discrepancies.csv: declared as table 'discrepancies' in datapackage.yaml but missing; restore it "
        "or remove its entry (nothing was rehashed)"
    ]
    assert (data_copy / "datapackage.yaml").read_bytes() == before


def test_rehash_compares_hashes_not_text_after_a_yaml_tool_reindents(data_copy, run_mfc):
    import yaml

    descriptor = yaml.safe_load((data_copy / "datapackage.yaml").read_text(encoding="utf-8"))
    (data_copy / "datapackage.yaml").write_text(yaml.safe_dump(descriptor, indent=4, sort_keys=False), encoding="utf-8")
    # no table changed yet: a re-indented descriptor alone is up to date
    assert run_mfc("rehash", str(data_copy)).stdout == "all hashes already up to date\n"
    with (data_copy / "figures.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n")  # the table changes after the re-indent
    result = run_mfc("rehash", str(data_copy))
    assert result.stdout.splitlines() == ["data/figures.csv: hash updated", "data/figures.csv: bytes updated"]
    assert validate_data_dir(data_copy) == []


def test_a_figure_written_with_a_digit_separator_is_one_line(data_copy, run_mfc):
    set_cells(data_copy, "figures", {(1, VALUE): "5_90"})
    result = run_mfc("check-data", str(data_copy))
    lines = one_clean_line(result, 1)
    assert lines[0].startswith("data/figures.csv line 2 (figure_id ") and lines[0].endswith(
        "column 'value': '5_90' is not a plain number (digit separators such as _ are not allowed; write 590)"
    )
    assert "unexpected error" not in result.stderr


def test_a_table_rewritten_after_validation_is_one_line(data_copy, monkeypatch):
    """mfc headlines reading a table being rewritten: a DataError naming it, never ValueError."""
    from helpers.ledger import tables
    from helpers.ledger.errors import DataError

    assert tables.validate_once(data_copy) == []
    set_cells(data_copy, "figures", {(1, VALUE): "5_90"})
    with pytest.raises(DataError) as info:
        tables.load_ledger(data_copy, validate=False)  # as if validation had passed just before the edit
    assert info.value.problems[0].startswith("data/figures.csv: could not be read after validation (")


def test_a_folder_in_place_of_figures_csv_is_named_as_a_folder(data_copy, run_mfc):
    (data_copy / "figures.csv").unlink()
    (data_copy / "figures.csv").mkdir()
    result = run_mfc("check-data", str(data_copy))
    assert one_clean_line(result, 1)[0] == (
        "data/figures.csv: is a folder, not a CSV file (declared by resource 'figures')"
    )
    assert "file not found" not in result.stderr


def test_two_blank_lines_do_not_shift_the_line_named(data_copy):
    path = data_copy / "figures.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[3:3] = ["", ""]  # two blank lines after line 3
    record = next(csv.reader([lines[26]]))  # true line 27
    record[VALUE] = "-5"
    lines[26] = ",".join(f'"{c}"' if "," in c else c for c in record)
    path.write_text("\n".join(lines), encoding="utf-8")
    rehash(data_copy)
    problems = validate_data_dir(data_copy)
    assert problems and all(p.startswith("data/figures.csv line 27 ") or "on line 27" in p for p in problems[:1])
    assert not any("blank" in p for p in problems)


def test_a_duplicate_id_after_multi_line_notes_names_both_true_lines(data_copy):
    path = data_copy / "figures.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    note = rows[0].index("note")
    rows[1][note] = "a note\nover\nthree lines"  # record 1 now spans lines 2-4
    rows[10][0] = rows[5][0]  # record 5 starts on line 8, record 10 on line 13
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    rehash(data_copy)
    problems = validate_data_dir(data_copy)
    assert problems and all(p.startswith("data/figures.csv line 13") and p.endswith("on line 8") for p in problems)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["trends", "--alpha", "1e-320"],
            "argument --alpha: --alpha=1e-320 is outside the valid range from 0.001 to 0.5",
        ),
        (["run", "--timeout", "-1"], "argument --timeout: --timeout=-1 is outside the valid range from 1 to 86400"),
        (
            ["nonresponse", "until-harm-ends", "--seed", "-1"],
            "--seed=-1 is outside the valid range from 0 to 4294967295",
        ),
        (
            ["headlines", "until-harm-ends", "--alpha", "0.9"],
            "--alpha=0.9 is outside the valid range from 0.001 to 0.5",
        ),
    ],
    ids=["trends-alpha", "run-timeout", "nonresponse-seed", "headlines-alpha"],
)
def test_options_out_of_their_declared_range_exit_2_in_one_line(args, expected, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(args)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith(f"mfc {args[0]}: error: argument ")


@pytest.mark.parametrize(
    ("notebook", "values", "expected"),
    [
        (
            "41_nonresponse_simulation",
            {"n_sims": 10**9},
            "n_sims=1000000000 is outside the valid range from 1 to 100000",
        ),
        ("41_nonresponse_simulation", {"seed": "abc"}, "seed='abc' is not a whole number"),
        ("41_nonresponse_simulation", {"seed": -1}, "seed=-1 is outside the valid range from 0 to 4294967295"),
        ("40_nonresponse", {"strengths": {"mnar": "abc"}}, "strengths['mnar']='abc' is not a finite number"),
        ("40_nonresponse", {"imputations": 0}, "imputations=0 is outside the valid range from 2 to 500 (Rubin's rules"),
        ("40_nonresponse", {"imputations": 1}, "imputations=1 is outside the valid range from 2 to 500 (Rubin's rules"),
        ("40_nonresponse", {"seed": -1}, "seed=-1 is outside the valid range from 0 to 4294967295"),
        ("30_trends", {"alpha": 1e-320}, "alpha=1e-320 is outside the valid range from 0.001 to 0.5"),
        ("10_report", {"report_id": "harm-2030"}, "report_id='harm-2030' is not valid; valid values: heading-back"),
    ],
)
def test_every_bad_notebook_value_is_one_line_from_the_shared_check(notebook, values, expected):
    from helpers.ledger.errors import ParameterError
    from helpers.run.one_run import notebook_defaults
    from helpers.run.params import check_parameters

    namespace = {**notebook_defaults(PROJECT_ROOT / "notebooks" / f"{notebook}.ipynb"), **values}
    with pytest.raises(ParameterError) as info:
        check_parameters(namespace, notebook)
    assert expected in str(info.value) and "\n" not in str(info.value)


def test_mfc_run_one_notebook_refuses_bad_values_before_a_kernel_starts(tmp_path, run_mfc, monkeypatch):
    import helpers.run.runner

    monkeypatch.setattr(helpers.run.runner, "run_catalogue", lambda *a, **k: pytest.fail("a kernel started"))
    params = tmp_path / "p.yaml"
    params.write_text("strengths: {mnar: abc}\n", encoding="utf-8")
    result = run_mfc("run", "40_nonresponse", "-f", str(params), "--output-dir", str(tmp_path / "out"))
    assert one_clean_line(result, 2) == [
        "mfc run: strengths['mnar']='abc' is not a finite number; valid: from -5.0 to 5.0"
    ]
    result = run_mfc("run", "10_report", "-p", "report_id=until-harm-ends", "--output-dir", "notebooks/executed")
    assert one_clean_line(result, 2)[0].startswith("mfc run: --output-dir notebooks/executed: is notebooks/executed/")


# --- one signal policy: SIGINT 130, SIGTERM 143, SIGHUP 129 -------------------------------------------------


def _handler_installed(pid: int, signum: int) -> bool:
    """Whether process ``pid`` catches ``signum`` (its SigCgt mask in /proc). Python itself catches SIGINT
    from start-up, so the policy's arrival is read from SIGTERM, which it installs with the others."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True  # gone already: nothing to wait for
    caught = next(line for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught.split()[1], 16) >> (signum - 1) & 1)


def _signal_after(args, signum, delay, **kwargs):
    """Start ``mfc ARGS``, wait until its signal policy is installed, then ``delay`` seconds more, and signal it.

    Timing from the policy's installation (not from the start) keeps the moment the same on a loaded machine,
    where interpreter start-up alone can take longer than a fixed delay.
    """
    import signal
    import time

    process = subprocess.Popen(
        [sys.executable, "-m", "helpers.run.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=PROJECT_ROOT,
        text=True,
        **kwargs,
    )
    deadline = time.monotonic() + 30
    while not _handler_installed(process.pid, signal.SIGTERM) and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(delay)
    process.send_signal(signum)
    out, err = process.communicate(timeout=60)
    return process.returncode, err


@pytest.mark.parametrize(("name", "code"), [("SIGINT", 130), ("SIGTERM", 143), ("SIGHUP", 129)])
# From the policy's installation: at once (the heavy imports follow it) and 0.5 s later (mid-way through a
# command of about 1.5 s on the idle machine).
@pytest.mark.parametrize("delay", [0.0, 0.5], ids=["start-up-imports", "at-work"])
def test_mfc_trends_stops_on_each_signal_with_its_code_and_one_line(name, code, delay):
    import signal

    returncode, err = _signal_after(["trends", "--csv"], getattr(signal, name), delay)
    if returncode == 0:
        pytest.skip("the command finished before the signal")  # a fast machine: nothing to interrupt
    assert returncode == code, err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and err.startswith("mfc trends: ")


@pytest.mark.parametrize(
    ("args", "delay"),
    [(["run", "--only", "00_overview", "--quiet"], 0.2), (["check-data"], 1.0)],
    ids=["run-start-up-imports", "check-data-during-validation"],
)
def test_ctrl_c_during_start_up_or_validation_is_one_line_without_a_traceback(args, delay):
    import signal

    from helpers.ledger.paths import EXECUTED_DIR

    before = {p.name: p.read_bytes() for p in EXECUTED_DIR.glob("*.ipynb")}
    returncode, err = _signal_after(args, signal.SIGINT, delay)
    if returncode == 0:
        pytest.skip("the command finished before the signal")
    assert returncode == 130, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert {p.name: p.read_bytes() for p in EXECUTED_DIR.glob("*.ipynb")} == before


def test_mfc_build_context_on_sigterm_exits_143_and_leaves_the_tables_as_they_were(tmp_path):
    import signal

    out = tmp_path / "context"
    out.mkdir()
    (out / "councils.csv").write_text("committed\n", encoding="utf-8")
    returncode, err = _signal_after(["build-context", "--out", str(out)], signal.SIGTERM, 0.5)
    if returncode == 0:
        pytest.skip("the build finished before the signal")
    assert returncode == 143, err
    assert err.strip().splitlines() == ["mfc build-context: stopped by SIGTERM; nothing was left half-written"]
    assert [p.name for p in out.iterdir()] == ["councils.csv"]
    assert (out / "councils.csv").read_text(encoding="utf-8") == "committed\n"


@pytest.mark.parametrize(("name", "code"), [("SIGINT", 130), ("SIGTERM", 143), ("SIGHUP", 129)])
def test_a_signal_while_the_context_tables_are_written_leaves_none_changed(tmp_path, monkeypatch, capsys, name, code):
    """The signal arrives after the first table's temporary file is complete: no table changes, no
    temporary file stays, one line, the policy's exit code (deterministic: the signal is sent from inside)."""
    import signal

    from helpers.ledger import files

    out = tmp_path / "context"
    out.mkdir()
    (out / "councils.csv").write_text("committed\n", encoding="utf-8")
    real = files._write_temporary

    def then_signal(target, write, **kwargs):
        tmp_name = real(target, write, **kwargs)
        os.kill(os.getpid(), getattr(signal, name))  # the handler raises in this thread, here
        return tmp_name

    monkeypatch.setattr(files, "_write_temporary", then_signal)
    assert cli.main(["build-context", "--out", str(out)]) == code
    reason = "interrupted" if name == "SIGINT" else f"stopped by {name}"
    assert capsys.readouterr().err == f"mfc build-context: {reason}; nothing was left half-written\n"
    assert [p.name for p in out.iterdir()] == ["councils.csv"]
    assert (out / "councils.csv").read_text(encoding="utf-8") == "committed\n"
    assert signal.getsignal(signal.SIGTERM) is not None  # the previous handlers are back


@pytest.mark.parametrize(("name", "code"), [("SIGTERM", 143), ("SIGHUP", 129)])
def test_mfc_run_on_sigterm_or_sighup_stops_workers_and_kernels(tmp_path, name, code):
    """What a scheduler, `timeout` or systemd sends: the parent alone gets it, and stops every child."""
    import signal
    import time

    import psutil

    process = subprocess.Popen(
        [sys.executable, "-m", "helpers.run.cli", "run", "10_report", "--output-dir", str(tmp_path / "out")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=PROJECT_ROOT,
        start_new_session=True,
    )
    parent = psutil.Process(process.pid)
    deadline = time.monotonic() + 120
    kernels = []
    while time.monotonic() < deadline and not kernels:
        time.sleep(0.5)
        try:
            kernels = [p for p in parent.children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]
        except psutil.NoSuchProcess:
            break
    assert kernels, "a kernel should be running"
    descendants = parent.children(recursive=True)
    process.send_signal(getattr(signal, name))  # to the parent only, as `kill PID` does
    out, err = process.communicate(timeout=30)
    assert process.returncode == code, err
    assert err.decode().strip().splitlines() == [
        f"mfc run: stopped by {name}; workers and kernels stopped, unfinished notebooks left as they were in "
        f"{tmp_path / 'out'}/"
    ]
    time.sleep(1.0)
    alive = [p for p in descendants if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert alive == [], f"left running: {[p.cmdline() for p in alive]}"
    assert list((tmp_path / "out").iterdir()) == []
