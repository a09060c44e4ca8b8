"""Charts drawn from tables the notebooks also show.

Each function takes a tidy table and returns the matplotlib Axes, so a notebook can show the table,
assert on it, and draw it, in that order. Hue columns are made categorical with an explicit order:
seaborn 0.13 with pandas 3 string columns can otherwise colour groups in an unexpected order.
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

#: The Okabe-Ito palette (Okabe and Ito, "Color Universal Design", 2008), safe for the common forms of
#: colour blindness. Every chart of the collection draws its colours from it, in this order; yellow and
#: black come last because yellow is faint on white and black is kept for reference lines.
OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]


def apply_theme() -> None:
    """The one chart theme: seaborn's white grid, the Okabe-Ito palette, readable font sizes.

    Called by ``helpers.run.notebook.setup()`` so every notebook draws alike.
    """
    import matplotlib

    sns.set_theme(style="whitegrid", context="notebook", palette=OKABE_ITO)
    matplotlib.rcParams.update(
        {
            "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO),
            "axes.titlesize": 11,
            "axes.labelsize": 10,
            "xtick.labelsize": 9,
            "ytick.labelsize": 9,
            "legend.fontsize": 9,
            "legend.title_fontsize": 9,
            "figure.dpi": 96,
        }
    )


def palette_for(levels: list) -> dict:
    """Level -> colour, in the Okabe-Ito order (cycling if there are more than eight levels)."""
    return {level: OKABE_ITO[i % len(OKABE_ITO)] for i, level in enumerate(levels)}


def year_positions(years) -> dict[int, int]:
    """Each distinct year -> its position on an axis: in calendar order, one position per year.

    Years may be ints, floats such as 2018.0, or strings such as "2018"; 2018 and 2020 never share a
    position and 2020 never comes before 2018.
    """
    clean = sorted({int(float(y)) for y in years if not pd.isna(y)})
    return {y: i for i, y in enumerate(clean)}


def year_line(ax, table: pd.DataFrame, x: str, y: str, *, label: str, color=None, all_years=None):
    """A line over years that breaks where a year has no value, instead of joining across the gap.

    ``all_years`` (default: every calendar year from the first to the last in ``table``) sets which
    years exist; a year of it with no value in ``table`` leaves a gap in the line. Returns the Line2D.
    """
    data = table[[x, y]].dropna().assign(**{x: lambda t: t[x].astype(float).astype(int)})
    years = list(all_years) if all_years is not None else list(range(data[x].min(), data[x].max() + 1))
    full = data.set_index(x)[y].reindex(years)
    (line,) = ax.plot(full.index, full.to_numpy(dtype=float), marker="o", label=label, color=color)
    ax.set_xticks(years, [str(v) for v in years])
    return line


def plain_log_axis(axis) -> None:
    """A log-scaled axis (``ax.yaxis`` or ``ax.xaxis``) labelled in plain numbers (0.5, 1, 2), never 2×10⁰.

    Ticks at 1, 2 and 5 times each power of ten, no minor tick labels: a ratio reads as a ratio.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter, NullLocator

    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_locator(NullLocator())
    axis.set_minor_formatter(NullFormatter())


def _overlaps(boxes) -> bool:
    boxes = [b for b in boxes if b.width > 0]
    return any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def readability_problems(ax) -> list[str]:
    """What makes a chart hard to read without the code, as sentences; empty when it reads well.

    Checked: both axes labelled; a legend with a title when more than one series is labelled (one legend
    may serve every panel of a figure); no two tick labels of an axis overlapping; and year tick labels
    in calendar order at distinct positions.
    """
    problems = []
    if not ax.get_xlabel().strip():
        problems.append("the x axis has no label")
    if not ax.get_ylabel().strip():
        problems.append("the y axis has no label")
    labelled = [h for h, lab in zip(*ax.get_legend_handles_labels()) if not lab.startswith("_")]
    # a legend drawn once for a figure of several panels (on the figure or on one panel) serves them all
    legend = (
        ax.get_legend()
        or next((lg for lg in ax.figure.legends), None)
        or next((a.get_legend() for a in ax.figure.axes if a.get_legend() is not None), None)
    )
    if len(labelled) > 1 or legend is not None:
        if legend is None:
            problems.append("several series are drawn but there is no legend")
        elif not legend.get_title().get_text().strip():
            problems.append("the legend has no title")
    renderer = ax.figure.canvas.get_renderer()
    for name, labels in (("x", ax.get_xticklabels()), ("y", ax.get_yticklabels())):
        shown = [t for t in labels if t.get_text().strip() and t.get_visible()]
        if _overlaps([t.get_window_extent(renderer) for t in shown]):
            problems.append(f"{name} tick labels overlap")
    ticks = [(t.get_position()[0], t.get_text()) for t in ax.get_xticklabels() if t.get_text().strip()]
    years = [(pos, int(text)) for pos, text in ticks if text.isdigit() and len(text) == 4]
    if years and len(years) == len(ticks):
        by_pos = [y for _, y in sorted(years)]
        if by_pos != sorted(by_pos):
            problems.append("years on the x axis are not in calendar order")
        if len({p for p, _ in years}) < len(years) or len(set(by_pos)) < len(by_pos):
            problems.append("two years share one position on the x axis")
    return problems


#: The widest a chart is shown on a page, in inches at the figure's dpi (the site's text column, about
#: 770 px at 96 dpi). A wider figure is scaled down to this, and its text with it.
PAGE_WIDTH_IN = 8.0
#: The smallest text a reader should have to read, in points at the displayed size.
MIN_TEXT_PT = 8.0
# Matplotlib's scientific tick labels: 2×10⁰ (mathtext \times, 10^{...}) or 1e-3.
_SCIENTIFIC = re.compile(r"\\times|10\^|\d[eE][+-]?\d")


def _texts(fig):
    """Every drawn, non-empty text artist of a figure (ticks, labels, titles, legends, annotations).

    Matplotlib keeps label objects for ticks beyond the axis limits without drawing them; those are left out.
    """
    from matplotlib.text import Text

    ticks, shown = set(), []
    for ax in fig.axes:
        for axis, (lo, hi) in ((ax.xaxis, sorted(ax.get_xlim())), (ax.yaxis, sorted(ax.get_ylim()))):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                for label in (tick.label1, tick.label2):
                    ticks.add(id(label))
                    if lo - 1e-9 <= tick.get_loc() <= hi + 1e-9 and label.get_visible():
                        shown.append(label)
    others = [t for t in fig.findobj(Text) if id(t) not in ticks and t.get_visible()]
    return [t for t in shown + others if t.get_text().strip()]


_SNAKE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")


def extended_problems(ax, page_width: float = PAGE_WIDTH_IN) -> list[str]:
    """The checks added for the site: no scientific notation on an axis, every error-bar cap inside the
    axes, legend entries as words (never an id that has a label, never snake_case), ticks, axis labels and
    titles without ids or ISO periods, no two legend entries alike (colour, marker and line), and no text smaller
    than ``MIN_TEXT_PT`` once the figure is scaled to ``page_width`` inches."""
    from helpers.present.tables import code_labels

    problems = []
    for name, labels in (("x", ax.get_xticklabels()), ("y", ax.get_yticklabels())):
        sci = [t.get_text() for t in labels if t.get_visible() and _SCIENTIFIC.search(t.get_text())]
        if sci:
            problems.append(f"{name} tick labels in scientific notation ({sci[0]})")
    low, high = sorted(ax.get_ylim())
    for container in ax.containers:
        caps = getattr(container, "lines", (None, (), ()))[1] if hasattr(container, "has_yerr") else ()
        for cap in caps or ():
            ys = [float(y) for y in cap.get_ydata()]
            if any(y > high + 1e-12 or y < low - 1e-12 for y in ys):
                problems.append(
                    f"an error-bar cap lies outside the axes ({min(ys):g} to {max(ys):g} on {low:g} to {high:g})"
                )
                break
    codes = {c for words in code_labels().values() for c, label in words.items() if c and c != label}
    legends = [lg for lg in [ax.get_legend(), *ax.figure.legends] if lg is not None]
    for legend in legends:
        for text in legend.get_texts():
            word = text.get_text().strip()
            if word in codes or re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", word):
                problems.append(f"the legend shows the id {word!r}, not its label")
    problems += _id_problems(ax) + _shared_colour_problems(ax)
    ax.figure.canvas.draw()  # lay every artist out before measuring where its text ends
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.figure.bbox
    for text in _texts(ax.figure):
        box = text.get_window_extent(renderer)
        if box.x0 < frame.x0 - 1 or box.x1 > frame.x1 + 1 or box.y0 < frame.y0 - 1 or box.y1 > frame.y1 + 1:
            problems.append(f"text {text.get_text()[:30]!r} runs past the edge of the figure")
            break
    width = ax.figure.get_figwidth()
    scale = min(1.0, page_width / width)
    small = [t for t in _texts(ax.figure) if t.get_fontsize() * scale < MIN_TEXT_PT - 1e-9]
    if small:
        t = small[0]
        problems.append(
            f"text {t.get_text()[:20]!r} is {t.get_fontsize() * scale:.1f} pt as displayed "
            f"(figure {width:.1f} in wide shown at {min(width, page_width):.1f} in; at least {MIN_TEXT_PT:g} pt)"
        )
    return problems


def _handle_colour(handle) -> str | None:
    """The colour a legend entry is drawn in, as hex, or None for grey, black, white or an unknown artist."""
    from matplotlib.colors import to_hex, to_rgba

    artist = handle.lines[0] if hasattr(handle, "lines") and handle.lines else handle  # an errorbar's points
    artist = artist.patches[0] if hasattr(artist, "patches") and artist.patches else artist  # a bar container
    colour = None
    if hasattr(artist, "get_color") and not hasattr(artist, "get_facecolor"):
        colour = artist.get_color()  # a line
    elif hasattr(artist, "get_facecolor"):
        faces = artist.get_facecolor()
        colour = faces if len(faces) == 4 and not hasattr(faces[0], "__len__") else (faces[0] if len(faces) else None)
        if colour is None or to_rgba(colour)[3] == 0:  # open markers: the edge carries the colour
            edges = artist.get_edgecolor()
            colour = (
                edges if len(edges) == 4 and not hasattr(edges[0], "__len__") else (edges[0] if len(edges) else None)
            )
    if colour is None:
        return None
    red, green, blue, _ = to_rgba(colour)
    return None if max(red, green, blue) - min(red, green, blue) < 0.05 else to_hex(colour)


def _handle_style(handle) -> tuple[str | None, str, str]:
    """(colour, marker, line style) of a legend entry; the colour is None for greys and unknown artists."""
    artist = handle.lines[0] if hasattr(handle, "lines") and handle.lines else handle
    marker = str(artist.get_marker()) if hasattr(artist, "get_marker") else "patch"
    style = str(artist.get_linestyle()) if hasattr(artist, "get_linestyle") else ""
    if hasattr(handle, "has_yerr"):
        style = "errorbar"  # the points' own line is hidden; the whiskers make the mark
    if marker in ("None", "none", ""):
        marker = ""
    return _handle_colour(handle), marker, style


def _shared_colour_problems(ax) -> list[str]:
    """Legend entries drawn alike: the same colour (greys aside, which mark references) with the same
    marker and line style, so a reader cannot tell which mark is which entry."""
    handles, labels = ax.get_legend_handles_labels()
    seen: dict[tuple, str] = {}
    problems = []
    for handle, label in zip(handles, labels):
        key = _handle_style(handle)
        if key[0] is None or label.startswith("_"):
            continue
        if key in seen and seen[key] != label:
            problems.append(f"the legend entries {seen[key]!r} and {label!r} share the colour {key[0]} and mark")
        seen.setdefault(key, label)
    return problems


def _id_problems(ax) -> list[str]:
    """Ticks, axis labels and titles that show a period as data/ writes it ("2014-09/2015-09") or a
    snake_case id, where a reader should see words."""
    from helpers.ledger.vocabulary import PERIOD_PATTERN

    texts = [*ax.get_xticklabels(), *ax.get_yticklabels(), ax.xaxis.label, ax.yaxis.label, ax.title]
    problems = []
    for text in texts:
        words = text.get_text()
        if PERIOD_PATTERN.search(words) or _SNAKE.search(words):
            problems.append(f"the axes show {words[:40]!r}, an id or ISO period, not words")
    legends = [lg for lg in [ax.get_legend(), *ax.figure.legends] if lg is not None]
    for text in [t for lg in legends for t in lg.get_texts()]:
        if PERIOD_PATTERN.search(text.get_text()):
            problems.append(f"the legend shows {text.get_text()[:40]!r}, an ISO period, not words")
    return problems


#: Whether ``assert_readable`` runs the site checks of ``extended_problems`` when not told. On: every
#: notebook's charts pass them (issue 17); ``extended=False`` keeps only the basic checks.
EXTENDED_BY_DEFAULT = True


def assert_readable(ax, extended: bool | None = None) -> None:
    """Raise AssertionError listing every readability problem of ``ax`` (``readability_problems``, and with
    ``extended`` the site checks of ``extended_problems``; default ``EXTENDED_BY_DEFAULT``)."""
    extended = EXTENDED_BY_DEFAULT if extended is None else extended
    problems = readability_problems(ax) + (extended_problems(ax) if extended else [])
    assert not problems, "chart not readable: " + "; ".join(problems)


def ordered(series: pd.Series, order: list | None = None) -> pd.Series:
    """The series as an ordered categorical (first-seen order unless ``order`` is given)."""
    order = list(order) if order is not None else list(dict.fromkeys(series.dropna()))
    return pd.Categorical(series, categories=order, ordered=True)


def rate_chart(
    table: pd.DataFrame,
    x: str,
    hue: str,
    *,
    rate: str = "rate",
    low: str = "ci_low",
    high: str = "ci_high",
    x_order: list | None = None,
    hue_order: list | None = None,
    published: str | None = None,
    title: str = "",
    ax=None,
    xlabel: str | None = None,
    legend_title: str | None = None,
    ylabel: str = "share recorded as missing",
    palette: dict | None = None,
):
    """Rates (fractions) with their intervals as points and whiskers, one colour per ``hue`` level.

    If ``published`` names a column of published percentages (0-100), they are drawn as open diamonds
    so a reader sees at once where a published figure sits outside the rebuilt interval. ``palette``
    (level -> colour) keeps one colour per level across several charts.
    """
    data = table.copy()
    if x_order is None and pd.api.types.is_numeric_dtype(data[x]):
        x_order = [str(y) for y in year_positions(data[x])]  # years in calendar order, one position each
        data[x] = data[x].astype(float).astype(int)
    labels = list(dict.fromkeys(data[x].dropna().astype(str)))
    if x_order is None and labels and all(re.match(r"\d{4}", v) for v in labels):
        x_order = sorted(labels)  # labels that start with a year ("2018", "2017\nrevised") go in calendar order
    stray = set(data[x].astype(str)) - set(map(str, x_order)) if x_order is not None else set()
    if stray:
        raise ValueError(f"rate_chart: values of {x!r} not in x_order: {sorted(stray)}; x_order is {list(x_order)}")
    data[x] = ordered(data[x].astype(str), [str(v) for v in x_order] if x_order is not None else None)
    # the legend shows words: ids of the hue column (groups, versions, ...) become their labels
    from helpers.ledger.vocabulary import GROUP_LABELS
    from helpers.present.tables import code_labels

    words = {**GROUP_LABELS, **code_labels().get(hue, {})}
    data[hue] = data[hue].map(lambda v: words.get(v, v) if isinstance(v, str) else v)
    hue_order = [words.get(v, v) for v in hue_order] if hue_order is not None else None
    palette = {words.get(k, k): c for k, c in (palette or {}).items()}
    data[hue] = ordered(data[hue].astype(str), hue_order)
    levels = list(data[hue].cat.categories)
    xs = list(data[x].cat.categories)
    palette = {**palette_for(levels), **(palette or {})}
    width = 0.7
    offsets = np.linspace(-width / 2, width / 2, len(levels) + 2)[1:-1] if len(levels) > 1 else [0.0]
    # As wide as the page shows a chart and no wider, so its text keeps its size (see extended_problems).
    ax = ax or plt.subplots(figsize=(PAGE_WIDTH_IN, 4.4))[1]
    for level, offset in zip(levels, offsets):
        part = data[data[hue] == level]
        pos = part[x].cat.codes.to_numpy() + offset
        ax.errorbar(
            pos,
            part[rate],
            yerr=[part[rate] - part[low], part[high] - part[rate]],
            fmt="o",
            color=palette[level],
            capsize=3,
            label=str(level),
        )
        if published and part[published].notna().any():
            ax.scatter(pos, part[published] / 100, marker="D", facecolors="none", edgecolors=palette[level], s=45)
    from helpers.ledger.vocabulary import period_words

    ax.set_xticks(range(len(xs)), [period_words(v) for v in xs])  # "2014-09/2015-09" reads as months
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    # room above the highest whisker or diamond and half a category at each side, so no point sits on the
    # frame; never lower than a panel sharing this axis already needed
    shown = [data[high].max()] + ([data[published].max() / 100] if published and data[published].notna().any() else [])
    top = max(v for v in shown if not pd.isna(v)) * 1.1 if any(not pd.isna(v) for v in shown) else None
    ax.set_ylim(0, max(ax.get_ylim()[1], top) if top else None)
    ax.set_xlim(-0.6, len(xs) - 0.4)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel if xlabel is not None else x.replace("_", " "))
    ax.set_title(title)
    handles, labels = ax.get_legend_handles_labels()
    if published:
        handles.append(plt.Line2D([], [], marker="D", ls="", mfc="none", mec="grey"))
        labels.append("published %")
    ax.legend(
        handles,
        labels,
        frameon=False,
        loc="upper left",
        bbox_to_anchor=(1, 1),
        title=legend_title if legend_title is not None else hue.replace("_", " "),
    )
    ax.figure.tight_layout()
    return ax
