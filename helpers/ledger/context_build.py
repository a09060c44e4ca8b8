"""Derive the official-statistics context tables in ``data/context/`` from the raw official files.

The raw files (DfE, Home Office, ONS, MHCLG, Ofsted; Open Government Licence v3.0) are kept as
received in ``data/raw/`` (``data/raw/README.md`` and ``data/raw/datapackage.yaml`` give the origin,
licence and sha256 of each). This module reads them and writes four tidy CSV tables:

``england_national.csv``
    England, years ending 31 March 2014-2024, long format: one row per (year, measure) with the
    value, a flag saying why a value is empty, the DfE release it
    comes from and the raw file it was read from.
``nrm_child_referrals.csv``
    Home Office National Referral Mechanism referrals, UK, 2014-2023, by age at exploitation,
    summed over quarters from the quarterly table.
``councils.csv``
    The frame of the 212 UK children's-services authorities, with England-only covariates that do
    not change by year (IMD 2019, rural-urban class 2011, Ofsted ILACS judgement at 31 March 2025).
``council_years.csv``
    The 153 English councils by year (2015-2024), long format: one row per (council, year, measure)
    with the value, a flag, the raw file and a note. Besides the looked-after counts it carries the
    children-in-need assessments that recorded Trafficking (table C3, from 2018), which show how
    trafficked children are spread across councils.

Rules the build follows (see CONTRIBUTING.md):

* suppressed or unavailable cells stay empty with a flag saying why, never 0;
* the output is deterministic: rows sorted on the primary key, numbers written by one formatter,
  LF line endings, no timestamps, so a second build is byte-identical to the first;
* a missing file, a missing column or an unreadable cell raises :class:`helpers.ledger.errors.DataError`
  naming the file, the line (as an editor shows it) and the column.

Run it with ``mfc build-context [RAW_DIR] [--out DIR]``.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

from helpers.ledger.errors import DataError
from helpers.ledger.paths import DATA_DIR, DEFAULT_RAW_DATA_DIR

# --------------------------------------------------------------------------------------------
# Raw file names
# --------------------------------------------------------------------------------------------
F_FRAME = "uk_childrens_services_authorities.csv"
F_TS = "dfe_cla_national_time_series_1994_2024.csv"
F_MISS22 = "dfe_la_missing_or_away_2018_2022_release2022.csv"
F_MISS24 = "dfe_la_missing_or_away_2020_2024_release2024.csv"
F_NATMISS = "dfe_national_cla_missing_2020_2024.csv"
F_DASH = "dfe_la_uasc_at_31_march_2021_2025_from_csc_dashboard.csv"
F_LAIT = "dfe_lait_selected_la_indicators_2016_2025.csv"
F_MYE = "ons_mye_children_0to17_england_la_2012_2024.csv"
F_IMD = "mhclg_imd2019_utla_summaries.csv"
F_RUC = "ons_ruc2011_utla2021.csv"
F_OFSTED = "ofsted_ilacs_judgements_as_at_31mar2025.csv"
F_NRM = "homeoffice_nrm_referrals_by_age_quarterly_2009_2023.csv"
F_C3 = "dfe_cin_c3_factors_at_end_of_assessment_by_la_2018_2025.csv"
SFR_CLA = {
    2014: "dfe_sfr36_2014_la_cla.csv",
    2015: "dfe_sfr34_2015_la_cla.csv",
    2016: "dfe_sfr41_2016_la_cla.csv",
    2017: "dfe_sfr50_2017_la_cla.csv",
}
SFR_MISS = {
    2015: "dfe_sfr34_2015_la_missing.csv",
    2016: "dfe_sfr41_2016_la_missing.csv",
    2017: "dfe_sfr50_2017_la_missing.csv",
}
# Column names in the SFR missing files: 2015 and 2016 share one set, 2017 renamed them.
SFR_MISS_COLS = {
    2015: {
        "children_missing": "CLA_MissDuringYear",
        "missing_incidents": "CLA_MissIncs",
        "children_missing_more_than_once": "CLA_MissMoreOnce",
        "children_missing_at_31_march": "CLA_Miss31Mar",
        "children_away": "CLA_AwayDuringYear",
        "away_incidents": "CLA_AwayIncs",
    },
    2017: {
        "children_missing": "Miss_Miss_DuringYear",
        "missing_incidents": "Miss_Miss_Incs",
        "children_missing_more_than_once": "Miss_Miss_MoreOnce",
        "children_missing_at_31_march": "Miss_Miss_31Mar",
        "children_away": "Miss_Away_DuringYear",
        "away_incidents": "Miss_Away_Incs",
    },
}
SFR_MISS_COLS[2016] = SFR_MISS_COLS[2015]

# Which DfE release (vintage) each file carries. Dates are the month of publication.
RELEASE = {
    F_TS: "DfE CLA 2024 release (Nov 2024), national time series 1994-2024",
    F_MISS24: "DfE CLA 2024 release (Nov 2024), missing or away from placement by LA, national row",
    F_MISS22: "DfE CLA 2022 release (Nov 2022), missing or away from placement by LA, national row",
    F_NATMISS: "DfE CLA 2024 release (Nov 2024), children missing from placement, national",
    SFR_CLA[2014]: "DfE SFR 36/2014 (Sep 2014), underlying data, national row",
    SFR_CLA[2015]: "DfE SFR 34/2015 (Oct 2015), underlying data, national row",
    SFR_CLA[2016]: "DfE SFR 41/2016 (Sep 2016), underlying data, national row",
    SFR_CLA[2017]: "DfE SFR 50/2017 (Sep 2017), underlying data, national row",
    SFR_MISS[2015]: "DfE SFR 34/2015 (Oct 2015), underlying data, national row",
    SFR_MISS[2016]: "DfE SFR 41/2016 (Sep 2016), underlying data, national row",
    SFR_MISS[2017]: "DfE SFR 50/2017 (Sep 2017), underlying data, national row",
}

NATIONAL_YEARS = range(2014, 2025)
COUNCIL_YEARS = range(2015, 2025)
NRM_YEARS = range(2014, 2024)

# EES (2018 onwards) long-format labels of the missing-or-away files -> our measure names.
EES_MISSING_MEASURES = {
    "Children looked after during the year": "cla_during_year",
    "Children who had a missing incident during the year": "children_missing",
    "Number of missing incidents during the year": "missing_incidents",
    "Children who went missing more than once during the year": "children_missing_more_than_once",
    "Children missing at 31 March": "children_missing_at_31_march",
    "Average number of missing incidents per looked after child who went missing": "avg_missing_incidents_per_missing_child",
    "Percentage of children who had a missing incident during the year": "pct_cla_during_year_missing",
    "Children who were away from placement without authorisation during the year": "children_away",
    "Number of away from placement without authorisation incidents during the year": "away_incidents",
}

NATIONAL_MEASURES = [
    "cla_at_31_march",
    "uasc_at_31_march",
    "cla_during_year",
    "children_missing",
    "missing_incidents",
    "avg_missing_incidents_per_missing_child",
    "pct_cla_during_year_missing",
    "children_missing_more_than_once",
    "children_missing_at_31_march",
    "uasc_missing_at_31_march",
    "children_away",
    "away_incidents",
]
COUNCIL_MEASURES = [
    "cla_at_31_march",
    "uasc_at_31_march",
    "cla_during_year",
    "children_missing",
    "missing_incidents",
    "population_0_17",
    "cin_assessments_trafficking",
]
# The first year of the children-in-need table C3 (factors at the end of assessment).
C3_FIRST_YEAR = 2018

# Suppression and special codes in the official files -> flag.
# SFR files (2014-2017): x = suppressed (1 to 5, or secondary suppression); '..' = not available.
# EES files (2018 on): c = suppressed, z = not applicable, x = not available, k = rounds to zero.
# LAIT: '-' = suppressed or not applicable, LAIT does not say which.
SFR_CODES = {"x": "suppressed", "..": "not_available", "": "not_available"}
EES_CODES = {
    "c": "suppressed",
    "[c]": "suppressed",
    "z": "not_applicable",
    "[z]": "not_applicable",
    "x": "not_available",
    "[x]": "not_available",
    "k": "rounds_to_zero",
    "[k]": "rounds_to_zero",
    "": "not_available",
}
LAIT_CODES = {"-": "suppressed_or_not_applicable", "": "not_available"}
# The children-in-need tables add u: a value DfE withholds as of low reliability.
C3_CODES = {**EES_CODES, "u": "low_reliability", "[u]": "low_reliability"}

COUNCIL_FLAGS = [
    "suppressed",
    "not_applicable",
    "not_available",
    "rounds_to_zero",
    "suppressed_or_not_applicable",
    "not_in_source",
    "boundary_change",
    "low_reliability",
]

# English councils created by a boundary change, with the first DfE year (to 31 March) they report.
# Their predecessors (Dorset 835, Bournemouth 837, Poole 836, Northamptonshire 928, Cumbria 909)
# are not in the 212-council frame, so their figures are not carried into council_years.
FIRST_YEAR = {
    "839": 2020,  # Bournemouth, Christchurch and Poole (1 April 2019)
    "838": 2020,  # Dorset unitary (1 April 2019), replacing Dorset county 835 (which included Christchurch)
    "940": 2022,  # North Northamptonshire (1 April 2021), from Northamptonshire 928
    "941": 2022,  # West Northamptonshire (1 April 2021), from Northamptonshire 928
    "942": 2024,  # Cumberland (1 April 2023), from Cumbria 909
    "943": 2024,  # Westmorland and Furness (1 April 2023), from Cumbria 909
}
PREDECESSOR_NOTE = {
    "839": "BCP was formed on 1 April 2019 from Bournemouth, Poole and Christchurch; earlier figures belong to "
    "predecessor councils and are not apportioned",
    "838": "Dorset unitary council was formed on 1 April 2019 from the Dorset county area less Christchurch; "
    "earlier figures belong to Dorset County Council and are not apportioned",
    "940": "formed on 1 April 2021 from Northamptonshire; earlier figures are Northamptonshire's and are not apportioned",
    "941": "formed on 1 April 2021 from Northamptonshire; earlier figures are Northamptonshire's and are not apportioned",
    "942": "formed on 1 April 2023 from Cumbria; earlier figures are Cumbria's and are not apportioned",
    "943": "formed on 1 April 2023 from Cumbria; earlier figures are Cumbria's and are not apportioned",
}

# GSS codes of the 2019-2021 files that changed without a change of area (same council, new code).
RECODED_SAME_AREA = {
    "E10000002": "E06000060",  # Buckinghamshire became a unitary council, April 2020
    "E10000023": "E06000065",  # North Yorkshire became a unitary council, April 2023
    "E10000027": "E06000066",  # Somerset became a unitary council, April 2023
    "E08000020": "E08000037",  # Gateshead recoded 2013
    "E06000048": "E06000057",  # Northumberland recoded 2013
}
# Current councils whose area did not exist as one council in the 2019/2021 covariate files.
SPLIT_FROM = {
    "E06000061": ("E10000021", "Northamptonshire", "April 2021"),
    "E06000062": ("E10000021", "Northamptonshire", "April 2021"),
    "E06000063": ("E10000006", "Cumbria", "April 2023"),
    "E06000064": ("E10000006", "Cumbria", "April 2023"),
}

OFSTED_GRADES = ["Outstanding", "Good", "Requires improvement to be good", "Inadequate"]

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


# --------------------------------------------------------------------------------------------
# Reading and parsing
# --------------------------------------------------------------------------------------------
def _read(raw_dir: Path, name: str, required: list[str], *, skiprows: int = 0) -> pd.DataFrame:
    """Read a raw CSV as strings (no NA guessing), check that its required columns are there.

    Column names are stripped of surrounding spaces (several DfE files have trailing blanks) and a
    UTF-8 byte-order mark is dropped. Cells are stripped too. The row index is set to the line number
    in the file, so error messages can name the row.
    """
    from helpers.ledger.files import check_input_path
    from helpers.ledger.tables import record_lines

    path = Path(raw_dir) / name
    if not path.exists():
        raise DataError(f"{path}: file not found (expected in the raw-data folder {raw_dir})")
    check_input_path(path, "raw CSV file")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skiprows=skiprows)
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: empty file; expected a CSV with columns {', '.join(required)}") from None
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataError(f"{path}: cannot be read as CSV ({exc})") from None
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise DataError([f"{path.name}: missing column '{c}' (file {path})" for c in missing])
    df = df.apply(lambda s: s.str.strip())
    # The line each row starts on as an editor shows it: blank lines (which pandas skips) and quoted
    # line breaks are counted, so a message's "line 8" is line 8 of the file.
    lines = [line for line in record_lines(path) if line > skiprows][1:]
    df.index = lines if len(lines) == len(df) else range(skiprows + 2, skiprows + 2 + len(df))
    return df


def _parse(raw: str, codes: dict[str, str], file: str, row, column: str) -> tuple[float | None, str]:
    """One cell -> (value, flag). Numbers give (value, ''); known codes give (None, flag)."""
    if _NUMBER.match(raw):
        return float(raw), ""
    key = raw.lower()
    if key in codes:
        return None, codes[key]
    raise DataError(
        f"{file} line {row}, column '{column}': unexpected value {raw!r} "
        f"(a number or one of {sorted(k for k in codes if k)})"
    )


def _fmt(value) -> str:
    """The one number formatter: integers without a decimal point, others to at most 10 places."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, str):
        return value
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.10f}".rstrip("0").rstrip(".")


def _csv_bytes(df: pd.DataFrame) -> bytes:
    """All-string columns with LF endings and minimal quoting (byte-stable)."""
    from helpers.ledger.csv_out import write_csv

    buf = io.StringIO()
    rows = [list(df.columns)] + [[_fmt(v) for v in row] for row in df.itertuples(index=False)]
    write_csv(rows, buf, neutralise=False)  # data the project reads back: quoted, never altered
    return buf.getvalue().encode("utf-8")


def _write_all(tables: dict[str, pd.DataFrame], out_dir: Path) -> dict[str, Path]:
    """Write every table, atomically as a set: all are renamed into place only once all are written,
    so a full disk or a signal leaves the committed tables exactly as they were."""
    from helpers.ledger.files import write_all_atomically

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {name: out_dir / f"{name}.csv" for name in tables}
    contents = {paths[name]: _csv_bytes(df) for name, df in tables.items()}
    write_all_atomically(
        {path: (lambda stream, data=data: stream.write(data)) for path, data in contents.items()}, encoding=None
    )
    return paths


# --------------------------------------------------------------------------------------------
# 1. England national series
# --------------------------------------------------------------------------------------------
def _national(raw_dir: Path) -> pd.DataFrame:
    rows: dict[tuple[int, str], dict] = {}

    def put(year, measure, value, flag, source, note=""):
        rows[(year, measure)] = {
            "year": year,
            "measure": measure,
            "value": value,
            "value_flag": flag,
            "release": RELEASE.get(source, "") if source else "",
            "source_file": source,
            "note": note,
        }

    # CLA and UASC at 31 March: the 2024 release time series (revised history, one vintage).
    ts = _read(raw_dir, F_TS, ["time_period", "geographic_level", "population_count", "number"])
    ts = ts[ts["geographic_level"] == "National"]
    ts_measures = {
        "Children looked after at 31 March": "cla_at_31_march",
        "Children looked after at 31 March who were unaccompanied asylum-seeking children": "uasc_at_31_march",
    }
    for label, measure in ts_measures.items():
        sub = ts[ts["population_count"] == label]
        if sub.empty:
            raise DataError(f"{F_TS}: column 'population_count': no national rows labelled {label!r}")
        for idx, r in sub.iterrows():
            year = int(r["time_period"])
            if year in NATIONAL_YEARS:
                value, flag = _parse(r["number"], EES_CODES, F_TS, idx, "number")
                put(year, measure, value, flag, F_TS)

    # SFR national rows: CLA during the year 2014-2017, missing and away 2015-2017.
    for year, name in SFR_CLA.items():
        col = f"CLA_{year}"
        df = _read(raw_dir, name, ["geog_l", col, "CLA_UASC"])
        nat = df[df["geog_l"] == "NATIONAL"]
        if len(nat) != 1:
            raise DataError(f"{name}: column 'geog_l': expected one NATIONAL row, found {len(nat)}")
        idx = nat.index[0]
        value, flag = _parse(nat.at[idx, col], SFR_CODES, name, idx, col)
        put(year, "cla_during_year", value, flag, name)
        if year == 2015:
            sfr_uasc = nat.at[idx, "CLA_UASC"]
            key = (2015, "uasc_at_31_march")
            if key in rows:
                rows[key]["note"] = (
                    f"The SFR 34/2015 national row gives {sfr_uasc}, an error (its councils alone sum "
                    "to more); the later time series value is used"
                )
    for year, name in SFR_MISS.items():
        cols = SFR_MISS_COLS[year]
        df = _read(raw_dir, name, ["geog_l", *cols.values()])
        nat = df[df["geog_l"] == "NATIONAL"]
        if len(nat) != 1:
            raise DataError(f"{name}: column 'geog_l': expected one NATIONAL row, found {len(nat)}")
        idx = nat.index[0]
        for measure, col in cols.items():
            value, flag = _parse(nat.at[idx, col], SFR_CODES, name, idx, col)
            put(year, measure, value, flag, name)
        # The project stores published figures only: the average is derived where it is needed.
        put(
            year,
            "avg_missing_incidents_per_missing_child",
            None,
            "not_published",
            name,
            "not published for this year; divide missing_incidents by children_missing",
        )

    # EES national rows, 2018 on: the 2022 release for 2018-2019, the 2024 release for 2020-2024.
    for name, col, years in [(F_MISS22, "cla_group", (2018, 2019)), (F_MISS24, "CLA_group", range(2020, 2025))]:
        df = _read(raw_dir, name, ["time_period", "geographic_level", col, "number"])
        nat = df[(df["geographic_level"] == "National") & df[col].isin(EES_MISSING_MEASURES)]
        for idx, r in nat.iterrows():
            year = int(r["time_period"])
            if year in years:
                value, flag = _parse(r["number"], EES_CODES, name, idx, "number")
                note = ""
                if year == 2019:
                    note = "2022 release; the 2023 release (not among the raw files) revised 2019 figures slightly"
                put(year, EES_MISSING_MEASURES[r[col]], value, flag, name, note)

    # UASC missing at 31 March, 2020-2024 (national missing file, 2024 release).
    nm = _read(raw_dir, F_NATMISS, ["time_period", "geographic_level", "missing_status", "characteristic", "number"])
    sel = nm[
        (nm["geographic_level"] == "National")
        & (nm["missing_status"] == "Children missing from placement")
        & (nm["characteristic"] == "Children missing on 31 March who were unaccompanied asylum-seeking children")
    ]
    for idx, r in sel.iterrows():
        value, flag = _parse(r["number"], EES_CODES, F_NATMISS, idx, "number")
        put(int(r["time_period"]), "uasc_missing_at_31_march", value, flag, F_NATMISS)

    # Fill the rest of the grid with explicit empty rows.
    for year in NATIONAL_YEARS:
        for measure in NATIONAL_MEASURES:
            if (year, measure) in rows:
                continue
            if year == 2014 and measure not in ("cla_at_31_march", "uasc_at_31_march", "cla_during_year"):
                put(
                    year,
                    measure,
                    None,
                    "not_collected",
                    "",
                    "DfE began collecting missing and away data in the year ending 31 March 2015",
                )
            else:
                put(year, measure, None, "not_published", "", "not published in the raw files held for this year")
    out = pd.DataFrame(rows.values())
    order = {m: i for i, m in enumerate(NATIONAL_MEASURES)}
    out = out.sort_values(["year", "measure"], key=lambda s: s.map(order) if s.name == "measure" else s)
    return out.reset_index(drop=True)[["year", "measure", "value", "value_flag", "release", "source_file", "note"]]


# --------------------------------------------------------------------------------------------
# 2. NRM referrals by age
# --------------------------------------------------------------------------------------------
NRM_AGES = {"Child (17 or under)": "child", "Adult (18 or over)": "adult", "Age not specified or unknown": "not_known"}


def _nrm(raw_dir: Path) -> pd.DataFrame:
    cols = ["Year", "Quarter", "Age at exploitation", "Location of exploitation", "NRM referrals"]
    df = _read(raw_dir, F_NRM, cols)
    bad = df[~df["NRM referrals"].str.fullmatch(r"\d+")]
    if not bad.empty:
        idx = bad.index[0]
        raise DataError(f"{F_NRM} line {idx}, column 'NRM referrals': not a count ({bad.at[idx, 'NRM referrals']!r})")
    unknown = set(df["Age at exploitation"]) - set(NRM_AGES)
    if unknown:
        raise DataError(f"{F_NRM}: column 'Age at exploitation': unknown values {sorted(unknown)}")
    df["n"] = df["NRM referrals"].astype(int)
    df["Year"] = df["Year"].astype(int)
    # Each quarter is broken down by location of exploitation, with a 'Total' row: use the totals only.
    total = df[df["Location of exploitation"] == "Total"]
    parts = df[df["Location of exploitation"] != "Total"]
    check = parts.groupby(["Year", "Quarter", "Age at exploitation"])["n"].sum()
    tot = total.set_index(["Year", "Quarter", "Age at exploitation"])["n"]
    diff = (check - tot).dropna()
    if (diff != 0).any():
        key = diff[diff != 0].index[0]
        raise DataError(f"{F_NRM}: column 'NRM referrals': locations do not sum to the Total row for {key}")
    rows = []
    for year in NRM_YEARS:
        sub = total[total["Year"] == year]
        quarters = sorted(sub["Quarter"].unique())
        if quarters != ["Q1", "Q2", "Q3", "Q4"]:
            raise DataError(f"{F_NRM}: column 'Quarter': year {year} has quarters {quarters}, expected Q1-Q4")
        sums = sub.groupby("Age at exploitation")["n"].sum()
        for label, group in NRM_AGES.items():
            rows.append({"year": year, "age_group": group, "referrals": int(sums.get(label, 0))})
        rows.append({"year": year, "age_group": "total", "referrals": int(sums.sum())})
    out = pd.DataFrame(rows)
    out["source_file"] = F_NRM
    order = {"child": 0, "adult": 1, "not_known": 2, "total": 3}
    out = out.sort_values(["year", "age_group"], key=lambda s: s.map(order) if s.name == "age_group" else s)
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# 3. Councils frame with covariates
# --------------------------------------------------------------------------------------------
def _match_covariate(code: str, lookup: dict[str, object], label: str) -> tuple[object, str, str, str]:
    """Find a council's covariate in a file on older boundaries: (value, code used, flag, note)."""
    if code in lookup:
        return lookup[code], code, "", ""
    old = [o for o, new in RECODED_SAME_AREA.items() if new == code and o in lookup]
    if old:
        return lookup[old[0]], old[0], "code_changed", f"{label}: matched through the earlier code {old[0]} (same area)"
    if code in SPLIT_FROM:
        pcode, pname, when = SPLIT_FROM[code]
        return (
            None,
            "",
            "boundary_change",
            (f"{label}: the file predates the split of {pname} ({pcode}) in {when}; no value is apportioned"),
        )
    return None, "", "not_in_source", f"{label}: council not in the file"


def _councils(raw_dir: Path) -> pd.DataFrame:
    frame = _read(
        raw_dir,
        F_FRAME,
        [
            "nation",
            "authority_type",
            "gss_code",
            "dfe_la_code",
            "name",
            "region_or_group",
            "trust_code",
            "constituent_lgds",
        ],
    )
    frame["council_code"] = frame["gss_code"].where(frame["gss_code"] != "", frame["trust_code"])
    if (frame["council_code"] == "").any():
        idx = frame.index[frame["council_code"] == ""][0]
        raise DataError(f"{F_FRAME} line {idx}, column 'gss_code': neither a GSS code nor a trust code")
    dup = frame["council_code"].duplicated()
    if dup.any():
        raise DataError(f"{F_FRAME} line {frame.index[dup][0]}, column 'gss_code': duplicate code")

    imd_code, imd_score, imd_rank = (
        "Upper Tier Local Authority District code (2019)",
        "IMD - Average score",
        "IMD - Rank of average score",
    )
    imd = _read(raw_dir, F_IMD, [imd_code, imd_score, imd_rank])
    for idx, r in imd.iterrows():
        for c in (imd_score, imd_rank):
            _parse(r[c], {}, F_IMD, idx, c)
    imd_lookup = {r[imd_code]: (float(r[imd_score]), int(r[imd_rank])) for _, r in imd.iterrows()}

    ruc_code, ruc6, ruc3 = (
        "Upper Tier Local Authority Area 2021 Code",
        "Rural-Urban Classification 2011 (6 fold)",
        "Rural-Urban Classification 2011 (3 fold)",
    )
    ruc = _read(raw_dir, F_RUC, [ruc_code, ruc6, ruc3], skiprows=3)  # three title lines before the header
    ruc = ruc[ruc[ruc_code] != ""]
    ruc_lookup = {r[ruc_code]: (r[ruc6], r[ruc3]) for _, r in ruc.iterrows()}

    of_code, of_overall, of_date = "Local authority area code", "Overall effectiveness", "Inspection date"
    ofs = _read(raw_dir, F_OFSTED, [of_code, of_overall, of_date])
    bad = ofs[~ofs[of_overall].isin(OFSTED_GRADES)]
    if not bad.empty:
        idx = bad.index[0]
        raise DataError(f"{F_OFSTED} line {idx}, column '{of_overall}': unknown grade {bad.at[idx, of_overall]!r}")
    of_lookup = {r[of_code]: (r[of_overall], r[of_date]) for _, r in ofs.iterrows()}

    rows = []
    for _, r in frame.iterrows():
        code = r["council_code"]
        out = {
            "council_code": code,
            "name": r["name"],
            "nation": r["nation"],
            "authority_type": r["authority_type"],
            "region": r["region_or_group"],
            "dfe_la_code": r["dfe_la_code"],
            "constituent_lgds": r["constituent_lgds"],
        }
        notes = []
        if r["nation"] == "England":
            (imd_v, imd_used, imd_flag, n1) = _match_covariate(code, imd_lookup, "IMD 2019")
            (ruc_v, _, ruc_flag, n2) = _match_covariate(code, ruc_lookup, "RUC 2011")
            (of_v, _, of_flag, n3) = _match_covariate(code, of_lookup, "ILACS")
            notes = [n for n in (n1, n2, n3) if n]
        else:
            imd_v = ruc_v = of_v = None
            imd_used = ""
            imd_flag = ruc_flag = of_flag = "not_england"
        out.update(
            {
                "imd2019_average_score": imd_v[0] if imd_v else None,
                "imd2019_rank_of_average_score": imd_v[1] if imd_v else None,
                "imd2019_code": imd_used,
                "imd2019_flag": imd_flag,
                "ruc2011_6fold": ruc_v[0] if ruc_v else "",
                "ruc2011_3fold": ruc_v[1] if ruc_v else "",
                "ruc2011_flag": ruc_flag,
                "ilacs_overall_effectiveness": of_v[0] if of_v else "",
                "ilacs_inspection_date": of_v[1] if of_v else "",
                "ilacs_flag": of_flag,
                "covariate_note": "; ".join(notes),
            }
        )
        rows.append(out)
    out = pd.DataFrame(rows)
    nation_order = {"England": 0, "Wales": 1, "Scotland": 2, "Northern Ireland": 3}
    out = out.sort_values(["nation", "council_code"], key=lambda s: s.map(nation_order) if s.name == "nation" else s)
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# 4. English councils by year
# --------------------------------------------------------------------------------------------
def _ees_lookup(raw_dir: Path, name: str, group_col: str, labels: dict[str, str]) -> dict:
    """(measure, year, dfe code) -> (raw cell, row) for the LA rows of an EES missing-or-away file."""
    df = _read(raw_dir, name, ["time_period", "geographic_level", "old_la_code", group_col, "number"])
    df = df[(df["geographic_level"] == "Local authority") & df[group_col].isin(labels)]
    return {
        (labels[r[group_col]], int(r["time_period"]), r["old_la_code"]): (r["number"], idx) for idx, r in df.iterrows()
    }


def _council_years(raw_dir: Path, councils: pd.DataFrame) -> pd.DataFrame:
    eng = councils[councils["nation"] == "England"]
    by_dfe = dict(zip(eng["dfe_la_code"], eng["council_code"]))

    # source[(measure, year)] = (file, codes, {dfe code: (raw, row)}, column name for messages)
    sources: dict[tuple[str, int], tuple[str, dict, dict, str]] = {}

    # SFR 2015-2017: CLA at 31 March, CLA during the year and UASC at 31 March; missing.
    for year in (2015, 2016, 2017):
        name = SFR_CLA[year]
        cols = {"cla_at_31_march": f"CLA_Mar{year}", "cla_during_year": f"CLA_{year}", "uasc_at_31_march": "CLA_UASC"}
        df = _read(raw_dir, name, ["geog_l", "geog_c", *cols.values()])
        la = df[df["geog_l"] == "LA"]
        for measure, col in cols.items():
            sources[(measure, year)] = (name, SFR_CODES, {r["geog_c"]: (r[col], i) for i, r in la.iterrows()}, col)
        name = SFR_MISS[year]
        mcols = {m: SFR_MISS_COLS[year][m] for m in ("children_missing", "missing_incidents")}
        df = _read(raw_dir, name, ["geog_l", "geog_c", *mcols.values()])
        la = df[df["geog_l"] == "LA"]
        for measure, col in mcols.items():
            sources[(measure, year)] = (name, SFR_CODES, {r["geog_c"]: (r[col], i) for i, r in la.iterrows()}, col)

    # EES missing-or-away files: 2022 release for 2018-2019, 2024 release for 2020-2024.
    labels = {
        k: v
        for k, v in EES_MISSING_MEASURES.items()
        if v in ("cla_during_year", "children_missing", "missing_incidents")
    }
    miss22 = _ees_lookup(raw_dir, F_MISS22, "cla_group", labels)
    miss24 = _ees_lookup(raw_dir, F_MISS24, "CLA_group", labels)
    for measure in labels.values():
        for year, name, lk in [(2018, F_MISS22, miss22), (2019, F_MISS22, miss22)] + [
            (y, F_MISS24, miss24) for y in range(2020, 2025)
        ]:
            sources[(measure, year)] = (
                name,
                EES_CODES,
                {k[2]: v for k, v in lk.items() if k[0] == measure and k[1] == year},
                "number",
            )

    # LAIT for CLA and UASC at 31 March 2018-2020 (keyed by DfE LA number, '886.0').
    lait = _read(raw_dir, F_LAIT, ["Short Desc", "Years", "LA Number", "Values"])
    lait_measures = {"LACnum": "cla_at_31_march", "Unacc_Asylmn_Seek_Childn": "uasc_at_31_march"}
    lait = lait[lait["Short Desc"].isin(lait_measures)]
    for short, measure in lait_measures.items():
        sub = lait[lait["Short Desc"] == short]
        for year in (2018, 2019, 2020):
            yr = sub[sub["Years"] == str(year)]
            sources[(measure, year)] = (
                F_LAIT,
                LAIT_CODES,
                {re.sub(r"\.0$", "", r["LA Number"]): (r["Values"], i) for i, r in yr.iterrows()},
                "Values",
            )

    # CSC dashboard extract (2025 release) for UASC and total CLA at 31 March 2021-2024.
    dash = _read(raw_dir, F_DASH, ["time_period", "geographic_level", "old_la_code", "characteristic", "number"])
    dash = dash[dash["geographic_level"] == "Local authority"]
    for char, measure in [("UASC", "uasc_at_31_march"), ("Total", "cla_at_31_march")]:
        sub = dash[dash["characteristic"] == char]
        for year in range(2021, 2025):
            yr = sub[sub["time_period"] == str(year)]
            sources[(measure, year)] = (
                F_DASH,
                EES_CODES,
                {r["old_la_code"]: (r["number"], i) for i, r in yr.iterrows()},
                "number",
            )

    # ONS mid-year estimates, ages 0-17: DfE year Y (to 31 March Y) uses mid-(Y-1), as DfE does for its rates.
    mye = _read(raw_dir, F_MYE, ["time_period", "geographic_level", "old_la_code", "population_estimate"])
    mye = mye[mye["geographic_level"] == "Local authority"]
    for year in COUNCIL_YEARS:
        yr = mye[mye["time_period"] == str(year - 1)]
        sources[("population_0_17", year)] = (
            F_MYE,
            EES_CODES,
            {r["old_la_code"]: (r["population_estimate"], i) for i, r in yr.iterrows()},
            "population_estimate",
        )

    # Children-in-need table C3, 2018 onwards: assessments that recorded Trafficking. It shows how trafficked
    # children are spread across councils (assessment episodes, not children in care).
    c3 = _read(raw_dir, F_C3, ["time_period", "geographic_level", "old_la_code", "Trafficking"])
    c3 = c3[c3["geographic_level"] == "Local authority"]
    for year in COUNCIL_YEARS:
        yr = c3[c3["time_period"] == str(year)]
        sources[("cin_assessments_trafficking", year)] = (
            F_C3,
            C3_CODES,
            {r["old_la_code"]: (r["Trafficking"], i) for i, r in yr.iterrows()},
            "Trafficking",
        )

    rows = []
    for dfe, code in sorted(by_dfe.items(), key=lambda kv: kv[1]):
        for year in COUNCIL_YEARS:
            for measure in COUNCIL_MEASURES:
                name, codes, lookup, col = sources[(measure, year)]
                value, flag, note = None, "", ""
                if year < FIRST_YEAR.get(dfe, 0):
                    flag, note = "boundary_change", PREDECESSOR_NOTE[dfe]
                elif name == F_C3 and year < C3_FIRST_YEAR:
                    flag, note = "not_in_source", f"table C3 of the children-in-need census starts in {C3_FIRST_YEAR}"
                elif dfe not in lookup:
                    flag, note = "not_in_source", "council not listed in the source file for this year"
                else:
                    raw, row = lookup[dfe]
                    value, flag = _parse(raw, codes, name, row, col)
                    # The 2024 release shows Hackney's missing data for 2021 as 0, but Hackney sent no missing
                    # data that year (DfE data guidance); the 2022 release marks the same cells 'x'.
                    if (
                        name == F_MISS24
                        and value == 0
                        and measure in ("children_missing", "missing_incidents")
                        and miss22.get((measure, year, dfe), ("",))[0].lower() == "x"
                    ):
                        value, flag = None, "not_available"
                        note = (
                            f"shown as 0 in {F_MISS24} but as x (not available) in {F_MISS22}; the council "
                            "sent no missing data for this year"
                        )
                rows.append(
                    {
                        "council_code": code,
                        "year": year,
                        "measure": measure,
                        "value": value,
                        "value_flag": flag,
                        "source_file": name,
                        "note": note,
                    }
                )
    out = pd.DataFrame(rows)
    order = {m: i for i, m in enumerate(COUNCIL_MEASURES)}
    out = out.sort_values(["council_code", "year", "measure"], key=lambda s: s.map(order) if s.name == "measure" else s)
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------
TABLES = ["england_national", "nrm_child_referrals", "councils", "council_years"]


def build_context(raw_dir=DEFAULT_RAW_DATA_DIR, out_dir=None) -> dict[str, Path]:
    """Read the official files in ``raw_dir`` and write the four context tables to ``out_dir``.

    Returns ``{table name: path written}``. Raises :class:`DataError` if a file or column is missing
    or a cell cannot be read. The output depends only on the raw files (byte-identical on re-run).
    """
    raw_dir = Path(raw_dir)
    out_dir = Path(out_dir) if out_dir is not None else DATA_DIR / "context"
    if not raw_dir.is_dir():
        raise DataError(f"{raw_dir}: raw-data folder not found")
    from helpers.ledger.raw import raw_folder_problems

    problems = raw_folder_problems(raw_dir)  # an edited raw file is refused before anything is read
    if problems:
        raise DataError(problems)
    councils = _councils(raw_dir)
    tables = {
        "england_national": _national(raw_dir),
        "nrm_child_referrals": _nrm(raw_dir),
        "councils": councils,
        "council_years": _council_years(raw_dir, councils),
    }
    return _write_all(tables, out_dir)
