"""The reports' counts laid out for the joint series model: one row per report, group and year, every version.

Both the sampler (:mod:`helpers.stats.series_model`) and its independent cross-check
(:mod:`helpers.stats.series_laplace`) read a :class:`SeriesData`; nothing here is a model. A report
published in more than one version (``data/versions.csv``) gives one alternative per version, each with its
stated prior weight; a report with one version repeats it, so every report has the same number of
alternatives. The extra-binomial variance (a design effect per row) and the councils' non-response (the
silent share per report) are inputs: this module states them, the model turns them into priors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.ledger.errors import ParameterError
from helpers.ledger.versions import default_versions, version_choices
from helpers.stats.rates import period_year
from helpers.stats.series import SERIES_GROUPS, report_series

#: Share of councils assumed silent where the ledger gives no count of councils asked and answering.
#: About a third: the reports that do give both (and the later rounds, which name fewer answering councils)
#: lie between 8% and 40% silent, so a third is a middle value, stated rather than measured.
ASSUMED_SILENT_SHARE = 0.33


@dataclass(frozen=True, eq=False)
class SeriesData:
    """The counts of the series model, every published version of each report as an alternative.

    ``rows`` has one row per report, group and year (columns report_id, group, year, round_row: True for a
    second year of one FOI round, deff, silent_share). ``missing`` and ``in_care`` are (alternatives, rows)
    arrays; ``report_index`` maps each row to its report in ``reports``; ``log_weights`` is (reports,
    alternatives), the log prior weight of each alternative; ``alternatives`` names each report's versions.
    """

    rows: pd.DataFrame
    missing: np.ndarray
    in_care: np.ndarray
    report_index: np.ndarray
    reports: tuple[str, ...]
    log_weights: np.ndarray
    alternatives: tuple[tuple[str, ...], ...]
    groups: tuple[str, ...]

    @property
    def group_index(self) -> np.ndarray:
        """Each row's group as 0, 1, ... in the order of ``groups``."""
        return self.rows["group"].map({g: i for i, g in enumerate(self.groups)}).to_numpy()

    @property
    def years(self) -> np.ndarray:
        return self.rows["year"].to_numpy(dtype=float)

    def weighted_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """Each row's count and denominator averaged over its alternatives with their prior weights."""
        w = np.exp(self.log_weights)[self.report_index].T  # (alternatives, rows)
        return (w * self.missing).sum(0), (w * self.in_care).sum(0)

    def excess_variance(self, deff_scale: float = 1.0) -> np.ndarray:
        """Extra-binomial variance of each row's logit: ``deff_scale`` x (d - 1) / (n p (1 - p)).

        A design effect d multiplies the binomial variance of a rate by d, so on the logit scale the
        binomial's 1 / (n p (1 - p)) grows by (d - 1) times that; p and n are the weighted averages over
        the alternatives, so the prior is the same whichever version is true.
        """
        y, n = self.weighted_counts()
        p = y / n
        return float(deff_scale) * (self.rows["deff"].to_numpy(float) - 1.0) / (n * p * (1 - p))


def _alternatives(ledger, report_ids, weights) -> dict[str, list[tuple[str, float]]]:
    """Each report's versions and their prior weights (equal unless ``weights`` says otherwise)."""
    choices = version_choices(ledger)
    out = {}
    for report_id in report_ids:
        versions = list(choices.get(report_id, [])) or ["single"]
        given = (weights or {}).get(report_id)
        if given is None:
            given = {v: 1.0 for v in versions}
        unknown = set(given) - set(versions)
        if unknown:
            raise ParameterError(f"version weights of {report_id!r} name {sorted(unknown)}; valid: {versions}")
        w = np.array([float(given.get(v, 0.0)) for v in versions])
        if (w < 0).any() or w.sum() <= 0:
            raise ParameterError(f"version weights of {report_id!r} must be >= 0 and not all 0; got {given!r}")
        out[report_id] = [(v, float(x)) for v, x in zip(versions, w / w.sum()) if x > 0]
    return out


def _round_rows(rows: pd.DataFrame, reports: pd.DataFrame) -> np.ndarray:
    """True for a row whose year is not its report's headline year: a second year of one FOI round."""
    headline = dict(zip(reports["report_id"], reports["headline_period"].astype(str)))
    return np.array([period_year(headline.get(r, str(y))) != y for r, y in zip(rows["report_id"], rows["year"])])


def series_data(
    ledger,
    groups=tuple(SERIES_GROUPS),
    version_weights: dict | None = None,
    deff: dict | None = None,
    silent_share: dict | None = None,
) -> SeriesData:
    """The series model's data from the ledger: every report with a went-missing rate for ``groups``.

    Parameters
    ----------
    ledger
        A loaded ledger (figures, reports, versions).
    groups
        The two groups whose gap the model follows (trafficked first).
    version_weights
        report id -> {version: prior weight}; reports not named weigh their versions equally.
    deff
        Design effect of each row: keys (report id, group) or report id; rows not named get 1 (binomial).
    silent_share
        report id -> share of councils that did not answer; reports not named get
        :data:`ASSUMED_SILENT_SHARE`.
    """
    groups = tuple(groups)
    if len(groups) != 2:
        raise ParameterError(f"the series model follows the gap between two groups; got {list(groups)}")
    base = report_series(ledger.figures, dict(default_versions(ledger)), list(groups))
    report_ids = list(dict.fromkeys(base.sort_values("year")["report_id"]))
    alts = _alternatives(ledger, report_ids, version_weights)
    width = max(len(a) for a in alts.values())
    # a report with fewer versions repeats its last one at weight 0 (log weight -inf is avoided: -700)
    padded = {r: a + [(a[-1][0], 0.0)] * (width - len(a)) for r, a in alts.items()}
    frames = []
    for k in range(width):
        chosen = {r: padded[r][k][0] for r in report_ids if padded[r][k][0] != "single"}
        frames.append(report_series(ledger.figures, chosen, list(groups)).set_index(["report_id", "group", "year"]))
    index = frames[0].index
    for frame in frames[1:]:
        if not frame.index.equals(index):
            raise ParameterError(
                "the versions of a report cover different groups or years; the model needs the same rows"
            )
    rows = index.to_frame(index=False)
    rows["round_row"] = _round_rows(rows, ledger.reports)
    deff = deff or {}
    rows["deff"] = [float(deff.get((r, g), deff.get(r, 1.0))) for r, g in zip(rows["report_id"], rows["group"])]
    if not np.isfinite(rows["deff"]).all() or (rows["deff"] < 1).any():
        raise ParameterError(f"design effects must be finite numbers of at least 1; got {deff!r}")
    share = silent_share or {}
    rows["silent_share"] = [float(share.get(r, ASSUMED_SILENT_SHARE)) for r in rows["report_id"]]
    if ((rows["silent_share"] < 0) | (rows["silent_share"] >= 1)).any():
        raise ParameterError(f"silent shares must lie in 0..1 (1 excluded); got {share!r}")
    weights = np.array([[w for _, w in padded[r]] for r in report_ids])
    return SeriesData(
        rows=rows,
        missing=np.stack([f["missing"].to_numpy(float) for f in frames]),
        in_care=np.stack([f["in_care"].to_numpy(float) for f in frames]),
        report_index=rows["report_id"].map({r: i for i, r in enumerate(report_ids)}).to_numpy(),
        reports=tuple(report_ids),
        log_weights=np.log(np.maximum(weights, 1e-300)),
        alternatives=tuple(tuple(v for v, _ in padded[r]) for r in report_ids),
        groups=groups,
    )


def silent_shares(figures: pd.DataFrame) -> dict[str, float]:
    """Share of councils silent per report where the ledger gives councils asked and councils answering.

    The largest count of councils answering any question is compared with the councils asked; reports
    lacking either count are left out (the model then assumes :data:`ASSUMED_SILENT_SHARE`).
    """
    rows = figures[figures["measure"].isin(["councils_asked", "councils_answering"]) & figures["value"].notna()]
    out = {}
    for report_id, part in rows.groupby("report_id", sort=False):
        asked = part.loc[part["measure"] == "councils_asked", "value"]
        answered = part.loc[part["measure"] == "councils_answering", "value"]
        if len(asked) and len(answered):
            out[report_id] = float(1 - answered.max() / asked.max())
    return out


def implied_row_deffs(ledger, groups=tuple(SERIES_GROUPS)) -> dict[tuple[str, str], float]:
    """The DfE-implied design effect (:func:`helpers.stats.clustering.implied_design_effects`) per report and group.

    Taken from each report's default version. A report that publishes no council count (When Harm
    Remains) gets the largest design effect of its group among the others: its councils are unknown, so
    the prior errs towards more extra-binomial variance, not less.
    """
    from helpers.stats.clustering import implied_design_effects
    from helpers.stats.rates import headline_table

    head = headline_table(ledger.figures)
    defaults = dict(default_versions(ledger))
    head = head[(head["measure"] == "went_missing") & head["group"].isin(groups)]
    head = head[head["version"] == head["report_id"].map(lambda r: defaults.get(r, "single"))]
    implied = implied_design_effects(head, ledger.figures, ledger.council_years)["deff"]
    table = head.assign(deff=implied).groupby(["report_id", "group"])["deff"].max()
    fill = table.groupby(level="group").max()
    return {(r, g): float(d if np.isfinite(d) else fill[g]) for (r, g), d in table.items()}


def default_series_data(ledger, groups=tuple(SERIES_GROUPS)) -> SeriesData:
    """The series model's data as the notebook, ``mfc series`` and the benchmark use it by default.

    Equal weights for the versions, the DfE-implied design effects (:func:`implied_row_deffs`) and the
    silent shares the ledger gives (:func:`silent_shares`; others assumed).
    """
    return series_data(
        ledger, groups, deff=implied_row_deffs(ledger, groups), silent_share=silent_shares(ledger.figures)
    )
