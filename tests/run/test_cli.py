"""The mfc command as a script would call it: output, exit codes and messages.

Most commands run in this process through the console script's entry point (``helpers.run.cli.main``),
which saves an interpreter start and the imports per test; a closed pipe and ``mfc run`` of a notebook
go through a separate interpreter, as a shell would start them.
"""

import contextlib
import csv
import io
import json
import subprocess
import sys
from types import SimpleNamespace

import pytest

from helpers.ledger.paths import PROJECT_ROOT
from helpers.run import cli


def mfc(*args):
    """Exit code, standard output and standard error of ``mfc ARGS``, run in this process."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(list(args))
        except SystemExit as exc:  # argparse's own exit on a bad option, as the script would exit
            code = exc.code
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


def mfc_process(*args):
    """``mfc ARGS`` in a separate interpreter started in the project folder."""
    return subprocess.run(
        [sys.executable, "-m", "helpers.run.cli", *args], capture_output=True, text=True, cwd=PROJECT_ROOT
    )


def test_headlines_csv_for_until_harm_ends():
    result = mfc("headlines", "until-harm-ends", "--csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {"report_id", "version", "group", "numerator", "denominator", "rate", "ci_low", "ci_high"} <= set(rows[0])
    found = {(r["version"], r["group"], r["numerator"], r["denominator"]): r for r in rows}
    guardian = found[("guardian", "trafficked", "864", "2335")]
    assert (
        round(float(guardian["rate"]), 3),
        round(float(guardian["ci_low"]), 3),
        round(float(guardian["ci_high"]), 3),
    ) == (0.370, 0.351, 0.390)
    assert ("independent", "trafficked", "864", "2638") in found
    assert ("independent", "unaccompanied", "1501", "12530") in found
    # The design effect DfE's councils imply is a range (low and high columns), never one value.
    assert {"deff_low", "deff_high", "deff_years"} <= set(rows[0]) and "deff" not in rows[0]
    assert (round(float(guardian["deff_low"]), 2), round(float(guardian["deff_high"]), 2)) == (1.41, 1.69)
    assert found[("independent", "trafficked", "864", "2638")]["deff_high"] == ""  # no council count published


def test_headlines_table_prints_the_implied_range():
    result = mfc("headlines", "until-harm-ends")
    assert result.returncode == 0, result.stderr
    assert "implied d (derived range)" in result.stdout and "1.41-1.69" in result.stdout


@pytest.mark.parametrize("report_id", ["heading-back-to-harm", "still-in-harms-way", "when-harm-remains"])
def test_headlines_for_the_other_reports(report_id):
    result = mfc("headlines", report_id, "--csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and all(r["report_id"] == report_id for r in rows)
    for r in rows:
        if r["comparability"] == "different_council_set":
            assert r["ci_low"] == r["ci_high"] == r["sens_low_deff_7"] == r["sens_high_deff_7"] == ""
            continue
        assert 0 <= float(r["ci_low"]) <= float(r["rate"]) <= float(r["ci_high"]) <= 1
        # The sensitivity interval for design effect 7 is wider than Wilson on both sides; d = 1 is Wilson.
        assert float(r["sens_low_deff_7"]) < float(r["ci_low"]) and float(r["sens_high_deff_7"]) > float(r["ci_high"])
        assert float(r["sens_low_deff_1"]) == pytest.approx(float(r["ci_low"]), abs=1e-6)


def test_heading_back_to_harm_not_found_share_has_no_interval():
    rows = list(csv.DictReader(io.StringIO(mfc("headlines", "heading-back-to-harm", "--csv").stdout)))
    not_found = [r for r in rows if r["measure"] == "not_found"]
    assert not_found and all(r["comparability"] == "different_council_set" and r["ci_low"] == "" for r in not_found)
    assert {(r["numerator"], r["denominator"]) for r in not_found} == {("207", "760")}


def test_trends_csv_default_versions_trafficked():
    result = mfc("trends", "--csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == [
        "group",
        "model",
        "still_in_harms_way_version",
        "until_harm_ends_version",
        "left_out",
        "estimate",
        "ci_low",
        "ci_high",
        "df",
        "tau2",
        "dispersion",
        "p_value",
        "interval",
    ]
    default = {
        r["model"]: r
        for r in rows
        if r["group"] == "trafficked"
        and r["left_out"] == ""
        and r["still_in_harms_way_version"] == "original"
        and r["until_harm_ends_version"] == "guardian"
    }
    assert set(default) == {"random_effects", "quasi_binomial", "binomial"}
    re_row, quasi = default["random_effects"], default["quasi_binomial"]
    assert re_row["interval"] == "95% CI (random effects, t on k−2 df)"
    assert round(float(re_row["estimate"]), 2) == 1.06
    assert float(re_row["ci_low"]) < 0.97 and float(re_row["ci_high"]) > 1.16 and re_row["df"] == "2"
    assert (
        round(float(quasi["estimate"]), 3),
        round(float(quasi["ci_low"]), 3),
        round(float(quasi["ci_high"]), 3),
    ) == (1.067, 0.984, 1.156)
    # 2 groups x 4 version combinations x 3 models, then 4 leave-one-out fits per group and combination.
    assert sum(r["left_out"] == "" for r in rows) == 24 and sum(r["left_out"] != "" for r in rows) == 32


def test_trends_survives_a_closed_pipe():
    result = subprocess.run(
        f"{sys.executable} -m helpers.run.cli trends --csv | head -1",
        shell=True,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert result.stdout.startswith("group,model,") and "Traceback" not in result.stderr


def test_trends_unknown_group_exits_2():
    result = mfc("trends", "--group", "children")
    assert result.returncode == 2 and "trafficked" in result.stderr and "Traceback" not in result.stderr


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
    path.write_text(
        "claim_id,kind,a,b,stated,qualifier,report_id\n"
        "uhe-37,proportion,864,2638,37,,until-harm-ends\n"
        "whr-22,percent_change,960,1231,22,,when-harm-remains\n"
        "sum,total,864,1501,2400,nearly,until-harm-ends\n"
    )
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


def test_make_lab_passes_allow_root_only_when_the_user_is_root():
    """Jupyter refuses to start as root without --allow-root; make lab adds it only for uid 0."""
    import os
    import shutil

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    result = subprocess.run(["make", "-n", "lab"], capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert result.returncode == 0, result.stderr
    command = next(line for line in result.stdout.splitlines() if "jupyter lab" in line)
    assert command.endswith("jupyter lab --allow-root notebooks/" if os.getuid() == 0 else "jupyter lab  notebooks/")


def test_mfc_run_one_notebook_with_chosen_parameters_into_a_named_folder(tmp_path):
    """mfc run NOTEBOOK -p name=value -f params.yaml --output-dir DIR (issue 18); -p wins over -f."""
    params = tmp_path / "params.yaml"
    params.write_text("report_id: until-harm-ends\nalpha: 0.1\n", encoding="utf-8")
    result = mfc_process(
        "run", "10_report", "-f", str(params), "-p", "report_id=still-in-harms-way", "--output-dir", str(tmp_path / "o")
    )
    assert result.returncode == 0, result.stderr
    # named after the values that differ from the defaults, in the order given (-f first, -p overriding)
    written = "10_report-still-in-harms-way-alpha0.1.ipynb"
    assert [p.name for p in (tmp_path / "o").iterdir()] == [written]
    nb = json.loads((tmp_path / "o" / written).read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    source = "".join(cell["source"])
    assert 'report_id = "still-in-harms-way"' in source and "alpha = 0.1" in source
    assert "Still in Harm's Way" in json.dumps(nb) and "90%" in json.dumps(nb)


def test_run_variant_names_the_values_that_differ_from_the_defaults():
    from helpers.run.one_run import run_variant

    defaults = {"report_id": "until-harm-ends", "seed": 1, "alpha": 0.05, "mechanisms": ["mcar", "mar"]}
    assert run_variant({"report_id": "heading-back-to-harm", "seed": 7}, defaults) == "heading-back-to-harm-seed7"
    assert run_variant({"report_id": "until-harm-ends", "alpha": 0.05}, defaults) is None
    assert run_variant({"mechanisms": ["mnar"], "alpha": 0.1}, defaults) == "mechanismsmnar-alpha0.1"
    assert run_variant({"data_dir": "/tmp/my data/x"}, {"data_dir": None}) == "data-dirx"


def test_mfc_run_refuses_to_overwrite_an_earlier_run_without_force(tmp_path):
    from helpers.ledger.errors import ParameterError
    from helpers.run.one_run import prepare_run

    out = tmp_path / "runs"
    run, folder = prepare_run("10_report", ["report_id=still-in-harms-way"], None, str(out))
    assert run.output_name == "10_report-still-in-harms-way.ipynb" and folder == out.resolve()
    (out / run.output_name).write_text("an earlier run", encoding="utf-8")
    with pytest.raises(ParameterError, match="already holds a run with these values; pass --force"):
        prepare_run("10_report", ["report_id=still-in-harms-way"], None, str(out))
    assert (out / run.output_name).read_text(encoding="utf-8") == "an earlier run"  # nothing damaged
    run, _ = prepare_run("10_report", ["report_id=still-in-harms-way"], None, str(out), force=True)
    assert run.output_name == "10_report-still-in-harms-way.ipynb"
    # another value is another file, so it never collides
    other, _ = prepare_run("10_report", ["report_id=heading-back-to-harm"], None, str(out))
    assert other.output_name == "10_report-heading-back-to-harm.ipynb"
