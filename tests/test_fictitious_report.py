"""A new report is only data (issues 18 and 23): a sixth, fictitious report published in two versions,
added to a copy of data/, runs through mfc check-data, mfc headlines, mfc trends (every combination of
versions), 10_report, 30_trends and 40_nonresponse with no code change.

The report is a TEST FIXTURE, marked so in every row (id ``test-fixture-report``, title and notes saying
so, a source at example.org, the domain reserved for examples). Its counts are invented; they never
enter data/. The steps are those of docs/add-a-report.md.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from helpers.ledger.catalogue import load_catalogue
from helpers.ledger.paths import DATA_DIR, NOTEBOOKS_DIR
from helpers.ledger.tables import rehash

REPORT_ID = "test-fixture-report"
TITLE = "Test Fixture Report (fictitious)"
SOURCE_ID = "test-fixture-source"
NOTE = "TEST FIXTURE: invented for tests/test_fictitious_report.py; not a real publication"
# Two versions with the same numerators over other denominators, like Until Harm Ends's (D1).
# (version, group, measure, value, unit): "answering" version: trafficked 300 of 1,000 (30%), unaccompanied
# 500 of 5,000 (10%); "all-councils" version: 300 of 1,500 (20%) and 500 of 6,250 (8%).
NARROW, WIDE = "fixture-answering", "fixture-all-councils"
FIGURES = [
    ("single", "trafficked", "councils_answering", "100", "councils"),
    ("single", "unaccompanied", "councils_answering", "110", "councils"),
    (NARROW, "trafficked", "in_care", "1000", "children"),
    (NARROW, "trafficked", "went_missing", "300", "children"),
    (NARROW, "trafficked", "went_missing_pct", "30", "percent"),
    (NARROW, "unaccompanied", "in_care", "5000", "children"),
    (NARROW, "unaccompanied", "went_missing", "500", "children"),
    (NARROW, "unaccompanied", "went_missing_pct", "10", "percent"),
    (WIDE, "trafficked", "in_care", "1500", "children"),
    (WIDE, "trafficked", "went_missing", "300", "children"),
    (WIDE, "trafficked", "went_missing_pct", "20", "percent"),
    (WIDE, "unaccompanied", "in_care", "6250", "children"),
    (WIDE, "unaccompanied", "went_missing", "500", "children"),
    (WIDE, "unaccompanied", "went_missing_pct", "8", "percent"),
]
VERSIONS = [
    (NARROW, "councils answering (test fixture)", "answering", "true"),
    (WIDE, "all councils (test fixture)", "all councils", "false"),
]


def append_rows(path: Path, rows: list[dict]) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    with path.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        for row in rows:
            writer.writerow({name: row.get(name, "") for name in header})


@pytest.fixture(scope="module")
def data_with_a_sixth_report(tmp_path_factory) -> Path:
    """Step 1 of "How to add a report": rows in reports.csv, sources.csv, versions.csv and figures.csv, then
    rehash."""
    data = tmp_path_factory.mktemp("fixture") / "data"
    shutil.copytree(DATA_DIR, data)
    append_rows(
        data / "sources.csv",
        [
            {
                "source_id": SOURCE_ID,
                "kind": "report",
                "publisher": "Test Fixture Publisher",
                "title": TITLE,
                "published": "2026-06-01",
                "url": "https://example.org/test-fixture-report",
                "note": NOTE,
            }
        ],
    )
    append_rows(
        data / "reports.csv",
        [
            {
                "report_id": REPORT_ID,
                "title": TITLE,
                "subtitle": "A fictitious report used only by the test suite",
                "publishers": "Test Fixture Publisher",
                "published": "2026-06-01",
                "period_start": "2025-01-01",
                "period_end": "2025-12-31",
                "headline_period": "2025",
                "nations": "England;Wales;Scotland;Northern Ireland",
                "series_order": "6",
                "source_id": SOURCE_ID,
                "note": NOTE,
            }
        ],
    )
    append_rows(
        data / "versions.csv",
        [
            {
                "report_id": REPORT_ID,
                "version": version,
                "label": label,
                "short_label": short,
                "is_default": default,
                "denominator_rule": NOTE,
                "source_id": SOURCE_ID,
                "locator": "page 2 (fictitious)",
            }
            for version, label, short, default in VERSIONS
        ],
    )
    append_rows(
        data / "figures.csv",
        [
            {
                "figure_id": f"tfr-{version}-{group}-{measure}".replace("_", "-"),
                "report_id": REPORT_ID,
                "version": version,
                "group": group,
                "measure": measure,
                "period": "2025",
                "geography": "UK",
                "value": value,
                "unit": unit,
                "source_id": SOURCE_ID,
                "locator": "page 1 (fictitious)",
                "note": NOTE,
            }
            for version, group, measure, value, unit in FIGURES
        ],
    )
    rehash(data)
    return data


def test_check_data_accepts_the_sixth_report(data_with_a_sixth_report, run_mfc):
    result = run_mfc("check-data", str(data_with_a_sixth_report))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{data_with_a_sixth_report}: valid (")


def test_headlines_rebuild_the_sixth_reports_rates(data_with_a_sixth_report, run_mfc):
    from statsmodels.stats.proportion import proportion_confint

    result = run_mfc("headlines", REPORT_ID, "--csv", "--data-dir", str(data_with_a_sixth_report))
    assert result.returncode == 0, result.stderr
    rows = {
        (r["version"], r["group"]): r
        for r in csv.DictReader(result.stdout.splitlines())
        if r["measure"] == "went_missing"
    }
    assert set(rows) == {(v, g) for v in (NARROW, WIDE) for g in ("trafficked", "unaccompanied")}
    low, high = proportion_confint(300, 1000, alpha=0.05, method="wilson")  # a second library
    assert float(rows[NARROW, "trafficked"]["rate"]) == pytest.approx(0.3)
    assert float(rows[NARROW, "trafficked"]["ci_low"]) == pytest.approx(low, abs=1e-6)
    assert float(rows[NARROW, "trafficked"]["ci_high"]) == pytest.approx(high, abs=1e-6)
    assert float(rows[NARROW, "unaccompanied"]["rate"]) == pytest.approx(0.1)
    low, high = proportion_confint(300, 1500, alpha=0.05, method="wilson")
    assert float(rows[WIDE, "trafficked"]["rate"]) == pytest.approx(0.2)
    assert float(rows[WIDE, "trafficked"]["ci_low"]) == pytest.approx(low, abs=1e-6)
    assert float(rows[WIDE, "unaccompanied"]["rate"]) == pytest.approx(0.08)


def test_trends_fit_every_combination_of_versions_with_the_sixth_report(data_with_a_sixth_report, run_mfc):
    """Three reports with two versions each: 2 x 2 x 2 = 8 combinations, each with the sixth report's row."""
    import numpy as np
    import statsmodels.api as sm

    from helpers.ledger.tables import load_ledger
    from helpers.stats.series import report_series

    result = run_mfc("trends", "--csv", "--group", "trafficked", "--data-dir", str(data_with_a_sixth_report))
    assert result.returncode == 0, result.stderr
    rows = [r for r in csv.DictReader(result.stdout.splitlines()) if r["left_out"] == ""]
    names = ["still_in_harms_way_version", "until_harm_ends_version", "test_fixture_report_version"]
    combos = {tuple(r[n] for n in names) for r in rows}
    assert combos == {
        (s, u, f) for s in ("original", "revised") for u in ("guardian", "independent") for f in (NARROW, WIDE)
    }
    # one combination's plain binomial slope, refitted here with statsmodels on the five reports' counts
    (binomial,) = [
        r for r in rows if r["model"] == "binomial" and tuple(r[n] for n in names) == ("original", "guardian", WIDE)
    ]
    versions = {"still-in-harms-way": "original", "until-harm-ends": "guardian", REPORT_ID: WIDE}
    series = report_series(load_ledger(data_with_a_sixth_report).figures, versions, ["trafficked"])
    assert series["year"].tolist() == [2015, 2017, 2020, 2024, 2025]
    assert series[["missing", "in_care"]].iloc[-1].tolist() == [300, 1500]  # the sixth report, wide version
    counts = series[["missing", "not_missing"]].to_numpy(dtype=float)
    fit = sm.GLM(
        counts, sm.add_constant(series["year"].to_numpy(dtype=float) - 2015), family=sm.families.Binomial()
    ).fit()
    assert float(binomial["estimate"]) == pytest.approx(np.exp(fit.params[1]), rel=1e-6)


def test_10_report_30_trends_and_40_nonresponse_run_from_a_catalogue_line(
    data_with_a_sixth_report, tmp_path, run_notebooks
):
    """Step 2: one catalogue line per notebook; the runner then runs them like any other entry.

    Notebook 40 runs with two seeds and two imputations (the scenarios' sizes are not what this tests),
    so its simulation takes a tenth of the default's time."""
    catalogue = tmp_path / "catalogue.yaml"
    light = {"10_report.ipynb": "", "40_nonresponse.ipynb": ", n_seeds: 2, imputations: 2"}
    catalogue.write_text(
        "runs:\n"
        + "".join(
            f"  - notebook: {nb}\n    variant: {REPORT_ID}\n"
            f"    parameters: {{report_id: {REPORT_ID}, data_dir: {json.dumps(str(data_with_a_sixth_report))}{extra}}}\n"
            for nb, extra in light.items()
        )
        + f"  - notebook: 30_trends.ipynb\n    parameters: {{data_dir: {json.dumps(str(data_with_a_sixth_report))}}}\n",
        encoding="utf-8",
    )
    runs = load_catalogue(catalogue, NOTEBOOKS_DIR)
    assert runs[1].parameters["n_seeds"] == 2  # the light settings reached the run
    results = run_notebooks(runs, executed_dir=tmp_path / "executed")
    assert [r.message for r in results if not r.ok] == []
    for run in runs:
        text = (tmp_path / "executed" / run.output_name).read_text(encoding="utf-8")
        assert TITLE in text  # the notebook describes the new report, not the default one
        assert '"output_type": "error"' not in text
