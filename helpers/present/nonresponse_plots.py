"""Charts of the non-response notebooks, each drawn from a table the notebook also shows."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from helpers.nonresponse.estimators import ESTIMATOR_LABELS
from helpers.present.plots import ordered

PERCENT = plt.FuncFormatter(lambda v, _: f"{v:.0%}")


def _wrap(label: str) -> str:
    return "\n".join(textwrap.wrap(label, 14))


def estimator_chart(table: pd.DataFrame, group: str, *, published_pct: float | None = None, title: str = "", ax=None):
    """Every estimator (x) under every scenario (colour) for one group, with intervals.

    The item non-response bounds, when the table has them, are a grey band; the respondents-only rate of
    the published counts is a dashed line; the published percentage (0-100), if given, a dotted line.
    """
    part = table[
        (table["group"] == group)
        & table["scenario"].str.endswith("(synthetic councils)")
        & (table["interval"] != "bounds")
    ].copy()
    methods = [m for m in ESTIMATOR_LABELS if m in set(part["method"])]
    part["method"] = ordered(part["method"], methods)
    part["scenario"] = ordered(part["scenario"])
    scenarios = list(part["scenario"].cat.categories)
    palette = dict(zip(scenarios, sns.color_palette("colorblind", len(scenarios))))
    ax = ax or plt.subplots(figsize=(10, 4.6))[1]
    offsets = np.linspace(-0.3, 0.3, len(scenarios)) if len(scenarios) > 1 else [0.0]
    for scen, off in zip(scenarios, offsets):
        rows = part[part["scenario"] == scen]
        x = rows["method"].cat.codes.to_numpy() + off
        ax.errorbar(
            x,
            rows["estimate"],
            yerr=[rows["estimate"] - rows["low"], rows["high"] - rows["estimate"]],
            fmt="o",
            capsize=3,
            color=palette[scen],
            label=scen,
        )
    bounds = table[(table["group"] == group) & (table["method"] == "bounds")]
    if len(bounds):
        ax.axhspan(
            bounds["low"].iloc[0], bounds["high"].iloc[0], color="grey", alpha=0.15, label="item non-response bounds"
        )
    resp = table[
        (table["group"] == group) & (table["method"] == "respondents_only") & (table["scenario"] == "published counts")
    ].sort_values("estimate", ascending=False)
    if len(resp):
        ax.axhline(
            resp["estimate"].iloc[0],
            color="black",
            ls="--",
            lw=1,
            label=f"respondents only ({resp['version'].iloc[0]})",
        )
    if published_pct is not None and not pd.isna(published_pct):
        ax.axhline(published_pct / 100, color="black", ls=":", lw=1.2, label="published %")
    ax.set_xticks(range(len(methods)), [_wrap(ESTIMATOR_LABELS[m]) for m in methods])
    ax.yaxis.set_major_formatter(PERCENT)
    ax.set_ylabel("share who went missing, all councils")
    ax.set_xlabel("estimator")
    ax.set_title(title)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    ax.figure.tight_layout()
    return ax


def tipping_chart(tipping: pd.DataFrame, *, silent_share: float | None = None, title: str = "", ax=None):
    """Needed rate in the silent councils (y) against their share of the children (x), one line per conclusion.

    Below its line a conclusion no longer holds; where the line is absent no rate could overturn it. The
    observed (respondents-only) rate is a dashed line, each comparator a dotted line in its colour, and the
    share of councils that did not answer a vertical line. Assumes every conclusion shares one observed rate.
    """
    ax = ax or plt.subplots(figsize=(9, 6.2))[1]
    conclusions = list(dict.fromkeys(tipping["conclusion"]))
    palette = dict(zip(conclusions, sns.color_palette("colorblind", len(conclusions))))
    for name in conclusions:
        rows = tipping[tipping["conclusion"] == name]
        # Where the needed rate is below 0, no rate in the silent councils could overturn the conclusion.
        ax.plot(
            rows["share"],
            rows["needed_rate"].where(rows["can_overturn"]),
            color=palette[name],
            lw=2,
            marker=".",
            label=f"{name}: overturned if the silent rate is below this line",
        )
        ax.axhline(
            rows["comparator"].iloc[0],
            color=palette[name],
            ls=":",
            lw=1,
            label=f"published comparator: {rows['comparator_label'].iloc[0]} ({rows['comparator'].iloc[0]:.1%})",
        )
    observed = tipping["observed"].iloc[0]
    ax.axhline(observed, color="black", ls="--", lw=1, label=f"published (respondents-only) rate ({observed:.1%})")
    if silent_share is not None:
        ax.axvline(silent_share, color="grey", ls="-.", lw=1.2, label=f"share of councils silent ({silent_share:.0%})")
    ax.set_xlim(0, tipping["share"].max())
    ax.set_ylim(0, 1)
    ax.xaxis.set_major_formatter(PERCENT)
    ax.yaxis.set_major_formatter(PERCENT)
    ax.set_xlabel("silent councils' share of all the children (unknown)")
    ax.set_ylabel("rate in the silent councils that\nwould overturn the conclusion")
    ax.set_title(title)
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=1, fontsize=9)
    ax.figure.tight_layout()
    return ax


def simulation_chart(results: pd.DataFrame, *, alpha: float = 0.05, title: str = "SYNTHETIC councils"):
    """Bias and interval coverage of each estimator (x) under each mechanism (colour): two panels."""
    data = results.copy()
    data["estimator"] = ordered(data["estimator"], [m for m in ESTIMATOR_LABELS if m in set(data["estimator"])])
    data["mechanism"] = ordered(data["mechanism"])
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.4))
    for ax, col, label in ((axes[0], "bias", "bias (estimate - truth)"), (axes[1], "coverage", "interval coverage")):
        sns.barplot(data=data, x="estimator", y=col, hue="mechanism", ax=ax, palette="colorblind")
        ax.set_xlabel("estimator")
        ax.set_ylabel(label)
        ax.set_xticks(
            range(len(data["estimator"].cat.categories)),
            [_wrap(ESTIMATOR_LABELS[m]) for m in data["estimator"].cat.categories],
            fontsize=8,
        )
    axes[0].yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:+.1%}"))
    axes[1].axhline(1 - alpha, color="black", ls="--", lw=1, label=f"nominal {1 - alpha:.0%}")
    axes[1].yaxis.set_major_formatter(PERCENT)
    axes[0].get_legend().remove()
    axes[1].legend(frameon=False, loc="upper left", bbox_to_anchor=(1, 1), title="mechanism")
    fig.suptitle(title)
    fig.tight_layout()
    return fig
