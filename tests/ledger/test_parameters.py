"""A bad parameter stops a notebook in its first cells with a message naming the valid values."""

import pytest

from helpers.ledger.paths import NOTEBOOKS_DIR
from helpers.run.runner import Run, execute_run


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        (
            Run("10_report.ipynb", "bad", {"report_id": "harm-2030"}),
            "report_id='harm-2030' is not valid; valid values: heading-back-to-harm",
        ),
        (Run("30_trends.ipynb", "bad", {"groups": "trafficked"}), "groups must be a list"),
        (
            Run("30_trends.ipynb", "bad-version", {"versions": {"still-in-harms-way": "final"}}),
            "versions['still-in-harms-way']='final' is not valid; valid values: original, revised",
        ),
        (
            Run("30_trends.ipynb", "bad-report", {"versions": {"heading-back-to-harm": "original"}}),
            "versions has key 'heading-back-to-harm'; valid keys: still-in-harms-way, until-harm-ends",
        ),
        (
            Run("10_report.ipynb", "typo", {"reportid": "when-harm-remains"}),
            "unknown parameter(s) reportid; this notebook's parameters are: report_id, alpha, data_dir",
        ),
        (
            Run("41_nonresponse_simulation.ipynb", "huge", {"n_sims": 10**9}),
            "n_sims=1000000000 is outside the valid range from 1 to 100000",
        ),
        (
            Run("40_nonresponse.ipynb", "one-imputation", {"imputations": 1}),
            "imputations=1 is outside the valid range from 2 to 500 (Rubin's rules need at least 2",
        ),
    ],
    ids=[
        "unknown-report",
        "list-as-string",
        "unknown-version",
        "report-without-versions",
        "mistyped-name",
        "n-sims-1e9",
        "imputations-1",
    ],
)
def test_bad_parameter_stops_the_notebook_early_with_valid_values(tmp_path, run, expected):
    result = execute_run(
        run, notebooks_dir=NOTEBOOKS_DIR, executed_dir=tmp_path / "executed", scratch_dir=tmp_path / "scratch"
    )
    assert not result.ok
    assert "ParameterError" in result.message and expected in result.message
    assert "cell 4" in result.message or "cell 5" in result.message  # the validation cell, right after the parameters
    assert not (tmp_path / "executed").exists() or not list((tmp_path / "executed").iterdir())


def test_declared_choices_are_the_helpers_own():
    """notebooks/parameters.yaml repeats a few sets of choices that the helpers define: they must agree."""
    from helpers.ledger.parameters import declared_parameters
    from helpers.nonresponse import MECHANISMS
    from helpers.stats import ONE_ROUND_CHOICES, SERIES_GROUPS, TAU2_METHODS

    trends = declared_parameters("30_trends")
    assert trends["groups"]["choices"] == list(SERIES_GROUPS)
    # versions come from data/versions.csv, not from a list here (test_versions_come_from_the_data)
    assert (trends["versions"]["keys_from"], trends["versions"]["values_from"]) == (
        "versions.report_id",
        "versions.version",
    )
    assert trends["one_round"]["choices"] == list(ONE_ROUND_CHOICES)
    assert trends["tau2_method"]["choices"] == list(TAU2_METHODS)
    for notebook in ("40_nonresponse", "41_nonresponse_simulation"):
        assert declared_parameters(notebook)["mechanisms"]["choices"] == list(MECHANISMS)
    assert set(declared_parameters("40_nonresponse")["strengths"]["choices"]) == set(MECHANISMS) - {"mcar"}


def test_report_ids_come_from_the_data_not_from_a_list(ledger):
    from helpers.ledger.parameters import data_choices, declared_parameters

    spec = declared_parameters("10_report")["report_id"]
    reports = ledger.reports.sort_values("series_order")
    assert data_choices(spec) == list(reports["report_id"])


def test_versions_come_from_the_data():
    from helpers.ledger.errors import ParameterError
    from helpers.ledger.parameters import check_value, declared_parameters

    spec = declared_parameters("30_trends")["versions"]
    assert check_value("versions", {}, spec) == {}
    assert check_value("versions", {"until-harm-ends": "independent"}, spec) == {"until-harm-ends": "independent"}
    with pytest.raises(
        ParameterError,
        match=r"versions\['until-harm-ends'\]='revised' is not valid; valid values: guardian, independent",
    ):
        check_value("versions", {"until-harm-ends": "revised"}, spec)
    with pytest.raises(ParameterError, match="must be a mapping"):
        check_value("versions", "independent", spec)


def test_an_option_for_a_list_or_mapping_parameter_reads_commas_or_yaml():
    """The engineer exposing 40's scenario settings on `mfc nonresponse` gets the same checks."""
    import argparse

    from helpers.ledger.parameters import declared_parameters
    from helpers.run.params import add_declared_option

    parser = argparse.ArgumentParser(exit_on_error=False)
    for name in ("mechanisms", "strengths", "imputations"):
        add_declared_option(parser, f"--{name}", "40_nonresponse", name, None, name)
    args = parser.parse_args(["--mechanisms", "mcar,mnar", "--strengths", "{mnar: -1.5}", "--imputations", "5"])
    assert (args.mechanisms, args.strengths, args.imputations) == (["mcar", "mnar"], {"mnar": -1.5}, 5)
    with pytest.raises(argparse.ArgumentError, match="'mechanisms\\[0\\]'|mechanisms\\[0\\]='mcr' is not valid"):
        parser.parse_args(["--mechanisms", "mcr"])
    assert declared_parameters("40_nonresponse")["imputations"]["min"] == 2  # Rubin's rules


def test_choices_from_a_table_the_data_folder_lacks_is_one_line(tmp_path):
    import shutil

    import yaml

    from helpers.ledger.errors import ParameterError
    from helpers.ledger.paths import DATA_DIR
    from helpers.ledger.tables import rehash
    from helpers.run.params import check_parameters

    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data, ignore=shutil.ignore_patterns("context", "raw"))
    descriptor = yaml.safe_load((data / "datapackage.yaml").read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if not r["path"].startswith("context/")]
    (data / "datapackage.yaml").write_text(yaml.safe_dump(descriptor, sort_keys=False), encoding="utf-8")
    rehash(data)
    from helpers.run.one_run import notebook_defaults

    namespace = {**notebook_defaults(NOTEBOOKS_DIR / "41_nonresponse_simulation.ipynb"), "data_dir": str(data)}
    with pytest.raises(
        ParameterError, match="the valid values come from table 'council_years', which .* does not have"
    ):
        check_parameters({**namespace}, "41_nonresponse_simulation")
