"""Charts drawn from tables the notebooks also show.

Each function takes a tidy table and returns the matplotlib Axes, so a notebook can show the table,
assert on it, and draw it, in that order. Hue columns are made categorical with an explicit order:
seaborn 0.13 with pandas 3 string columns can otherwise colour groups in an unexpected order.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns


def ordered(series: pd.Series, order: list | None = None) -> pd.Series:
    """The series as an ordered categorical (first-seen order unless ``order`` is given)."""
    order = list(order) if order is not None else list(dict.fromkeys(series.dropna()))
    return pd.Categorical(series, categories=order, ordered=True)


def rate_chart(table: pd.DataFrame, x: str, hue: str, *, rate: str = "rate", low: str = "ci_low",
               high: str = "ci_high", x_order: list | None = None, hue_order: list | None = None,
               published: str | None = None, title: str = "", ax=None):
    """Rates (fractions) with their intervals as points and whiskers, one colour per ``hue`` level.

    If ``published`` names a column of published percentages (0-100), they are drawn as open diamonds
    so a reader sees at once where a published figure sits outside the rebuilt interval.
    """
    data = table.copy()
    data[x] = ordered(data[x].astype(str), x_order)
    data[hue] = ordered(data[hue].astype(str), hue_order)
    levels = list(data[hue].cat.categories)
    xs = list(data[x].cat.categories)
    palette = dict(zip(levels, sns.color_palette("colorblind", len(levels))))
    width = 0.7
    offsets = np.linspace(-width / 2, width / 2, len(levels) + 2)[1:-1] if len(levels) > 1 else [0.0]
    # Leave room for every x label and the legend to its right, however many categories there are.
    ax = ax or plt.subplots(figsize=(max(8.0, 1.05 * len(xs) + 3.5), 4.4))[1]
    for level, offset in zip(levels, offsets):
        part = data[data[hue] == level]
        pos = part[x].cat.codes.to_numpy() + offset
        ax.errorbar(pos, part[rate], yerr=[part[rate] - part[low], part[high] - part[rate]], fmt="o",
                    color=palette[level], capsize=3, label=str(level))
        if published and part[published].notna().any():
            ax.scatter(pos, part[published] / 100, marker="D", facecolors="none", edgecolors=palette[level], s=45)
    ax.set_xticks(range(len(xs)), xs)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_ylim(bottom=0)
    ax.set_ylabel("share who went missing")
    ax.set_xlabel("")
    ax.set_title(title)
    handles, labels = ax.get_legend_handles_labels()
    if published:
        handles.append(plt.Line2D([], [], marker="D", ls="", mfc="none", mec="grey"))
        labels.append("published %")
    ax.legend(handles, labels, frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    ax.figure.tight_layout()
    return ax
