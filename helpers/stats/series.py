"""Series for the trends notebook: the reports' rates by year, the DfE baseline, NRM referrals.

The reports give one or two years each; laid end to end they make a short, uneven series (2015, 2017,
2018, 2020, 2024). Which version of a report enters the series is a parameter, because *Still in
Harm's Way* and *Until Harm Ends* were published in two versions each (``data/versions.csv``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.ledger.errors import ParameterError
from helpers.ledger.versions import SINGLE
from helpers.stats.rates import headline_table, wilson_interval

SERIES_GROUPS = ["trafficked", "unaccompanied"]
ENGLAND_LABEL = "all looked-after children (England, DfE)"
SERIES_COLUMNS = [
    "year",
    "report_id",
    "group",
    "version",
    "missing",
    "in_care",
    "not_missing",
    "rate",
    "ci_low",
    "ci_high",
]


def report_series(
    figures: pd.DataFrame, versions: dict[str, str], groups: list[str], alpha: float = 0.05
) -> pd.DataFrame:
    """Children who went missing and children in care, by year and group, one version per report.

    ``versions`` maps a report id to the version to use (reports not named use their single version);
    a version no figure of that report carries raises ParameterError naming the valid ones.
    """
    published = figures[figures["version"] != SINGLE].groupby("report_id", sort=False)["version"].unique()
    for report_id, version in versions.items():
        valid = list(published.get(report_id, []))
        if version not in valid:
            raise ParameterError(
                f"version {version!r} of {report_id!r} is not valid; valid: "
                + "; ".join(f"{r}: {', '.join(v)}" for r, v in published.items())
            )
    table = headline_table(figures, alpha=alpha)
    table = table[(table["measure"] == "went_missing") & table["group"].isin(groups)]
    wanted = table["report_id"].map(lambda r: versions.get(r, SINGLE))
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
    return pd.DataFrame(
        {
            "year": wide["year"].astype("int64"),
            "report_id": "dfe",
            "group": ENGLAND_LABEL,
            "version": "published",
            "missing": missing,
            "in_care": in_care,
            "not_missing": in_care - missing,
            "rate": missing / in_care,
            "ci_low": low,
            "ci_high": high,
        }
    )[SERIES_COLUMNS]


def nrm_alongside(nrm: pd.DataFrame, figures: pd.DataFrame, versions: dict[str, str]) -> pd.DataFrame:
    """NRM child referrals by year beside the reports' counts of trafficked children in care.

    Both are shown as an index (first common year = 100), since one counts referrals in the UK and the
    other children in the care of councils that answered. Every published count of trafficked children
    in care enters, including years with no count of those who went missing (2018). Only UK counts
    enter, as the referrals are UK-wide (a source placing the same count in England is left out).
    """
    from helpers.ledger.checks import consensus_values
    from helpers.stats.rates import period_year

    counts = consensus_values(
        figures[(figures["group"] == "trafficked") & (figures["measure"] == "in_care") & (figures["geography"] == "UK")]
    )
    counts = counts[counts["version"] == counts["report_id"].map(lambda r: versions.get(r, SINGLE))]
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


def _incident_frame(national: pd.DataFrame, from_year: int | None = None) -> pd.DataFrame:
    wide = national_wide(national).dropna(subset=["missing_incidents", "children_missing"])
    wide = wide.astype({"year": "int64", "missing_incidents": "int64", "children_missing": "int64"})
    if from_year is not None:
        wide = wide[wide["year"] >= int(from_year)]
    if len(wide) < 4:
        raise ParameterError(f"fewer than 4 DfE years with incident counts from {from_year}; choose an earlier year")
    return wide.reset_index(drop=True)


def incident_models(national: pd.DataFrame, alpha: float = 0.05, from_year: int | None = None) -> pd.DataFrame:
    """Missing incidents per child who went missing (England), log-linear trend per year, three ways.

    Each has log(children who went missing) as offset and a linear year term. Poisson: with its Pearson
    chi-squared / df, the measure of overdispersion that does not depend on the size of the counts.
    Quasi-Poisson: the same fit with that scale and a t reference on the residual df. Negative binomial
    (NB2): variance mu + alpha mu^2 with alpha estimated and its interval; alpha multiplies mu^2, so with
    counts in the tens of thousands a small alpha is a large overdispersion. ``from_year`` drops earlier
    years. Returns one row per model: model, from, years, rate ratio per year, ci_low, ci_high,
    pearson_chi2_df, alpha, alpha_ci_low, alpha_ci_high.
    """
    from helpers.stats.trends import fit_negative_binomial, fit_poisson, negbin_alpha, tidy

    wide = _incident_frame(national, from_year)
    poisson = fit_poisson(wide, "missing_incidents", "children_missing", year="year", year_as="linear")
    pearson = float(poisson.pearson_chi2 / poisson.df_resid)
    quasi = poisson.model.fit(scale=pearson, use_t=True)
    negbin = fit_negative_binomial(wide, "missing_incidents", "children_missing", year="year", year_as="linear")
    a = negbin_alpha(negbin, alpha).iloc[0]
    rows = []
    for name, fit in (("Poisson", poisson), ("quasi-Poisson (t)", quasi), ("negative binomial (NB2)", negbin)):
        slope = tidy(fit, alpha).set_index("term").loc["year"]
        is_nb = fit is negbin
        rows.append(
            {
                "model": name,
                "from": int(wide["year"].min()),
                "years": len(wide),
                "rate ratio per year": slope["ratio"],
                "ci_low": slope["ratio_ci_low"],
                "ci_high": slope["ratio_ci_high"],
                "pearson_chi2_df": pearson if fit is poisson else np.nan,
                "alpha": a["alpha"] if is_nb else np.nan,
                "alpha_ci_low": a["ci_low"] if is_nb else np.nan,
                "alpha_ci_high": a["ci_high"] if is_nb else np.nan,
            }
        )
    return pd.DataFrame(rows)


def incident_residuals(national: pd.DataFrame, from_year: int | None = None) -> pd.DataFrame:
    """Pearson residuals of the log-linear Poisson trend in incidents per missing child, by year.

    A correct trend leaves residuals that change sign at random; runs of one sign (negative early, positive
    in the middle, negative late) say the straight line on the log scale is the wrong shape.
    """
    from helpers.stats.trends import fit_poisson

    wide = _incident_frame(national, from_year)
    fit = fit_poisson(wide, "missing_incidents", "children_missing", year="year", year_as="linear")
    return pd.DataFrame(
        {
            "year": wide["year"],
            "incidents_per_child": wide["missing_incidents"] / wide["children_missing"],
            "fitted_per_child": np.asarray(fit.fittedvalues) / wide["children_missing"],
            "pearson_residual": np.asarray(fit.resid_pearson),
        }
    )


def sign_runs(values) -> int:
    """Number of runs of the same sign in a sequence (zeros count as positive)."""
    signs = np.sign(np.asarray(values, float)) >= 0
    return int(1 + np.sum(signs[1:] != signs[:-1])) if len(signs) else 0
