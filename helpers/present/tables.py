"""How every table reads in a notebook: whole cells, and empty cells as a dash (never "nan" or "<NA>")."""

from __future__ import annotations

#: What an empty cell of a displayed table reads as (never "nan", "None" or "<NA>").
MISSING_TEXT = "–"


def _fill_extension_missing(frame):
    """Nullable (extension) columns print pd.NA as "<NA>" whatever ``na_rep`` says: fill them as text."""
    import pandas as pd

    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if isinstance(column.dtype, pd.api.extensions.ExtensionDtype) and column.isna().any():
            out[name] = column.astype(object).where(column.notna(), MISSING_TEXT)
    return out


def table_text(table) -> str:
    """A DataFrame or Series as plain text: every row and column, whole cells, empty cells as ``MISSING_TEXT``."""
    import pandas as pd

    frame = _fill_extension_missing(table.to_frame() if table.ndim == 1 else table)
    with pd.option_context("display.max_colwidth", None):
        # a Series reads as its values and index, as pandas shows it, without a frame header
        return (frame.iloc[:, 0] if table.ndim == 1 else frame).to_string(na_rep=MISSING_TEXT)


def table_html(table) -> str:
    """A DataFrame or Series as an HTML table: every row, whole cells, empty cells as ``MISSING_TEXT``."""
    import pandas as pd

    frame = table.to_frame() if table.ndim == 1 else table
    with pd.option_context("display.max_colwidth", None):
        return _fill_extension_missing(frame).to_html(na_rep=MISSING_TEXT, classes="dataframe", border=1)


def register_table_formatters() -> None:
    """Show tables through ``table_text``/``table_html`` in IPython, so no output reads "nan" or "<NA>".

    pandas has no display option for how missing values print, so the IPython formatters for
    DataFrame and Series are replaced. Outside IPython this does nothing.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of the notebooks
        return
    shell = get_ipython()
    if shell is None:
        return
    import pandas as pd

    formatters = shell.display_formatter.formatters
    for kind in (pd.DataFrame, pd.Series):
        formatters["text/plain"].for_type(kind, lambda obj, printer, cycle: printer.text(table_text(obj)))
        formatters["text/html"].for_type(kind, table_html)
