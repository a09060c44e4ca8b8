"""One call at the top of every notebook: the same display settings and warning policy everywhere."""

from __future__ import annotations

import warnings

from helpers.present.figure_output import register_figure_formatter
from helpers.present.plots import apply_theme
from helpers.present.tables import register_table_formatters


def setup() -> None:
    """Set seaborn's theme, pandas display options, and turn warnings into errors.

    Warnings are defects here: each would print volatile text into an executed notebook, so they are
    removed at their cause rather than filtered.
    """
    import matplotlib
    import pandas as pd
    import seaborn as sns

    warnings.simplefilter("error")
    # ipykernel and jupyter_client warn about their own internals; those are not ours to fix.
    for module in ("jupyter_client", "ipykernel", "zmq", "traitlets"):
        warnings.filterwarnings("default", module=module)
    matplotlib.rcParams["figure.dpi"] = 96
    matplotlib.rcParams["svg.hashsalt"] = "missing-from-care"
    sns.set_theme(style="whitegrid", context="notebook")
    pd.set_option("display.width", 120)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.max_rows", 300)  # tables of claims and figures are shown whole, never elided
    pd.set_option("display.max_colwidth", None)  # text is never cut off with "..."
    register_table_formatters()
    apply_theme()
    register_figure_formatter()  # charts as PNGs at twice their pixels, each with alt text
