"""helpers.ledger.context_build: the context tables against published figures and independent raw files."""

import shutil
from pathlib import Path

import pandas as pd
import pytest

from helpers.ledger import context_build as cb
from helpers.ledger.errors import DataError
from helpers.ledger.paths import DATA_DIR, DEFAULT_RAW_DATA_DIR

RAW = Path(DEFAULT_RAW_DATA_DIR)  # data/raw, vendored with the repository: these tests never skip
# Independent files the build does not read, kept only to cross-check its output (see crosscheck/README.md).
CROSSCHECK = Path(__file__).parent.parent / "crosscheck"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("context")
    return cb.build_context(RAW, out)


def read(paths, name):
    return pd.read_csv(paths[name], dtype=str, keep_default_na=False)


def national_value(nat, year, measure):
    row = nat[(nat["year"] == str(year)) & (nat["measure"] == measure)]
    assert len(row) == 1, (year, measure)
    return row.iloc[0]


# ----------------------------------------------------------------------------- shape
def test_builds_the_four_tables(built):
    assert set(built) == {"england_national", "nrm_child_referrals", "councils", "council_years"}
    assert all(p.name == f"{n}.csv" for n, p in built.items())


def test_row_counts(built):
    councils = read(built, "councils")
    assert len(councils) == 212
    assert councils["nation"].value_counts().to_dict() == {
        "England": 153,
        "Scotland": 32,
        "Wales": 22,
        "Northern Ireland": 5,
    }
    assert councils["council_code"].is_unique
    assert len(read(built, "council_years")) == 153 * 10 * 7
    assert len(read(built, "england_national")) == 11 * 12
    assert len(read(built, "nrm_child_referrals")) == 10 * 4


def test_files_are_lf_utf8_without_carriage_returns(built):
    for path in built.values():
        data = path.read_bytes()
        assert b"\r" not in data and data.endswith(b"\n")
        data.decode("utf-8")


def test_second_build_is_byte_identical(built, tmp_path):
    again = cb.build_context(RAW, tmp_path)
    for name, path in built.items():
        assert again[name].read_bytes() == path.read_bytes(), name


def test_committed_tables_equal_a_fresh_build(built):
    committed = DATA_DIR / "context"
    for name, path in built.items():
        target = committed / f"{name}.csv"
        assert target.is_file(), f"{target} missing: run `mfc build-context`"
        assert target.read_bytes() == path.read_bytes(), (
            f"{target} differs from a fresh build: run `mfc build-context` (it also updates the hashes)"
        )


# ----------------------------------------------------------------------------- England national
@pytest.mark.parametrize(
    "year, measure, expected",
    [
        (2024, "cla_at_31_march", "83630"),
        (2024, "uasc_at_31_march", "7380"),
        (2024, "children_missing", "13010"),
        (2024, "missing_incidents", "83920"),
        (2024, "cla_during_year", "116420"),
        (2024, "avg_missing_incidents_per_missing_child", "6.5"),
        (2024, "pct_cla_during_year_missing", "11"),
        (2024, "uasc_missing_at_31_march", "80"),
        (2014, "cla_at_31_march", "68790"),
        (2014, "uasc_at_31_march", "2050"),
        (2015, "uasc_at_31_march", "2760"),
        (2015, "children_missing", "6110"),
        (2017, "missing_incidents", "60720"),
        (2023, "cla_at_31_march", "83760"),
    ],
)
def test_england_national_published_figures(built, year, measure, expected):
    row = national_value(read(built, "england_national"), year, measure)
    assert row["value"] == expected and row["value_flag"] == ""
    assert row["source_file"] and row["release"]


def test_2015_uasc_uses_the_time_series_not_the_sfr_error(built):
    row = national_value(read(built, "england_national"), 2015, "uasc_at_31_march")
    assert row["value"] == "2760"
    assert row["source_file"] == cb.F_TS
    assert "2030" in row["note"]


def test_2015_to_2017_averages_are_not_stored_but_flagged(built):
    # DfE did not publish the average for 2015-2017; the project stores published figures only.
    nat = read(built, "england_national")
    for year in (2015, 2016, 2017):
        row = national_value(nat, year, "avg_missing_incidents_per_missing_child")
        assert (row["value"], row["value_flag"]) == ("", "not_published")
    assert national_value(nat, 2018, "avg_missing_incidents_per_missing_child")["value"] == "6.1"


def test_no_missing_data_before_2015_is_flagged_not_zero(built):
    row = national_value(read(built, "england_national"), 2014, "children_missing")
    assert (row["value"], row["value_flag"]) == ("", "not_collected")


def test_england_national_agrees_with_the_derived_cross_check_file(built):
    nat = read(built, "england_national")
    ours = {(int(r.year), r.measure): r.value for r in nat.itertuples()}
    derived = pd.read_csv(CROSSCHECK / "derived_england_national_cla_uasc_missing_2014_2024.csv")
    columns = {
        "cla_at_31_march": "cla_at_31_march",
        "uasc_cla_at_31_march": "uasc_at_31_march",
        "children_missing": "children_missing",
        "missing_incidents": "missing_incidents",
        "children_missing_more_than_once": "children_missing_more_than_once",
        "children_missing_at_31_march": "children_missing_at_31_march",
        "avg_missing_incidents_per_missing_child": "avg_missing_incidents_per_missing_child",
        "children_away": "children_away",
        "away_incidents": "away_incidents",
        "children_looked_after_during_year": "cla_during_year",
        "pct_cla_during_year_missing": "pct_cla_during_year_missing",
    }
    compared = 0
    for r in derived.itertuples():
        for col, measure in columns.items():
            value = getattr(r, col)
            # The derived file took 2019 missing figures from the 2023 release, which is not among the raw
            # files; the build uses the 2022 release for 2019 (slightly lower, e.g. 11,880 v 11,930).
            if pd.isna(value) or (r.year == 2019 and measure not in ("cla_at_31_march", "uasc_at_31_march")):
                continue
            # The derived file computes the 2015-2017 averages DfE did not publish; the build leaves them empty.
            if measure == "avg_missing_incidents_per_missing_child" and r.avg_missing_is_computed:
                continue
            assert float(ours[(r.year, measure)]) == pytest.approx(float(value)), (r.year, measure)
            compared += 1
    assert compared > 90


# ----------------------------------------------------------------------------- NRM
def test_nrm_child_referrals_reproduce_the_published_table(built):
    nrm = read(built, "nrm_child_referrals")
    child = nrm[nrm["age_group"] == "child"].set_index("year")["referrals"].astype(int)
    # context-data.md section 2a (summed from the Home Office quarterly table)
    assert child.to_dict() == {
        "2014": 672,
        "2015": 979,
        "2016": 1281,
        "2017": 2114,
        "2018": 3129,
        "2019": 4548,
        "2020": 5016,
        "2021": 5447,
        "2022": 7004,
        "2023": 7432,
    }
    total = nrm[nrm["age_group"] == "total"].set_index("year")["referrals"].astype(int)
    assert total["2014"] == 2337 and total["2023"] == 17004
    derived = pd.read_csv(CROSSCHECK / "derived_uk_nrm_referrals_by_age_annual_2009_2023.csv").set_index("Year")
    wide = nrm.pivot(index="year", columns="age_group", values="referrals").astype(int)
    for year in range(2014, 2024):
        d = derived.loc[year]
        assert wide.loc[str(year)].to_dict() == {
            "child": d["Child (17 or under)"],
            "adult": d["Adult (18 or over)"],
            "not_known": d["Age not specified or unknown"],
            "total": d["Total"],
        }


# ----------------------------------------------------------------------------- councils
def test_councils_covariates_and_boundary_flags(built):
    c = read(built, "councils").set_index("council_code")
    assert c.loc["E06000001", "imd2019_average_score"] == "35.037"  # Hartlepool, IoD2019 summary row
    assert c.loc["E06000001", "imd2019_rank_of_average_score"] == "9"
    for code in ("E06000061", "E06000062", "E06000063", "E06000064"):  # Northamptonshire and Cumbria splits
        assert c.loc[code, "imd2019_average_score"] == "" and c.loc[code, "imd2019_flag"] == "boundary_change"
        assert "no value is apportioned" in c.loc[code, "covariate_note"]
    assert c.loc["E06000060", "imd2019_flag"] == "code_changed" and c.loc["E06000060", "imd2019_code"] == "E10000002"
    assert c.loc["E06000060", "imd2019_average_score"] != ""
    assert c.loc["BHSCT", "nation"] == "Northern Ireland" and c.loc["BHSCT", "imd2019_flag"] == "not_england"
    eng = c[c["nation"] == "England"]
    assert eng["ilacs_overall_effectiveness"].value_counts().to_dict() == {
        "Good": 67,
        "Outstanding": 36,
        "Requires improvement to be good": 31,
        "Inadequate": 19,
    }
    assert (eng["imd2019_average_score"] != "").sum() == 149
    assert eng["dfe_la_code"].str.fullmatch(r"\d{3}").all()


# ----------------------------------------------------------------------------- council years
def test_flags_and_values_never_coexist_and_suppressed_is_never_zero(built):
    cy = read(built, "council_years")
    flagged = cy["value_flag"] != ""
    assert (cy.loc[flagged, "value"] == "").all()
    assert (cy.loc[~flagged, "value"] != "").all()
    assert set(cy["value_flag"]) <= set(cb.COUNCIL_FLAGS) | {""}
    assert (cy["value_flag"] == "suppressed").sum() > 100


def test_known_suppressed_and_unavailable_cells(built):
    cy = read(built, "council_years").set_index(["council_code", "year", "measure"])
    # City of London: children missing in 2024 is 'c' in the 2024 release
    assert tuple(cy.loc[("E09000001", "2024", "children_missing"), ["value", "value_flag"]]) == ("", "suppressed")
    # Hackney sent no missing data for 2021: 0 in the 2024 release, x in the 2022 release -> not 0
    row = cy.loc[("E09000012", "2021", "children_missing")]
    assert (row["value"], row["value_flag"]) == ("", "not_available") and "x (not available)" in row["note"]
    # Cumberland did not exist before April 2023
    assert cy.loc[("E06000063", "2023", "cla_at_31_march"), "value_flag"] == "boundary_change"
    assert cy.loc[("E06000063", "2024", "cla_at_31_march"), "value"] != ""
    # Isles of Scilly is not in the SFR files
    assert cy.loc[("E06000053", "2016", "uasc_at_31_march"), "value_flag"] == "not_in_source"


def test_kent_uasc_matches_the_published_lait_series(built):
    cy = read(built, "council_years")
    kent = cy[(cy["council_code"] == "E10000016") & (cy["measure"] == "uasc_at_31_march")]
    series = dict(zip(kent["year"].astype(int), kent["value"].astype(int)))
    # context-data.md: LAIT series for Kent 2018-2024 (2016-2017 here come from the SFR files)
    assert [series[y] for y in range(2018, 2025)] == [234, 256, 425, 289, 369, 449, 494]


def test_trafficking_assessments_come_from_table_c3_from_2018(built):
    cy = read(built, "council_years")
    c3 = cy[cy["measure"] == "cin_assessments_trafficking"]
    # Kent's assessments recording Trafficking, as in the C3 file (row for 886 in each year).
    kent = c3[c3["council_code"] == "E10000016"].set_index("year")["value"]
    assert kent["2024"] == "128"
    # before 2018 the table does not exist: empty, never 0, with the reason
    early = c3[c3["year"].isin(["2015", "2016", "2017"])]
    assert (early["value"] == "").all() and set(early["value_flag"]) == {"not_in_source", "boundary_change"}
    assert early.loc[early["value_flag"] == "not_in_source", "note"].str.contains("starts in 2018").all()
    # u (low reliability) in 2024 for Herefordshire and Hampshire; c stays suppressed
    flags = c3[c3["year"] == "2024"].set_index("council_code")["value_flag"]
    assert flags["E10000014"] == "low_reliability" and flags["E06000019"] == "low_reliability"
    assert (flags == "suppressed").sum() == 36
    # the councils' values add up to no more than England's published (rounded) total of 2,590 in 2024
    assert c3.loc[(c3["year"] == "2024") & (c3["value"] != ""), "value"].astype(int).sum() == 2471


def test_cla_2021_2024_agrees_with_the_independent_rate_file(built):
    cy = read(built, "council_years")
    ours = cy[
        (cy["measure"] == "cla_at_31_march") & (cy["value"] != "") & cy["year"].isin(["2021", "2022", "2023", "2024"])
    ]
    councils = read(built, "councils").set_index("council_code")["dfe_la_code"]
    rates = pd.read_csv(
        CROSSCHECK / "dfe_la_cla_number_and_rate_per_10k_2021_2025.csv",
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
    )
    rates = rates[
        (rates["geographic_level"] == "Local authority")
        & (rates["population_type"] == "Children looked after on 31 March each year")
    ]
    lookup = {(r.time_period, r.old_la_code): r.children_count for r in rates.itertuples()}
    compared = 0
    for r in ours.itertuples():
        theirs = lookup.get((r.year, councils[r.council_code]), "")
        if theirs.isdigit():
            assert r.value == theirs, (r.council_code, r.year)
            compared += 1
    assert compared > 580


def test_population_uses_the_previous_mid_year(built):
    cy = read(built, "council_years")
    kent = cy[(cy["council_code"] == "E10000016") & (cy["measure"] == "population_0_17") & (cy["year"] == "2025")]
    assert kent.empty  # years stop at 2024
    # the CSC dashboard's population for Kent in 2025 (355,390) is the ONS mid-2024 estimate; for 2024
    # the build uses mid-2023, which the same dashboard pairs with year 2024
    dash = pd.read_csv(RAW / cb.F_DASH, dtype=str, keep_default_na=False)
    dash_2024 = dash[(dash["old_la_code"] == "886") & (dash["time_period"] == "2024")]["ons_pop_0to17_used_by_dfe"]
    ours = cy[(cy["council_code"] == "E10000016") & (cy["measure"] == "population_0_17") & (cy["year"] == "2024")]
    assert ours["value"].iloc[0] == dash_2024.iloc[0]


# ----------------------------------------------------------------------------- errors and CLI
def copy_raw(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for f in RAW.glob("*.csv"):
        (raw / f.name).symlink_to(f)
    return raw


def test_missing_column_gives_a_data_error_naming_file_and_column(tmp_path):
    raw = copy_raw(tmp_path)
    target = raw / cb.F_NRM
    frame = pd.read_csv(RAW / cb.F_NRM, dtype=str).drop(columns=["NRM referrals"])
    target.unlink()
    frame.to_csv(target, index=False)
    with pytest.raises(DataError) as err:
        cb.build_context(raw, tmp_path / "out")
    assert cb.F_NRM in str(err.value) and "'NRM referrals'" in str(err.value)


def test_missing_file_gives_a_data_error_naming_it(tmp_path):
    raw = copy_raw(tmp_path)
    (raw / cb.F_LAIT).unlink()
    with pytest.raises(DataError, match=cb.F_LAIT):
        cb.build_context(raw, tmp_path / "out")


def test_unexpected_cell_gives_a_data_error_naming_row_and_column(tmp_path):
    raw = copy_raw(tmp_path)
    target = raw / cb.SFR_MISS[2016]
    text = (RAW / cb.SFR_MISS[2016]).read_text(encoding="utf-8")
    target.unlink()
    target.write_text(text.replace("ENGLAND,8670,", "ENGLAND,n/a,", 1), encoding="utf-8")
    with pytest.raises(DataError, match=r"dfe_sfr41_2016_la_missing.csv line 2, column 'CLA_MissDuringYear'"):
        cb.build_context(raw, tmp_path / "out")


def test_mfc_build_context_writes_tables_and_reports_errors(tmp_path, capsys):
    from helpers.run.cli import main as mfc

    assert mfc(["build-context", str(RAW), "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "councils.csv").is_file()
    assert f"councils: {tmp_path / 'out' / 'councils.csv'}" in capsys.readouterr().out.splitlines()
    assert mfc(["build-context", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out2")]) == 1
    assert "raw-data folder not found" in capsys.readouterr().err
    shutil.rmtree(tmp_path / "out")


def test_an_inserted_blank_line_does_not_shift_the_line_named(tmp_path):
    """A blank line after the header: the bad cell is on line 3 of the file, and the message says so."""
    raw = copy_raw(tmp_path)
    target = raw / cb.SFR_MISS[2016]
    header, rest = (RAW / cb.SFR_MISS[2016]).read_text(encoding="utf-8").split("\n", 1)
    target.unlink()
    target.write_text(header + "\n\n" + rest.replace("ENGLAND,8670,", "ENGLAND,n/a,", 1), encoding="utf-8")
    with pytest.raises(DataError, match=r"dfe_sfr41_2016_la_missing.csv line 3, column 'CLA_MissDuringYear'"):
        cb.build_context(raw, tmp_path / "out")


def test_an_empty_raw_file_is_named(tmp_path):
    raw = copy_raw(tmp_path)
    (raw / cb.F_NRM).unlink()
    (raw / cb.F_NRM).write_text("", encoding="utf-8")
    with pytest.raises(DataError) as err:
        cb.build_context(raw, tmp_path / "out")
    assert len(err.value.problems) == 1
    assert err.value.problems[0].startswith(f"{raw / cb.F_NRM}: empty file; expected a CSV with columns ")
    assert not (tmp_path / "out").exists()


def test_an_edited_raw_file_is_refused_before_any_table_is_built(tmp_path):
    """build-context checks data/raw/datapackage.yaml's hashes first, as check-data does (issue 19)."""
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    target = raw / cb.F_OFSTED
    text = target.read_text(encoding="utf-8")
    assert "Outstanding" in text
    target.write_text(text.replace("Outstanding", "Good", 1), encoding="utf-8")  # one Ofsted grade changed
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(DataError) as err:
        cb.build_context(raw, out)
    assert err.value.problems == [
        f"{raw}/{cb.F_OFSTED}: sha256 differs from raw/datapackage.yaml: an official raw file must stay as "
        "received (restore it with `git checkout -- data/raw`)"
    ]
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("code", ["ENOSPC", "EIO"])
def test_a_failed_write_leaves_every_committed_table_as_it_was(tmp_path, monkeypatch, code):
    """A full disk (or an I/O error) on the third table: no table changes, no temporary file is left."""
    import errno
    import os

    out = tmp_path / "context"
    out.mkdir()
    before = {}
    for name in cb.TABLES:
        (out / f"{name}.csv").write_text(f"committed {name}\n", encoding="utf-8")
        before[name] = (out / f"{name}.csv").read_bytes()
    real_fsync, calls = os.fsync, []

    def failing_fsync(fd):
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(getattr(errno, code), os.strerror(getattr(errno, code)))
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError):
        cb.build_context(RAW, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {f"{n}.csv": before[n] for n in cb.TABLES}
