"""The mfc command as a script would call it: output, exit codes and messages."""

import csv
import io
import subprocess
import sys

import pytest

from helpers.paths import PROJECT_ROOT


def mfc(*args):
    return subprocess.run([sys.executable, "-m", "helpers.cli", *args], capture_output=True, text=True,
                          cwd=PROJECT_ROOT)


def test_headlines_csv_for_until_harm_ends():
    result = mfc("headlines", "until-harm-ends", "--csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {"report_id", "version", "group", "numerator", "denominator", "rate", "ci_low", "ci_high"} <= set(rows[0])
    found = {(r["version"], r["group"], r["numerator"], r["denominator"]): r for r in rows}
    guardian = found[("guardian", "trafficked", "864", "2335")]
    assert (round(float(guardian["rate"]), 3), round(float(guardian["ci_low"]), 3),
            round(float(guardian["ci_high"]), 3)) == (0.370, 0.351, 0.390)
    assert ("independent", "trafficked", "864", "2638") in found
    assert ("independent", "unaccompanied", "1501", "12530") in found


@pytest.mark.parametrize("report_id", ["heading-back-to-harm", "still-in-harms-way", "when-harm-remains"])
def test_headlines_for_the_other_reports(report_id):
    result = mfc("headlines", report_id, "--csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and all(r["report_id"] == report_id for r in rows)
    for r in rows:
        assert 0 <= float(r["ci_low"]) <= float(r["rate"]) <= float(r["ci_high"]) <= 1


def test_headlines_unknown_report_exits_2_listing_valid_ids():
    result = mfc("headlines", "harm-2030")
    assert result.returncode == 2
    assert "valid values: heading-back-to-harm, still-in-harms-way" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_list_shows_every_report():
    result = mfc("run", "--list")
    assert result.returncode == 0
    for report_id in ("heading-back-to-harm", "still-in-harms-way", "when-harm-remains", "until-harm-ends"):
        assert f"10_report-{report_id}" in result.stdout


def test_run_only_unknown_name_exits_2():
    result = mfc("run", "--only", "99_nothing")
    assert result.returncode == 2 and "valid:" in result.stderr


def test_claims_on_a_hand_written_file(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("claim_id,kind,a,b,stated,qualifier,report_id\n"
                    "uhe-37,proportion,864,2638,37,,until-harm-ends\n"
                    "whr-22,percent_change,960,1231,22,,when-harm-remains\n"
                    "sum,total,864,1501,2400,nearly,until-harm-ends\n")
    out = tmp_path / "verdicts.csv"
    result = mfc("claims", str(path), "--out", str(out))
    assert result.returncode == 0, result.stderr
    verdicts = {r["claim_id"]: r for r in csv.DictReader(out.open())}
    assert verdicts["uhe-37"]["verdict"] == "inconsistent"
    assert verdicts["uhe-37"]["diagnosis"] == "other_denominator"
    assert verdicts["whr-22"]["diagnosis"] == "change_over_later_value"
    assert verdicts["sum"]["verdict"] == "consistent"


def test_claims_malformed_file_exits_2_and_writes_nothing(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("claim_id,kind,a,b,stated\nx,ratio,1,2,50\n")
    out = tmp_path / "verdicts.csv"
    result = mfc("claims", str(path), "--out", str(out))
    assert result.returncode == 2
    assert "qualifier" in result.stderr  # the missing column is named
    assert not out.exists()


def test_check_data_on_a_missing_folder_is_a_clear_error(tmp_path):
    result = mfc("check-data", str(tmp_path / "nowhere"))
    assert result.returncode == 1
    assert "datapackage.yaml: data package descriptor not found" in result.stderr
