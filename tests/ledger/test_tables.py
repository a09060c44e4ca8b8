"""The loader and validator: the real ledger passes; each corrupted copy fails with a clear line."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from helpers.ledger.errors import DataError
from helpers.ledger.paths import DATA_DIR
from helpers.ledger.tables import load_ledger, read_descriptor, rehash, sha256_of, validate_data_dir


@pytest.fixture
def data_copy(tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def read_rows(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def edit(data_dir: Path, table: str, change) -> None:
    """Apply ``change(header, rows)`` to a table and rehash, so only the intended fault remains."""
    path = data_dir / f"{table}.csv"
    header, rows = read_rows(path)
    header, rows = change(header, rows)
    write_rows(path, header, rows)
    rehash(data_dir)


def row_of(rows, column, value) -> int:
    return next(i for i, r in enumerate(rows) if r[column] == value)


def test_real_ledger_is_valid():
    assert validate_data_dir(DATA_DIR) == []


def test_every_declared_file_hash_matches_descriptor():
    descriptor = read_descriptor(DATA_DIR)
    for resource in descriptor["resources"]:
        assert resource["hash"] == f"sha256:{sha256_of(DATA_DIR / resource['path'])}", resource["path"]
        assert resource["bytes"] == (DATA_DIR / resource["path"]).stat().st_size, resource["path"]


def test_tables_load_with_schema_dtypes(ledger):
    figures = ledger.figures
    assert figures["value"].dtype == "float64"
    assert str(figures["figure_id"].dtype) == "str"
    assert pd.api.types.is_datetime64_any_dtype(ledger.reports["published"])
    assert ledger.reports["series_order"].dtype == "Int64"


def test_unknown_or_missing_values_are_never_zero(ledger):
    flagged = ledger.figures[ledger.figures["value_flag"].notna()]
    assert not flagged.empty
    assert flagged["value"].isna().all()


def test_every_figure_and_claim_has_a_source_with_url(ledger):
    sources = ledger.sources.set_index("source_id")
    assert ledger.figures["source_id"].isin(sources.index).all()
    assert ledger.claims["source_id"].isin(sources.index).all()
    assert sources["url"].str.match(r"https?://").all()


def test_the_five_reports_are_in_the_ledger(ledger):
    assert set(ledger.reports["report_id"]) == {
        "heading-back-to-harm",
        "still-in-harms-way",
        "when-harm-remains",
        "until-harm-ends",
        "exploited-looked-after-children",
    }


def test_seed_articles_are_sources(ledger):
    seeds = ledger.sources.dropna(subset=["seed_file"])
    assert len(seeds) == 5
    assert (seeds["kind"] == "seed_article").all()
    assert ledger.figures["source_id"].isin(seeds["source_id"]).sum() >= 10


def test_headline_figures_as_published(ledger):
    f = ledger.figures

    def value(report, version, group, measure):
        rows = f[
            (f.report_id == report)
            & (f.version == version)
            & (f.group == group)
            & (f.measure == measure)
            & f.discrepancy_id.isna()
        ]
        return set(rows["value"].dropna())

    assert value("until-harm-ends", "guardian", "trafficked", "in_care") == {2335}
    assert value("until-harm-ends", "independent", "trafficked", "in_care") == {2638}
    assert value("still-in-harms-way", "original", "trafficked", "went_missing") == {246}
    assert value("still-in-harms-way", "revised", "unaccompanied", "in_care") == {4963}
    assert value("heading-back-to-harm", "single", "unaccompanied", "went_missing") == {593}


def corrupt_negative_count(h, rows):
    i = next(i for i, r in enumerate(rows) if r["measure"] == "in_care" and r["value"])
    rows[i]["value"] = "-5"
    return h, rows


@pytest.mark.parametrize(
    ("table", "change", "expected"),
    [
        (
            "figures",
            lambda h, rows: (h, [dict(r, value="lots") if i == 3 else r for i, r in enumerate(rows)]),
            ["figures.csv line 5", "column 'value'", "lots"],
        ),
        (
            "figures",
            lambda h, rows: (
                [c for c in h if c != "unit"],
                [{k: v for k, v in r.items() if k != "unit"} for r in rows],
            ),
            ["figures.csv header", "column 'unit'"],
        ),
        ("sources", lambda h, rows: (h, rows + [dict(rows[0])]), ["sources.csv line", "column 'source_id'"]),
        (
            "figures",
            lambda h, rows: (h, [dict(r, source_id="no-such-source") if i == 0 else r for i, r in enumerate(rows)]),
            ["figures.csv line 2", "column 'source_id'", "no-such-source"],
        ),
        (
            "reports",
            lambda h, rows: (h, [dict(r, published="sometime") if i == 1 else r for i, r in enumerate(rows)]),
            ["reports.csv line 3", "column 'published'"],
        ),
        (
            "claims",
            lambda h, rows: (h, [dict(r, kind="ratio") if i == 0 else r for i, r in enumerate(rows)]),
            ["claims.csv line 2", "column 'kind'"],
        ),
    ],
    ids=["text-in-number", "missing-column", "duplicate-id", "dangling-source", "bad-date", "unknown-kind"],
)
def test_corrupted_copy_names_file_row_and_column(data_copy, table, change, expected):
    edit(data_copy, table, change)
    problems = validate_data_dir(data_copy)
    assert problems, "a corrupted copy must not validate"
    assert any(all(part in line for part in expected) for line in problems), problems


def test_negative_count_is_rejected(data_copy):
    edit(data_copy, "figures", corrupt_negative_count)
    problems = validate_data_dir(data_copy)
    assert any("figures.csv line" in p and "column 'value': -5 is negative" in p for p in problems), problems


def test_missing_more_than_in_care_is_rejected(data_copy):
    def change(h, rows):
        i = next(
            i
            for i, r in enumerate(rows)
            if r["report_id"] == "heading-back-to-harm"
            and r["group"] == "trafficked"
            and r["measure"] == "went_missing"
            and not r["discrepancy_id"]
        )
        rows[i]["value"] = "5000"
        return h, rows

    edit(data_copy, "figures", change)
    problems = validate_data_dir(data_copy)
    assert any("went_missing 5000 exceeds in_care 590" in p and "column 'value'" in p for p in problems), problems


def test_edit_without_rehash_is_reported(data_copy):
    path = data_copy / "figures.csv"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    problems = validate_data_dir(data_copy)
    assert any("figures.csv: sha256 differs" in p for p in problems), problems


def test_missing_file_and_broken_descriptor(data_copy):
    (data_copy / "claims.csv").unlink()
    assert any("claims.csv: file not found" in p for p in validate_data_dir(data_copy))
    (data_copy / "datapackage.yaml").write_text("resources: [unclosed", encoding="utf-8")
    assert any("datapackage.yaml: not valid YAML" in p for p in validate_data_dir(data_copy))


def test_load_ledger_raises_with_every_problem(data_copy):
    edit(data_copy, "figures", corrupt_negative_count)
    with pytest.raises(DataError) as info:
        load_ledger(data_copy)
    assert "figures.csv line" in str(info.value)


def test_rehash_keeps_layout_and_is_idempotent(data_copy):
    before = (data_copy / "datapackage.yaml").read_text(encoding="utf-8")
    assert rehash(data_copy) == []
    assert (data_copy / "datapackage.yaml").read_text(encoding="utf-8") == before


def test_cli_check_data_valid_exits_0_with_one_line(run_mfc):
    result = run_mfc("check-data", str(DATA_DIR))
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip().splitlines()) == 1
    assert "valid" in result.stdout


def test_cli_check_data_invalid_exits_1_with_a_line_per_problem(data_copy, run_mfc):
    edit(data_copy, "figures", corrupt_negative_count)
    result = run_mfc("check-data", str(data_copy))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert any("figures.csv line" in line and "column 'value'" in line for line in lines), lines
    assert "Traceback" not in result.stderr


def test_descriptor_declares_licences_and_descriptions():
    descriptor = yaml.safe_load((DATA_DIR / "datapackage.yaml").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        assert resource.get("description"), resource["name"]
        for fld in resource["schema"]["fields"]:
            assert fld.get("description"), f"{resource['name']}.{fld['name']}"
        if resource["path"].startswith("context/"):
            assert resource["licenses"][0]["name"] == "OGL-UK-3.0"


# ----------------------------------------------------------------------------- audit corrections (issue 11)
def test_audit_corrections_are_in_the_ledger(ledger):
    f = ledger.figures.set_index("figure_id")
    assert f.loc["uhe-seed001-tu-went-missing", "locator"] == "headline and paragraph 1"  # captions say thousands
    assert f.loc["sihw-guardian-councils-asked", "locator"].startswith("paragraph 3")
    assert f.loc["sihw-guardian-trafficked-rate-ratio-others", "locator"].endswith("paragraph 4")
    for fid in ("elac-mj-looked-after-one-in-n", "elac-mp-non-exploited-pct-2020-21"):
        assert f.loc[fid, "geography"] == "England", fid
    cypnow = f[f.index.str.startswith("whr-cypnow-")]
    assert len(cypnow) == 8 and set(cypnow["geography"]) == {"England"}
    # guardian-2016: 167 of 590, 593 of 4,744, nearly 30%, 13%
    g = {
        fid: f.loc[f"hbth-guardian-{fid}", "value"]
        for fid in (
            "trafficked-went-missing",
            "trafficked-in-care",
            "uasc-went-missing",
            "uasc-in-care",
            "uasc-pct",
            "trafficked-pct-rounded",
        )
    }
    assert g == {
        "trafficked-went-missing": 167,
        "trafficked-in-care": 590,
        "uasc-went-missing": 593,
        "uasc-in-care": 4744,
        "uasc-pct": 13,
        "trafficked-pct-rounded": 30,
    }
    assert f.loc["hbth-guardian-trafficked-pct-rounded", "qualifier"] == "nearly"
    for fid in ("elac-mj-rhi-sexually-exploited-one-in-n", "elac-mp-rhi-sexually-exploited-one-in-n"):
        assert (f.loc[fid, "value"], f.loc[fid, "unit"], f.loc[fid, "period"]) == (7, "one_in_n", "2017-07/2018-03")
    assert (
        f.loc["sihw-trust-child-nrm-referrals-2017", "value"],
        f.loc["sihw-trust-child-nrm-referrals-2017", "measure"],
    ) == (2118, "nrm_referrals")


def test_not_found_share_is_marked_as_a_different_council_set(ledger):
    f = ledger.figures
    marked = f[f["comparability"] == "different_council_set"]
    # every Heading Back to Harm not-found figure (207 or "more than 200", and the 40%), and the 45 councils
    assert set(marked["report_id"]) == {"heading-back-to-harm"}
    assert set(marked["measure"]) == {"not_found", "not_found_pct", "councils_reporting_not_found"}
    assert "hbth-cypnow-tu-not-found-pct" in set(marked["figure_id"])
    assert not f[(f["measure"] == "went_missing")]["comparability"].notna().any()
    c = ledger.claims.set_index("claim_id")
    # CYP Now's "40%" is checked as worded, against its own "more than 750" (no figure_b): no mark needed.
    assert pd.isna(c.loc["hbth-cypnow-not-found-40pct", "figure_b"])
    assert c["comparability"].notna().sum() == 0


def test_claim_comparability_must_follow_its_figures(data_copy):
    def change(h, rows):
        row = rows[row_of(rows, "claim_id", "hbth-cypnow-not-found-40pct")]
        row["b"], row["figure_b"] = "760", "hbth-guardian-tu-went-missing"  # over the 760 of another council set
        return h, rows

    edit(data_copy, "claims", change)
    problems = validate_data_dir(data_copy)
    assert problems == [
        "data/claims.csv line 21 (claim_id hbth-cypnow-not-found-40pct): column 'comparability': 'empty' should be "
        "'different_council_set': figures hbth-cypnow-tu-not-found (different_council_set) and "
        "hbth-guardian-tu-went-missing (unmarked) differ, so the claim cannot be checked"
    ]


def test_versions_are_declared_once_with_one_default_each(ledger):
    versions = ledger.versions
    assert set(zip(versions["report_id"], versions["version"])) == {
        ("still-in-harms-way", "original"),
        ("still-in-harms-way", "revised"),
        ("until-harm-ends", "guardian"),
        ("until-harm-ends", "independent"),
    }
    assert versions.groupby("report_id")["is_default"].sum().to_dict() == {
        "still-in-harms-way": 1,
        "until-harm-ends": 1,
    }
    published = ledger.figures[ledger.figures["version"] != "single"]
    assert set(zip(published["report_id"], published["version"])) == set(
        zip(versions["report_id"], versions["version"])
    )


def test_a_figure_version_missing_from_versions_csv_and_a_second_default_are_rejected(data_copy):
    def rename(h, rows):
        rows[row_of(rows, "figure_id", "uhe-tbe-trafficked-in-care")]["version"] = "telegraph"
        return h, rows

    def second_default(h, rows):
        rows[row_of(rows, "version", "independent")]["is_default"] = "true"
        return h, rows

    edit(data_copy, "figures", rename)
    edit(data_copy, "versions", second_default)
    problems = validate_data_dir(data_copy)
    assert any(
        "figures.csv line" in p
        and "(figure_id uhe-tbe-trafficked-in-care): column 'version': 'telegraph' is not a version of "
        "until-harm-ends in versions.csv (declared: single, guardian, independent)"
        in p
        for p in problems
    ), problems
    assert any(
        "versions.csv line 4 (report_id until-harm-ends): column 'is_default': 2 default versions "
        "(guardian, independent); exactly one must be true" in p
        for p in problems
    ), problems
