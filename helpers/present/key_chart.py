"""The key chart: every report's rebuilt went-missing rates, with the companion study in a panel of its own.

The four reports of the series count trafficked and unaccompanied children; the March 2022 companion study
counts another population (exploited looked-after children), so it is drawn beside the series, not among
it. Each x position is one report, one period and one version, so two years of one report (When Harm
Remains gives 2018 and 2020) never share a spot.
"""

from __future__ import annotations

from textwrap import fill

import matplotlib.pyplot as plt
import pandas as pd

from helpers.ledger.versions import short_version_labels
from helpers.ledger.vocabulary import GROUP_LABELS, version_label
from helpers.present.plots import palette_for, rate_chart

#: Groups of the companion study: another population, kept out of the series panel.
COMPANION_GROUPS = ("exploited",)


def key_chart_table(rates: pd.DataFrame, titles: dict[str, str]) -> pd.DataFrame:
    """The chart's rows: ``rates`` (went-missing rows of ``headline_table``) with an x label per report,
    period and version, the group in words, and ``panel`` ("series" or "companion")."""
    data = rates[rates["group"].isin(GROUP_LABELS)].copy()
    periods = data.groupby("report_id")["period"].nunique()
    labels = []
    for row in data.itertuples():
        label = fill(titles.get(row.report_id, row.report_id), 12)
        if periods[row.report_id] > 1:
            label += f"\n{row.period}"
        if row.version != "single":
            # the short label (data/versions.csv), so that an x label fits its position
            label += "\n" + fill(short_version_labels().get(row.version, version_label(row.version)), 12)
        labels.append(label)
    data["position"] = labels
    data["panel"] = ["companion" if g in COMPANION_GROUPS else "series" for g in data["group"]]
    data["group"] = data["group"].map(GROUP_LABELS)
    return data


def key_chart(rates: pd.DataFrame, titles: dict[str, str]):
    """The key chart as a figure of two panels (series, companion study); returns the figure."""
    data = key_chart_table(rates, titles)
    series, companion = data[data["panel"] == "series"], data[data["panel"] == "companion"]
    # reports in series order, then periods in calendar order, then versions as the ledger lists them
    rank = {r: i for i, r in enumerate(titles)}
    ranked = series.assign(_rank=series["report_id"].map(rank), _row=range(len(series)))
    order = list(dict.fromkeys(ranked.sort_values(["_rank", "period", "_row"])["position"]))
    widths = [max(len(order), 1), 1] if len(companion) else [1]
    fig, axes = plt.subplots(
        1, len(widths), figsize=(8.0, 5.6), gridspec_kw={"width_ratios": widths}, sharey=True, squeeze=False
    )
    hue_order = [GROUP_LABELS[g] for g in GROUP_LABELS if GROUP_LABELS[g] in set(series["group"])]
    colours = palette_for(list(GROUP_LABELS.values()))  # one colour per group in both panels
    rate_chart(
        series,
        x="position",
        hue="group",
        published="published_pct",
        x_order=order,
        hue_order=hue_order,
        palette=colours,
        title="The series",
        ax=axes[0][0],
        xlabel="report (with its period or version where it has several)",
        legend_title="group of children",
    )
    axes[0][0].get_legend().remove()
    if len(companion):
        ax = axes[0][1]
        rate_chart(
            companion,
            x="position",
            hue="group",
            published="published_pct",
            ax=ax,
            palette=colours,
            title="Companion\nstudy (another\npopulation)",
            xlabel="",
            legend_title="group of children",
        )
        ax.set_xlabel("study")
        ax.get_legend().remove()
    handles, labels = [], []
    for ax in fig.axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    handles.append(plt.Line2D([], [], marker="D", ls="", mfc="none", mec="grey"))
    labels.append("published %")
    fig.legend(handles, labels, title="group of children", loc="lower center", ncol=3, frameon=False)
    for ax in fig.axes:
        ax.tick_params(axis="x", labelsize=8)
        top = max(data["ci_high"].max(), (data["published_pct"] / 100).max()) * 1.08
        ax.set_ylim(0, top)
    fig.suptitle(
        "Share recorded by their council as missing, rebuilt from the published counts\n(points with 95% CI, sampling only)"
    )
    fig.tight_layout(rect=(0, 0.14, 1, 1))
    return fig
