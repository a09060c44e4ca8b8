"""How a chart leaves a notebook: a PNG at twice its pixels (sharp on HiDPI screens and phones), in a
palette of 256 colours (small), that carries alt text saying what it shows.

IPython shows a matplotlib figure through the ``image/png`` formatter of its display system. The
formatter registered here draws the figure at ``SCALE`` times its dpi, keeps its displayed size (the
``width`` and ``height`` in the output's metadata, as IPython's "retina" format does) and adds ``alt``:
the chart's title and a one-line summary (what is plotted against what, and which series). The site
(:mod:`helpers.present.site`) hands that text to MyST-NB as the image's alt text.
"""

from __future__ import annotations

#: Pixels per displayed pixel of every chart's PNG.
SCALE = 2
#: Series named in the summary before the rest are counted ("and 3 more").
MAX_SERIES = 6


def _clean(text: str) -> str:
    return " ".join(str(text).split())


def chart_title(fig) -> str:
    """The figure's title: its suptitle, else the titles of its axes joined by "; " (may be empty)."""
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text().strip():
        return _clean(suptitle.get_text())
    titles = [_clean(ax.get_title()) for ax in fig.axes if ax.get_title().strip()]
    return "; ".join(dict.fromkeys(titles))


def chart_summary(fig) -> str:
    """One line on what the figure plots: the figure's own label if a chart set one (``fig.set_label``),
    else each y axis against its x axis and the series its legends name."""
    own = _clean(fig.get_label() or "")
    if own:
        return own
    axes = [ax for ax in fig.axes if ax.get_visible() and (ax.get_xlabel() or ax.get_ylabel())]
    pairs = list(dict.fromkeys(f"{_clean(ax.get_ylabel())} against {_clean(ax.get_xlabel())}" for ax in axes))
    series: list[str] = []
    for legend in [*(ax.get_legend() for ax in fig.axes), *fig.legends]:
        if legend is not None:
            series += [_clean(t.get_text()) for t in legend.get_texts() if t.get_text().strip()]
    series = list(dict.fromkeys(series))
    text = "; ".join(pairs) if pairs else "a chart"
    if series:
        shown = series[:MAX_SERIES]
        more = len(series) - len(shown)
        text += ". Series: " + ", ".join(shown) + (f" and {more} more" if more else "")
    return text + "."


def chart_alt_text(fig) -> str:
    """Alt text for a figure: "Chart: <title>. <summary>" (never empty, never a file name)."""
    title = chart_title(fig)
    summary = chart_summary(fig)
    return f"Chart: {title}. {summary[:1].upper() + summary[1:]}" if title else f"Chart of {summary}"


def figure_png(fig, scale: int = SCALE):
    """(base64 PNG at ``scale`` times the figure's dpi, {width, height, alt}) for IPython's display, or None
    for an empty figure (as IPython's own formatter).

    The PNG is reduced to a palette of 256 colours (no dithering): a chart has few colours, so it looks
    the same, and the file at twice the pixels is smaller than a full-colour one at the figure's dpi.
    """
    from binascii import b2a_base64
    from io import BytesIO

    from PIL import Image

    if not fig.axes and not fig.lines:
        return None
    drawn = BytesIO()
    fig.canvas.print_figure(
        drawn,
        format="png",
        dpi=fig.dpi * scale,
        bbox_inches="tight",
        facecolor=fig.get_facecolor(),
        edgecolor=fig.get_edgecolor(),
    )
    image = Image.open(drawn).convert("RGBA")
    flat = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image).convert("RGB")
    palette = flat.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = BytesIO()
    palette.save(out, format="PNG", optimize=True)  # no text chunks: the same figure gives the same bytes
    width, height = image.size
    metadata = {"width": width // scale, "height": height // scale, "alt": chart_alt_text(fig)}
    return b2a_base64(out.getvalue(), newline=False).decode("ascii"), metadata


def register_figure_formatter(scale: int = SCALE) -> None:
    """Show matplotlib figures through ``figure_png`` in IPython (outside IPython this does nothing).

    The inline backend installs its own PNG formatter when it is first activated, so the backend is
    resolved first and this formatter replaces it.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of the notebooks
        return
    shell = get_ipython()
    if shell is None:
        return
    import matplotlib
    import matplotlib.pyplot as plt  # noqa: F401 - importing pyplot lets the inline backend install itself
    from matplotlib.figure import Figure

    matplotlib.get_backend()  # resolve (and so activate) the backend before replacing its formatter
    formatters = shell.display_formatter.formatters
    formatters["image/png"].for_type(Figure, lambda fig: figure_png(fig, scale))
