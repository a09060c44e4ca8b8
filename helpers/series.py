"""Series for the trends notebook: the reports' rates by year, the DfE baseline, NRM referrals.

The reports give one or two years each; laid end to end they make a short, uneven series (2015, 2017,
2018, 2020, 2024). Which version of a report enters the series is a parameter, because *Still in
Harm's Way* and *Until Harm Ends* were published in two versions each.
"""

from __future__ import annotations

from itertools import product

import numpy as np
import pandas as pd

from helpers.errors import ParameterError
from helpers.rates import headline_table, wilson_interval

# Reports published in more than one version, and the versions a reader can choose between.
VERSION_CHOICES = {
    "still-in-harms-way": ["original", "revised"],
    "until-harm-ends": ["guardian", "independent"],
}
SERIES_GROUPS = ["trafficked", "unaccompanied"]
ENGLAND_LABEL = "all looked-after children (England, DfE)"
SERIES_COLUMNS = ["year", "report_id", "group", "version", "missing", "in_care", "not_missing", "rate",
                  "ci_low", "ci_high"]


def report_series(figures: pd.DataFrame, versions: dict[str, str], groups: list[str],
                  alpha: float = 0.05) -> pd.DataFrame:
    """Children who went missing and children in care, by year and group, one version per report.

    ``versions`` maps a report id to the version to use (reports not named use their single version).
    """
    for report_id, version in versions.items():
        valid = VERSION_CHOICES.get(report_id)
        if valid is None or version not in valid:
            raise ParameterError(f"version {version!r} of {report_id!r} is not valid; valid: "
                                 + "; ".join(f"{r}: {', '.join(v)}" for r, v in VERSION_CHOICES.items()))
    table = headline_table(figures, alpha=alpha)
    table = table[(table["measure"] == "went_missing") & table["group"].isin(groups)]
    wanted = table["report_id"].map(lambda r: versions.get(r, "single"))
    table = table[table["version"] == wanted]
    out = table.rename(columns={"numerator": "missing", "denominator": "in_care"})
    out = out.assign(not_missing=out["in_care"] - out["missing"])
    return out[SERIES_COLUMNS].sort_values(["group", "year"]).reset_index(drop=True)


def national_wide(national: pd.DataFrame) -> pd.DataFrame:
    """DfE's England series (long: year, measure, value) as one row per year."""
    wide = national.pivot(index="year", columns="measure", values="value")
    wide.columns.name = None
    return wide.reset_index()


def england_baseline(national: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Share of children looked after during the year (England) who had a missing incident, by year.

    DfE years end on 31 March; a DfE year is placed at its end year, e.g. 2020 = April 2019 to March 2020.
    """
    wide = national_wide(national).dropna(subset=["children_missing", "cla_during_year"])
    missing = wide["children_missing"].astype("int64")
    in_care = wide["cla_during_year"].astype("int64")
    low, high = wilson_interval(missing, in_care, alpha)
    return pd.DataFrame({
        "year": wide["year"].astype("int64"), "report_id": "dfe", "group": ENGLAND_LABEL, "version": "published",
        "missing": missing, "in_care": in_care, "not_missing": in_care - missing,
        "rate": missing / in_care, "ci_low": low, "ci_high": high,
    })[SERIES_COLUMNS]


def version_sensitivity(figures: pd.DataFrame, groups: list[str], alpha: float = 0.05) -> pd.DataFrame:
    """The yearly trend in the odds of going missing under every combination of published versions.

    For each group and each choice of versions, a quasi-binomial GLM (scale from the Pearson
    chi-squared, since different councils answered each round) with a linear year term; the odds ratio
    per year with its interval.
    """
    from helpers.trends import fit_binomial_glm, tidy

    rows = []
    choices = list(VERSION_CHOICES.items())
    for combo in product(*[versions for _, versions in choices]):
        versions = {report: version for (report, _), version in zip(choices, combo)}
        series = report_series(figures, versions, groups, alpha)
        for group, part in series.groupby("group", sort=False):
            if part["year"].nunique() < 3:
                continue
            fit = fit_binomial_glm(part, "missing", "not_missing", year="year", year_as="linear", scale="X2")
            slope = tidy(fit, alpha).set_index("term").loc["year"]
            rows.append({**{f"{r} version": v for r, v in versions.items()}, "group": group,
                         "years": part["year"].nunique(), "odds ratio per year": slope["ratio"],
                         "ci_low": slope["ratio_ci_low"], "ci_high": slope["ratio_ci_high"],
                         "p_value": slope["p_value"]})
    return pd.DataFrame(rows)


def nrm_alongside(nrm: pd.DataFrame, figures: pd.DataFrame, versions: dict[str, str]) -> pd.DataFrame:
    """NRM child referrals by year beside the reports' counts of trafficked children in care.

    Both are shown as an index (first common year = 100), since one counts referrals in the UK and the
    other children in the care of councils that answered. Every published count of trafficked children
    in care enters, including years with no count of those who went missing (2018). Only UK counts
    enter, as the referrals are UK-wide (a source placing the same count in England is left out).
    """
    from helpers.ledger_checks import consensus_values
    from helpers.rates import period_year

    counts = consensus_values(figures[(figures["group"] == "trafficked") & (figures["measure"] == "in_care")
                                      & (figures["geography"] == "UK")])
    counts = counts[counts["version"] == counts["report_id"].map(lambda r: versions.get(r, "single"))]
    counts = counts.assign(year=counts["period"].map(period_year))[["year", "value"]]
    child = nrm[nrm["age_group"] == "child"][["year", "referrals"]].astype({"year": "int64"})
    merged = child.merge(counts, on="year", how="outer").sort_values("year").reset_index(drop=True)
    if merged["value"].isna().all():
        raise ParameterError("no year has both NRM child referrals and a count of trafficked children in care")
    base = merged.dropna(subset=["value"]).iloc[0]
    if pd.isna(base["referrals"]):
        raise ParameterError("the first year with a count of trafficked children in care has no NRM figure")
    merged["referrals_index"] = 100 * merged["referrals"] / base["referrals"]
    merged["in_care_index"] = 100 * merged["value"] / base["value"]
    return merged.rename(columns={"referrals": "nrm_child_referrals", "value": "trafficked_in_care"})


def incident_models(national: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Missing incidents per child who went missing (England), trend per year: Poisson and NB2.

    Both have log(children who went missing) as offset and a linear year term; the negative binomial
    estimates its dispersion alpha rather than fixing it. Returns one row per model.
    """
    from helpers.trends import fit_negative_binomial, fit_poisson, negbin_alpha, tidy

    wide = national_wide(national).dropna(subset=["missing_incidents", "children_missing"])
    wide = wide.astype({"year": "int64", "missing_incidents": "int64", "children_missing": "int64"})
    rows = []
    poisson = fit_poisson(wide, "missing_incidents", "children_missing", year="year", year_as="linear")
    negbin = fit_negative_binomial(wide, "missing_incidents", "children_missing", year="year", year_as="linear")
    for name, fit in (("Poisson", poisson), ("negative binomial (NB2)", negbin)):
        slope = tidy(fit, alpha).set_index("term").loc["year"]
        row = {"model": name, "years": len(wide), "rate ratio per year": slope["ratio"],
               "ci_low": slope["ratio_ci_low"], "ci_high": slope["ratio_ci_high"], "alpha": np.nan}
        if fit is negbin:
            row["alpha"] = float(negbin_alpha(fit, alpha)["alpha"].iloc[0])
        rows.append(row)
    return pd.DataFrame(rows)
