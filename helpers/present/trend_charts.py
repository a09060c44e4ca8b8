"""Charts of trend estimates: one point and interval per group at each of a few categories.

The trends notebooks draw the same chart for two questions (which report is left out, which published
versions are used), so it is drawn here once.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from helpers.ledger.vocabulary import GROUP_LABELS
from helpers.present.plots import plain_log_axis
from helpers.stats.series import SERIES_GROUPS


def group_palette() -> dict[str, tuple]:
    """Group id -> colour (the colour-blind palette, in the order of the series' groups)."""
    return dict(zip(SERIES_GROUPS, sns.color_palette("colorblind", len(SERIES_GROUPS))))


def grouped_ratio_chart(
    table: pd.DataFrame,
    category: str,
    *,
    estimate: str = "estimate",
    low: str = "ci_low",
    high: str = "ci_high",
    categories: list | None = None,
    tick_labels: list[str] | None = None,
    references: dict[str, float] | None = None,
    log_scale: bool = False,
    tick_size: float | None = None,
    figsize: tuple[float, float] = (8, 4.4),
    xlabel: str = "",
    ylabel: str = "odds ratio per year",
    title: str = "",
):
    """Each group's ratio with its interval at each category, side by side, and a dashed line at 1.

    Parameters
    ----------
    table : DataFrame
        One row per group and category, with columns ``group``, ``category``, ``estimate``, ``low``, ``high``.
    categories : list, optional
        The categories in the order of the x axis (default: their order in ``table``).
    tick_labels : list of str, optional
        What each category reads as under the axis (default: the category as text).
    references : dict, optional
        Group -> a value drawn as a dotted line in the group's colour (e.g. the estimate from every report).
    log_scale : bool
        A log y axis with plain tick labels (0.5, 1, 2).

    Returns
    -------
    matplotlib Axes, with its legend titled "children", laid out; the caller checks it with
    :func:`helpers.present.plots.assert_readable`.
    """
    categories = list(dict.fromkeys(table[category])) if categories is None else list(categories)
    palette = group_palette()
    fig, ax = plt.subplots(figsize=figsize)
    for i, (group, part) in enumerate(table.groupby("group", sort=False)):
        pos = [categories.index(c) + (i - 0.5) * 0.25 for c in part[category]]
        ax.errorbar(
            pos,
            part[estimate],
            yerr=[part[estimate] - part[low], part[high] - part[estimate]],
            fmt="o",
            capsize=3,
            color=palette[group],
            label=GROUP_LABELS.get(group, group),
        )
        if references is not None and group in references:
            ax.axhline(references[group], color=palette[group], lw=0.8, ls=":")
    ax.axhline(1, color="grey", lw=0.8, ls="--")
    ax.set_xticks(range(len(categories)), tick_labels or [str(c) for c in categories])
    if tick_size is not None:
        ax.tick_params(axis="x", labelsize=tick_size)
    if log_scale:
        ax.set_yscale("log")
        plain_log_axis(ax.yaxis)  # 0.5, 1, 2 rather than 5×10⁻¹, 10⁰, 2×10⁰
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1, 1), title="children")
    fig.tight_layout()
    return ax


def combination_labels(table: pd.DataFrame, titles: dict[str, str], width: int = 18) -> list[str]:
    """Each row's combination of versions in words, one wrapped line per report (chart ticks).

    ``titles`` maps each report with versions to its title, in the order its lines should read; the
    row's version of report r is in the column :func:`helpers.ledger.versions.version_column` names.
    """
    from textwrap import fill

    from helpers.ledger.versions import version_column
    from helpers.ledger.vocabulary import version_label

    return [
        "\n".join(fill(f"{title}: {version_label(row[version_column(r)])}", width) for r, title in titles.items())
        for _, row in table.iterrows()
    ]
