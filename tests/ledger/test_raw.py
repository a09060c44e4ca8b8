"""data/raw/: the vendored official files, their provenance and hashes, the LAIT cut, no outside paths."""

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from helpers.ledger import context_build as cb
from helpers.ledger import raw
from helpers.ledger.errors import DataError
from helpers.ledger.paths import DATA_DIR, PROJECT_ROOT
from helpers.ledger.tables import validate_data_dir

RAW = DATA_DIR / "raw"
DESCRIPTOR = yaml.safe_load((RAW / "datapackage.yaml").read_text(encoding="utf-8"))
RESOURCES = DESCRIPTOR["resources"]
# Every file the build reads, from the build's own constants.
BUILD_READS = {
    cb.F_FRAME,
    cb.F_TS,
    cb.F_MISS22,
    cb.F_MISS24,
    cb.F_NATMISS,
    cb.F_DASH,
    cb.F_LAIT,
    cb.F_MYE,
    cb.F_IMD,
    cb.F_RUC,
    cb.F_OFSTED,
    cb.F_NRM,
    cb.F_C3,
    *cb.SFR_CLA.values(),
    *cb.SFR_MISS.values(),
}


# ----------------------------------------------------------------------------- what is vendored
def test_raw_folder_holds_exactly_the_files_the_build_reads():
    assert len(BUILD_READS) == 20
    assert {p.name for p in RAW.glob("*.csv")} == BUILD_READS
    assert {r["path"] for r in RESOURCES} == BUILD_READS
    assert {p.name for p in RAW.iterdir()} == BUILD_READS | {"README.md", "datapackage.yaml"}


@pytest.mark.parametrize("res", RESOURCES, ids=lambda r: r["path"])
def test_every_raw_hash_and_size_matches(res):
    data = (RAW / res["path"]).read_bytes()
    assert res["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
    assert res["bytes"] == len(data)


@pytest.mark.parametrize("res", RESOURCES, ids=lambda r: r["path"])
def test_every_raw_file_names_publisher_release_url_and_licence(res):
    assert res["publisher"] and res["release"] and res["title"]
    assert res["how"] in {"verbatim", "derived", "cut"}
    assert res["licenses"][0]["name"] == "OGL-UK-3.0"
    assert res["sources"] and all(s["path"].startswith("https://") for s in res["sources"])
    if res["how"] != "verbatim":
        assert res["how_note"]


def test_raw_readme_has_a_paragraph_per_file():
    text = (RAW / "README.md").read_text(encoding="utf-8")
    for name in BUILD_READS:
        assert f"`{name}`" in text, name


def test_gitattributes_keeps_raw_line_endings():
    lines = (PROJECT_ROOT / ".gitattributes").read_text(encoding="utf-8").splitlines()
    assert "data/raw/*.csv -text binary" in lines
    # Some raw files really do have CRLF endings: proof that nothing normalised them.
    assert b"\r\n" in (RAW / cb.F_TS).read_bytes()
    assert b"\r" not in (RAW / cb.F_FRAME).read_bytes()


# ----------------------------------------------------------------------------- check-data
def test_real_raw_folder_has_no_problems():
    assert raw.raw_problems(DATA_DIR) == []


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def test_an_edited_raw_file_is_named(data_copy):
    path = data_copy / "raw" / cb.F_NRM
    path.write_bytes(path.read_bytes().replace(b"2023,Q4", b"2023,Q3", 1))
    problems = validate_data_dir(data_copy)
    assert problems == [
        f"data/raw/{cb.F_NRM}: sha256 differs from raw/datapackage.yaml: an official raw file "
        "must stay as received (restore it with `git checkout -- data/raw`)"
    ]


def test_a_removed_and_an_undeclared_raw_file_are_named(data_copy):
    (data_copy / "raw" / cb.F_IMD).unlink()
    (data_copy / "raw" / "extra.csv").write_text("a\n1\n", encoding="utf-8")
    problems = raw.raw_problems(data_copy)
    assert problems == [
        f"data/raw/{cb.F_IMD}: file not found (declared by raw resource 'mhclg-imd2019-utla-summaries')",
        "data/raw/extra.csv: not declared in raw/datapackage.yaml",
    ]


def test_cli_check_data_exits_1_naming_an_edited_raw_file(data_copy, run_mfc):
    path = data_copy / "raw" / cb.F_RUC
    path.write_bytes(path.read_bytes() + b"\n")
    result = run_mfc("check-data", str(data_copy))
    assert result.returncode == 1
    assert f"data/raw/{cb.F_RUC}: sha256 differs" in result.stderr
    assert "Traceback" not in result.stderr


def test_broken_raw_descriptor_is_one_line(data_copy):
    (data_copy / "raw" / "datapackage.yaml").write_text("resources: [", encoding="utf-8")
    problems = raw.raw_problems(data_copy)
    assert len(problems) == 1 and "not valid YAML" in problems[0]


# ----------------------------------------------------------------------------- the LAIT cut
def test_vendored_lait_holds_the_two_measures_whole():
    lines = (RAW / cb.F_LAIT).read_bytes().splitlines()
    assert lines[0] == b"Short Desc,Measure,Unit,Years,LA and Regions,LA Number,Region,Values"
    firsts = [line.split(b",", 1)[0].decode() for line in lines[1:]]
    # 170 areas x 10 years (2016-2025) for each measure, the same counts as in the full file.
    assert {m: firsts.count(m) for m in set(firsts)} == {"LACnum": 1700, "Unacc_Asylmn_Seek_Childn": 1700}
    res = next(r for r in RESOURCES if r["path"] == cb.F_LAIT)
    assert res["how"] == "cut" and res["cut_from"]["rows"] == 34000 and res["cut_from"]["bytes"] == 4223230


def test_cut_rows_keeps_header_and_lines_byte_for_byte(tmp_path):
    src = tmp_path / "full.csv"
    src.write_bytes(b'Short Desc,Values\r\nLACnum,1\r\nCIN,2\r\n"Unacc_Asylmn_Seek_Childn","3,5"\r\nLACnum,-\r\n')
    dst = tmp_path / "cut.csv"
    assert raw.cut_rows(src, dst) == 3
    assert dst.read_bytes() == b'Short Desc,Values\r\nLACnum,1\r\n"Unacc_Asylmn_Seek_Childn","3,5"\r\nLACnum,-\r\n'


def test_cut_rows_names_an_absent_measure_and_a_missing_file(tmp_path):
    src = tmp_path / "full.csv"
    src.write_text("Short Desc,Values\nLACnum,1\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"no rows for \['Unacc_Asylmn_Seek_Childn'\]"):
        raw.cut_rows(src, tmp_path / "cut.csv")
    assert not (tmp_path / "cut.csv").exists()
    with pytest.raises(DataError, match="file not found"):
        raw.cut_rows(tmp_path / "none.csv", tmp_path / "cut.csv")


def test_cut_command_line(tmp_path, capsys):
    from helpers.run.cli import main as mfc

    with pytest.raises(SystemExit) as stop:
        mfc(["cut-lait"])  # argparse: usage on standard error, exit 2
    assert stop.value.code == 2
    assert "usage" in capsys.readouterr().err
    assert mfc(["cut-lait", str(tmp_path / "none.csv"), str(tmp_path / "out.csv")]) == 1
    assert capsys.readouterr().err.strip() == f"{tmp_path / 'none.csv'}: file not found"
    src = tmp_path / "full.csv"
    src.write_bytes((RAW / cb.F_LAIT).read_bytes())
    assert mfc(["cut-lait", str(src), str(tmp_path / "out.csv")]) == 0
    assert (tmp_path / "out.csv").read_bytes() == src.read_bytes()  # cutting the cut changes nothing
    kept = len(src.read_bytes().splitlines()) - 1
    assert capsys.readouterr().out == f"{tmp_path / 'out.csv'}: {kept} rows kept (LACnum, Unacc_Asylmn_Seek_Childn)\n"


# ----------------------------------------------------------------------------- no outside paths
def _tracked_files() -> list[Path]:
    """Files git tracks; without git (an unpacked archive), every file outside tool folders."""
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT_ROOT, capture_output=True, check=True).stdout
        names = [n for n in out.decode().split("\0") if n]
    except (OSError, subprocess.CalledProcessError):
        names = []
    if names:
        return [PROJECT_ROOT / n for n in names]
    skip = {".git", ".venv", "build", ".pytest_cache", "__pycache__", ".ipynb_checkpoints"}
    found = []
    for root, dirs, files in os.walk(PROJECT_ROOT):
        dirs[:] = [d for d in dirs if d not in skip and not d.endswith(".egg-info")]
        found += [Path(root) / f for f in files]
    return found


def test_no_tracked_file_names_a_path_outside_the_repository():
    outside = [b"shared" + b"/", b".." + b"/"]  # spelled in two parts so this file does not match itself
    offenders = []
    for path in _tracked_files():
        if path.is_file():
            data = path.read_bytes()
            offenders += [f"{path.relative_to(PROJECT_ROOT)}: {p.decode()}" for p in outside if p in data]
    assert len(_tracked_files()) > 50
    assert offenders == []
