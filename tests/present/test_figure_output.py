"""Charts leave a notebook as PNGs at twice their pixels with alt text (helpers.present.figure_output)."""

from __future__ import annotations

import binascii
import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from PIL import Image  # noqa: E402

from helpers.present.figure_output import chart_alt_text, figure_png  # noqa: E402


def _chart():
    fig, ax = plt.subplots(figsize=(4, 3), dpi=50)
    ax.plot([2018, 2020], [0.2, 0.3], label="trafficked")
    ax.plot([2018, 2020], [0.1, 0.15], label="unaccompanied (UASC)")
    ax.set(title="Share recorded as missing", xlabel="year", ylabel="share recorded as missing")
    ax.legend(title="children")
    return fig


def test_alt_text_is_the_title_and_what_is_plotted_against_what():
    fig = _chart()
    assert chart_alt_text(fig) == (
        "Chart: Share recorded as missing. Share recorded as missing against year. "
        "Series: trafficked, unaccompanied (UASC)."
    )
    fig.suptitle("Two groups")
    fig.set_label("the trafficked share is above the unaccompanied share in both years")
    assert chart_alt_text(fig) == (
        "Chart: Two groups. The trafficked share is above the unaccompanied share in both years"
    )
    plt.close("all")


def test_the_png_has_twice_the_pixels_of_its_displayed_size_and_is_the_same_on_every_call():
    fig = _chart()
    data, metadata = figure_png(fig)
    again, _ = figure_png(fig)
    assert data == again
    image = Image.open(io.BytesIO(binascii.a2b_base64(data)))
    assert image.mode == "P"  # a palette of at most 256 colours
    assert (image.width // 2, image.height // 2) == (metadata["width"], metadata["height"])
    # the displayed size IPython's own "retina" format gives the same figure
    from IPython.core.pylabtools import retina_figure

    _, retina = retina_figure(fig)
    assert (metadata["width"], metadata["height"]) == (retina["width"], retina["height"])
    assert metadata["alt"].startswith("Chart: Share recorded as missing.")
    assert figure_png(plt.figure()) is None  # an empty figure shows nothing
    plt.close("all")
