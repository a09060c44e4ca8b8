"""Charts of the non-response notebooks, each drawn from a table the notebook also shows."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from helpers.ledger.vocabulary import version_label
from helpers.nonresponse.estimators import ESTIMATOR_LABELS
from helpers.present.plots import ordered

PERCENT = plt.FuncFormatter(lambda v, _: f"{v:.0%}")


def _wrap(label: str) -> str:
    return "\n".join(textwrap.wrap(label, 14))


def estimator_chart(table: pd.DataFrame, group: str, *, published_pct: float | None = None, title: str = "", ax=None):
    """Every estimator (x) under every scenario (colour) for one group: median and range across seeds.

    The item non-response bounds, when the table has them, are a grey bar left of the estimators; the respondents-only rate of
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
    colours = sns.color_palette("colorblind", len(scenarios) + 1)
    palette = dict(zip(scenarios, colours))
    ax = ax or plt.subplots(figsize=(8, 5.5))[1]
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
            label=f"{scen}: median, range across seeds",
        )
    bounds = table[(table["group"] == group) & (table["method"] == "bounds")]
    if len(bounds):
        # a column of its own left of the estimators, not a band across the panel that hides where they sit
        ax.bar(
            -1,
            bounds["high"].iloc[0] - bounds["low"].iloc[0],
            bottom=bounds["low"].iloc[0],
            width=0.5,
            color="grey",
            alpha=0.35,
            label="item non-response bounds (no assumption)",
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
            label=f"respondents only ({version_label(resp['version'].iloc[0])})",
        )
    if published_pct is not None and not pd.isna(published_pct):
        # wide, under the thin dashed line, so it stays visible where the two coincide; in the one colour
        # of the palette no scenario uses, so it never reads as one of them
        ax.axhline(published_pct / 100, color=colours[-1], ls=":", lw=3, zorder=1, label="published %")
    ticks = ([-1] if len(bounds) else []) + list(range(len(methods)))
    names = (["bounds (no assumption)"] if len(bounds) else []) + [ESTIMATOR_LABELS[m] for m in methods]
    ax.set_xticks(ticks, [_wrap(n) for n in names])
    # decimals follow the range shown, so two ticks never read the same (12.5% is not "12%" twice)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{round(100 * v, 2):g}%"))
    ax.set_ylabel("share recorded by their council\nas missing, all councils")
    ax.set_xlabel("estimator (bounds: no assumption)" if len(bounds) else "estimator")
    ax.set_title(textwrap.fill(title, 70))  # a long title wraps rather than running off the figure
    # below the axes: the scenario names are long, and a legend beside them would squeeze the panel
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=1, title="scenario or reference")
    ax.figure.tight_layout()
    return ax


def tipping_chart(two_sided: pd.DataFrame, *, title: str = "", ax=None, steps: int = 90):
    """How far apart the silent councils' two rates must be to overturn each conclusion, by their share.

    x: the silent councils' share of the children (unknown; the same for both rates compared). y: the gap
    (points) by which the silent councils' comparator rate must exceed their rate for the observed side:
    solid with the item non-response bounds, dashed without. A gap above 100 points is impossible, so each
    line starts at its no-assumption threshold. Conclusions whose comparator is a census (DfE) are left
    out (one rate moves, not two). The share of councils that did not answer, which stands in for the
    unknown share of children, is a vertical line labelled so.
    """
    from helpers.nonresponse.two_sided import gap_needed, two_sided_threshold

    ax = ax or plt.subplots(figsize=(8, 6.2))[1]
    rows = two_sided[two_sided["comparator_moves"].astype(bool)]
    palette = dict(zip(rows["conclusion"], sns.color_palette("colorblind", max(len(rows), 1))))
    shares = np.linspace(0.01, 0.6, steps)
    for c in rows.itertuples(index=False):
        lines = [(c.observed, c.comparator, "--", "answering children only")]
        if (c.observed_low, c.comparator_high) != (c.observed, c.comparator):
            lines.insert(0, (c.observed_low, c.comparator_high, "-", "with item non-response bounds"))
        else:
            lines = [(c.observed, c.comparator, "-", "no item non-response bounds in the ledger")]
        for a, b, style, what in lines:
            # The curve starts exactly at its threshold (gap of 100 points), then follows the grid.
            start = two_sided_threshold(a, b)
            xs = np.union1d(shares[shares > start], [start]) if start > 0 else shares
            gap = 100 * gap_needed(a, b, xs)
            ax.plot(
                xs,
                np.where(gap <= 100 + 1e-9, gap, np.nan),
                ls=style,
                lw=2,
                color=palette[c.conclusion],
                label=f"{c.conclusion}, {what} (threshold {two_sided_threshold_text(a, b)})",
            )
    ax.axhline(100, color="black", lw=1, ls=":", label="largest possible gap: 100 points (rates of 0% and 100%)")
    silent = rows["silent_share"].dropna()
    if len(silent):
        ax.axvline(
            silent.iloc[0],
            color="grey",
            ls="-.",
            lw=1.2,
            label=f"share of councils silent ({silent.iloc[0]:.0%}), standing in for the unknown share of children",
        )
    ax.set_xlim(0, shares.max())
    ax.set_ylim(0, 105)
    ax.xaxis.set_major_formatter(PERCENT)
    ax.set_xlabel("silent councils' share of the children of each group (unknown)")
    ax.set_ylabel("gap between the silent councils' two rates\nthat would overturn the conclusion (points)")
    ax.set_title(textwrap.fill(title, 70))  # a long title wraps rather than running off the figure
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=1, fontsize=9, title="conclusion")
    ax.figure.tight_layout()
    return ax


def two_sided_threshold_text(a: float, b: float) -> str:
    """The no-assumption threshold of 'a above b' as a share of children, e.g. '14.2% of the children'."""
    from helpers.nonresponse.two_sided import two_sided_threshold

    return f"{two_sided_threshold(a, b):.1%} of the children"


def tipping_contour(
    a: float,
    b: float,
    share_a: float,
    share_b: float,
    *,
    labels: tuple[str, str] = ("trafficked", "unaccompanied"),
    worst: tuple[float, float] | None = None,
    title: str = "",
    ax=None,
):
    """The conclusion 'a above b' over the silent councils' two rates, at their observed shares.

    Colour: the difference between the two rates in every council (points). The solid black line is where
    the difference is zero with the answering children's rates; the dashed line, with the item
    non-response bounds ``worst`` = (lowest a, highest b). Below and right of a line the conclusion holds.
    """
    from helpers.nonresponse.two_sided import tipping_surface

    ax = ax or plt.subplots(figsize=(7.5, 6.2))[1]
    surf = tipping_surface(a, b, share_a, share_b)
    grid = surf.pivot(index="silent_b", columns="silent_a", values="difference")
    x, y, z = grid.columns.to_numpy(), grid.index.to_numpy(), 100 * grid.to_numpy()
    limit = 5 * np.ceil(np.abs(z).max() / 5)  # whole multiples of 5 points on the colour bar
    filled = ax.contourf(x, y, z, levels=np.arange(-limit, limit + 5, 5), cmap="RdBu", alpha=0.85)
    ax.figure.colorbar(filled, ax=ax, label=f"{labels[0]} minus {labels[1]} rate, all councils (points)")
    ax.contour(x, y, z, levels=[0], colors="black", linewidths=2)
    handles = [plt.Line2D([], [], color="black", lw=2, label="no difference (answering children's rates)")]
    if worst is not None:
        zw = (
            100
            * tipping_surface(worst[0], worst[1], share_a, share_b)
            .pivot(index="silent_b", columns="silent_a", values="difference")
            .to_numpy()
        )
        ax.contour(x, y, zw, levels=[0], colors="black", linewidths=2, linestyles="--")
        handles.append(
            plt.Line2D([], [], color="black", lw=2, ls="--", label="no difference (item non-response bounds)")
        )
    ax.xaxis.set_major_formatter(PERCENT)
    ax.yaxis.set_major_formatter(PERCENT)
    ax.set_xlabel(f"silent councils' {labels[0]} rate ({share_a:.0%} of councils silent)")
    ax.set_ylabel(f"silent councils' {labels[1]} rate ({share_b:.0%} of councils silent)")
    ax.set_title(textwrap.fill(title, 70))  # a long title wraps rather than running off the figure
    ax.legend(handles=handles, frameon=True, loc="lower right", title=f"above a line: {labels[0]} not above")
    ax.figure.tight_layout()
    return ax


def simulation_chart(results: pd.DataFrame, *, alpha: float = 0.05, title: str = "SYNTHETIC councils"):
    """Bias (points) and interval coverage of each estimator (x) in each scenario (colour), two panels, with
    whiskers of two Monte Carlo standard errors."""
    data = results.copy()
    estimators = [m for m in ESTIMATOR_LABELS if m in set(data["estimator"])]
    scenarios = list(dict.fromkeys(data["scenario"]))
    colours = sns.color_palette("colorblind", len(scenarios) + 1)
    palette = dict(zip(scenarios, colours))
    # one panel above the other, as wide as the page shows a chart, so no text shrinks below 8 pt
    fig, axes = plt.subplots(2, 1, figsize=(8, 9))
    width = 0.8 / len(scenarios)
    for ax, col, scale, label in (
        (axes[0], "bias", 100, "bias, estimate minus truth (points)"),
        (axes[1], "coverage", 1, "interval coverage"),
    ):
        for i, scen in enumerate(scenarios):
            rows = data[data["scenario"] == scen].set_index("estimator").reindex(estimators)
            x = np.arange(len(estimators)) - 0.4 + width * (i + 0.5)
            ax.bar(x, scale * rows[col], width=width, color=palette[scen], label=scen)
            ax.errorbar(x, scale * rows[col], yerr=2 * scale * rows[f"{col}_mcse"], fmt="none", ecolor="black", lw=1)
        ax.set_xticks(range(len(estimators)), [_wrap(ESTIMATOR_LABELS[m]) for m in estimators], fontsize=8)
        ax.set_xlabel("estimator")
        ax.set_ylabel(label)
    axes[0].axhline(0, color="black", lw=0.8)
    axes[1].axhline(1 - alpha, color="black", ls="--", lw=1)
    axes[1].yaxis.set_major_formatter(PERCENT)
    # the top leaves room for every whisker: none may run past the axis
    top = float((data["coverage"] + 2 * data["coverage_mcse"]).max())
    axes[1].set_ylim(0, max(1.02, top + 0.02))
    axes[0].yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:+.1f}" if v else "0"))
    axes[1].legend(
        frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=2, title="scenario (dashed: nominal)"
    )
    fig.suptitle(textwrap.fill(title, 70))
    fig.tight_layout()
    return fig
