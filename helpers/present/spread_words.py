"""How much the synthetic councils differ, in words: their logit spread and the design effect it implies.

The numbers come from :func:`helpers.stats.clustering.design_effects_at_spreads` and
:func:`helpers.nonresponse.simulation.simulate`; this module only says them. The synthetic councils of the
non-response notebooks spread as DfE's councils do (DfE's measured spread on the logit scale); the spread
they had before, about 1.5 times as large, is kept as a sensitivity and printed beside it.
"""

from __future__ import annotations

import pandas as pd

from helpers.ledger.vocabulary import GROUP_LABELS, period_words, version_label
from helpers.nonresponse.estimators import ESTIMATOR_LABELS

KEY = ["report_id", "version", "group", "period"]


def _rows(table: pd.DataFrame) -> pd.DataFrame:
    return table.drop_duplicates(KEY)[KEY + ["mean_size"]].reset_index(drop=True)


def _children(row) -> str:
    text = f"{GROUP_LABELS.get(row.group, row.group)}, {period_words(row.period)}"
    return text if row.version == "single" else f"{text}, {version_label(row.version)}"


def spread_table(table: pd.DataFrame) -> pd.DataFrame:
    """One row per report row, one column of design effects per spread ("design effect at σ = 0.30 (...)")."""
    out = _rows(table)
    shown = pd.DataFrame(
        {
            "children": [_children(r) for r in out.itertuples()],
            # "3" rather than "3.0": a whole number of children reads as one
            "children per council": [f"{m:,.1f}".removesuffix(".0") for m in out["mean_size"]],
        }
    )
    for name, part in table.groupby("spread", sort=False):
        merged = out.merge(part, on=KEY, how="left")
        shown[f"design effect at σ = {part['logit_sd'].iloc[0]:.2f} ({name})"] = merged["deff"].map("{:.2f}".format)
    return shown


def spread_sentence(table: pd.DataFrame, spreads: dict, year: int) -> str:
    """The synthetic councils' spread (first of ``spreads``) against the old one (second), with their d.

    ``spreads`` maps a name to a sigma, as given to
    :func:`helpers.stats.clustering.design_effects_at_spreads`; ``table`` is its result (it may be empty
    when the report publishes no council count, and the sentence then gives the spreads alone).
    """
    (measured, now), (old, then) = list(spreads.items())[:2]
    text = (
        f"The synthetic councils spread as DfE's councils did in the year to March {year}: a standard deviation "
        f"of {now:.2f} on the logit scale ({measured}, fitted to DfE's council counts of all looked-after "
        f"children, so small councils' binomial noise is not counted as spread). Before, they spread by "
        f"{then:.2f} ({old}: DfE's observed rates, binomial noise included, plus fresh noise of the same size)."
    )
    if len(table):
        out = _rows(table)
        d = {name: out.merge(part, on=KEY, how="left")["deff"] for name, part in table.groupby("spread", sort=False)}
        pairs = "; ".join(
            f"{_children(r)}: {d[measured].iloc[i]:.2f}, against {d[old].iloc[i]:.2f} with the old spread"
            for i, r in enumerate(out.itertuples())
        )
        text += (
            f" At the published rates and council sizes the design effect these councils imply is: {pairs}. "
            "The old spread assumed councils differ far more than DfE's data show; it is kept as a sensitivity."
        )
    return text


def spread_sensitivity_table(measured: pd.DataFrame, old: pd.DataFrame) -> pd.DataFrame:
    """Bias and coverage of each estimator in each scenario at the two spreads (SYNTHETIC councils).

    ``measured`` and ``old`` are :func:`helpers.nonresponse.simulation.simulate` tables run with the same
    settings but DfE's measured spread and the old one (``attrs["logit_sd"]`` names each).
    """
    keep = ["scenario", "estimator", "bias", "bias_mcse", "coverage"]
    both = measured[keep].merge(old[keep], on=["scenario", "estimator"], suffixes=("_now", "_old"))
    s_now, s_old = measured.attrs["logit_sd"], old.attrs["logit_sd"]
    return pd.DataFrame(
        {
            "scenario": both["scenario"] + " (synthetic councils)",
            "estimator": [ESTIMATOR_LABELS.get(e, e.replace("_", " ")) for e in both["estimator"]],
            f"bias at σ = {s_now:.2f}, points (MCSE)": [
                f"{100 * b:+.2f} ({100 * m:.2f})" for b, m in zip(both["bias_now"], both["bias_mcse_now"])
            ],
            f"bias at σ = {s_old:.2f}, points (MCSE)": [
                f"{100 * b:+.2f} ({100 * m:.2f})" for b, m in zip(both["bias_old"], both["bias_mcse_old"])
            ],
            f"coverage at σ = {s_now:.2f}": both["coverage_now"].map("{:.1%}".format),
            f"coverage at σ = {s_old:.2f}": both["coverage_old"].map("{:.1%}".format),
        }
    )
