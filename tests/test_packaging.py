"""The package's version is written once (pyproject.toml) and every other place agrees; CITATION.cff is complete."""

from __future__ import annotations

import csv
import re
import tomllib

import yaml

import helpers
from helpers.ledger.paths import DATA_DIR, PROJECT_ROOT

# The four reports of the series; the companion study (exploited-looked-after-children) is not one of them.
SERIES = ("heading-back-to-harm", "still-in-harms-way", "when-harm-remains", "until-harm-ends")


def pyproject_version() -> str:
    with (PROJECT_ROOT / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)["project"]["version"]


def citation() -> dict:
    return yaml.safe_load((PROJECT_ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def latest_release() -> tuple[str, str]:
    """(version, date) of the newest released section of CHANGELOG.md ('## 0.1.0 (2026-11-21)')."""
    text = (PROJECT_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    return re.search(r"^## (\d+\.\d+\.\d+) \((\d{4}-\d\d-\d\d)\)$", text, flags=re.M).groups()


def test_the_version_is_written_once_and_read_everywhere():
    assert pyproject_version() == "0.1.0"
    assert helpers.__version__ == pyproject_version()
    assert str(citation()["version"]) == pyproject_version()
    assert latest_release() == ("0.1.0", "2026-11-21")
    source = (PROJECT_ROOT / "helpers" / "__init__.py").read_text(encoding="utf-8")
    assert "0.1.0" not in source, "helpers reads its version from the metadata, it does not repeat it"


def test_the_version_without_installed_metadata_comes_from_pyproject(monkeypatch):
    import importlib.metadata

    def not_installed(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    assert helpers._version() == "0.1.0"


def test_citation_has_its_release_date_and_no_invented_repository():
    cff = citation()
    assert cff["cff-version"] == "1.2.0"
    assert str(cff["date-released"]) == latest_release()[1] == "2026-11-21"
    assert cff["license"] == "MIT"
    assert cff["title"] == "Missing from care: the ECPAT UK / Missing People reports, rebuilt"
    assert "repository-code" not in cff  # the project has no public repository address yet


def test_citation_references_are_the_four_reports_of_the_ledger():
    with (DATA_DIR / "reports.csv").open(newline="", encoding="utf-8") as handle:
        reports = {row["report_id"]: row for row in csv.DictReader(handle)}
    references = citation()["references"]
    assert [r["title"] for r in references] == [
        "Heading Back to Harm: A study on trafficked and unaccompanied children going missing from care in the UK",
        "Still in Harm's Way: An update report on trafficked and unaccompanied children going missing from care in the UK",
        "When Harm Remains: An update report on trafficked and unaccompanied children going missing from care in the UK",
        "Until Harm Ends",
    ]
    assert [r["year"] for r in references] == [2016, 2018, 2022, 2025]
    for reference, report_id in zip(references, SERIES):
        row = reports[report_id]
        assert reference["type"] == "report"
        assert reference["title"] == ": ".join(part for part in (row["title"], row["subtitle"]) if part)
        assert reference["year"] == int(row["published"][:4])
        assert [a["name"] for a in reference["authors"]] == row["publishers"].split("; ")
