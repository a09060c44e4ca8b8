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


# --- The one formatter for displayed tables -------------------------------------------------------------

#: Column name -> the words a reader sees as its header. One mapping for every table of the collection;
#: a column missing here is shown with its underscores turned into spaces.
COLUMN_WORDS = {
    "report_id": "report",
    "report": "report",
    "claim_id": "claim",
    "source_id": "source",
    "outlet": "outlet",
    "article": "article by",
    "copies": "sites that printed it",
    "kind": "kind of claim",
    "qualifier": "qualifier",
    "a": "first number",
    "b": "second number",
    "stated": "as stated",
    "computed": "recomputed",
    "verdict": "verdict",
    "diagnosis": "likely slip",
    "explanation": "what went wrong",
    "description": "the claim",
    "version": "version",
    "group": "group of children",
    "measure": "measure",
    "period": "period",
    "year": "year",
    "numerator": "count",
    "denominator": "of",
    "count": "count",
    "missing": "recorded as missing",
    "went_missing": "recorded as missing",
    "in_care": "in care",
    "rate": "rate",
    "ci_low": "interval from",
    "ci_high": "interval to",
    "low": "from",
    "high": "to",
    "published_pct": "published",
    "rounds_to_published": "rounds to the published figure",
    "discrepancy_id": "known discrepancy",
    "estimate": "estimate",
    "tau2": "between-report variance (tau²)",
    "pearson_chi2_df": "Pearson chi² per degree of freedom",
    "model": "model",
    "method": "estimator",
    "mechanism": "why councils did not answer",
    "scenario": "scenario",
    "councils": "councils",
    "title": "title",
    "published": "published",
    "p_value": "p-value",
    "not_checkable": "cannot be checked",
}

_VERDICTS = {"consistent": "consistent", "inconsistent": "inconsistent", "not_checkable": "cannot be checked"}
_SLIPS = {
    "": "none identified",
    "change_over_later_value": "change divided by the later value",
    "points_as_per_cent": "percentage points read as per cent",
    "truncated_not_rounded": "cut off instead of rounded",
    "a_b_swapped": "the two numbers swapped",
    "share_not_change": "a share given as a change",
    "part_for_whole": "one part given as the total",
    "other_denominator": "another denominator",
}
# units of data/figures.csv (as ids, or with underscores already spaced out by a display helper)
_UNITS = {
    "percent": "per cent",
    "one_in_n": "one in N",
    "one in n": "one in N",
    "episodes_per_child": "episodes per child",
    "episodes per child": "episodes per child",
    "ratio": "ratio (times as many)",
}


def code_labels() -> dict[str, dict[str, str]]:
    """Column name -> {code: label} for every column whose values are ids with words of their own.

    The words come from the layers that define the codes (versions and groups from the ledger's
    vocabulary, estimators and mechanisms from the non-response helpers, kinds and qualifiers from the
    claims checker), so a code reads the same way in every table.
    """
    from helpers.ledger.versions import version_labels
    from helpers.ledger.vocabulary import GROUP_WORDS, MEASURE_WORDS, OFFICIAL_WORDS
    from helpers.nonresponse.estimators import ESTIMATOR_LABELS
    from helpers.nonresponse.scenarios import MECHANISMS
    from helpers.stats.rounding import QUALIFIER_WORDS

    kinds = {
        "proportion": "proportion (%)",
        "percent_change": "percentage change (%)",
        "one_in_n": "one in N",
        "total": "total (children)",
    }
    return {
        "version": version_labels(),
        "group": dict(GROUP_WORDS),
        "verdict": _VERDICTS,
        "diagnosis": _SLIPS,
        "kind": kinds,
        "qualifier": {k: (v.strip() or "exact") for k, v in QUALIFIER_WORDS.items()},
        "measure": dict(MEASURE_WORDS),
        "official_measure": dict(OFFICIAL_WORDS),
        "auxiliary": dict(OFFICIAL_WORDS),
        "method": dict(ESTIMATOR_LABELS),
        "mechanism": {k: v.split(":")[0] for k, v in MECHANISMS.items()},
        "unit": _UNITS,
    }


def header_words(name) -> str:
    """The header a reader sees for a column name (``COLUMN_WORDS``, else underscores as spaces)."""
    return COLUMN_WORDS.get(name, str(name).replace("_", " "))


def _number(value, places: int = 1) -> str:
    """A number with thousands separators: whole numbers without decimals, others to ``places``."""
    number = float(value)
    return f"{number:,.0f}" if number.is_integer() else f"{number:,.{places}f}"


def _cell(value, unit: str | None, places: int) -> str:
    import pandas as pd

    from helpers.ledger.vocabulary import period_words

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return MISSING_TEXT
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return period_words(value)  # "2014-09/2015-09" reads "Sep 2014 to Sep 2015", in any cell
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if unit is None:
        return _number(number, places)
    if unit == "share":  # a fraction, shown as a percentage
        return f"{100 * number:.{places}f}%"
    if unit == "percent":
        return f"{number:.{places}f}%"
    if unit == "points":
        return f"{number:+.{places}f} points"
    if unit == "width in points":  # a width or distance, never signed
        return f"{number:.{places}f} points"
    if unit == "year":
        return f"{number:.0f}"
    if unit == "ratio":
        return f"{number:,.2f}"
    if unit.startswith("{"):  # a format of its own, e.g. "{:.3f}" for an odds ratio per year
        return unit.format(number)
    return _number(number, places)


class Table:
    """A table as a reader sees it: no index, headers in words, codes as labels, numbers formatted.

    ``frame`` holds the formatted text (one string per cell); ``data`` the table it was made from.
    Displayed by IPython as HTML (long text wraps in the cell) and as plain text; ``to_csv`` writes the
    formatted table.
    """

    def __init__(self, data, frame, caption: str = "", urls: dict | None = None):
        self.data, self.frame, self.caption = data, frame, caption
        self.urls = urls or {}  # header -> one URL (or "") per row: that column's cells link to them

    def _repr_html_(self) -> str:
        from helpers.present.escape import html_text, safe_url

        cells = self.frame.map(html_text)  # every cell comes from data: shown, never run
        for header, urls in self.urls.items():
            cells[header] = [
                f'<a href="{html_text(safe_url(u))}">{t}</a>' if safe_url(u) else t for t, u in zip(cells[header], urls)
            ]
        cells.columns = [html_text(c) for c in cells.columns]
        html = cells.to_html(index=False, border=0, classes="dataframe readable", escape=False)
        # long text wraps inside its cell, never cut; a caption says what the table is
        style = "<style>table.readable td{white-space:normal;max-width:32em;vertical-align:top}</style>"
        caption = f"<p><em>{html_text(self.caption)}</em></p>" if self.caption else ""
        return style + caption + html

    def __getitem__(self, header):
        """The shown column under ``header`` (text, as the reader sees it)."""
        return self.frame[header]

    def __repr__(self) -> str:
        import pandas as pd

        with pd.option_context("display.max_colwidth", None, "display.width", 200):
            return self.frame.to_string(index=False)

    def to_csv(self, path) -> None:
        from helpers.ledger.csv_out import write_csv_file

        write_csv_file(path, self.frame)


def readable_table(
    table,
    *,
    units: dict[str, str] | None = None,
    labels: dict[str, dict] | None = None,
    columns: dict[str, str] | None = None,
    places: int = 1,
    caption: str = "",
    links: dict[str, str] | None = None,
) -> Table:
    """The one formatter for every displayed table; returns a ``Table`` that IPython shows.

    - the index is dropped (a meaningful index should be a column first: ``reset_index()``);
    - headers come from ``COLUMN_WORDS`` (``columns`` adds or overrides headers for this table);
    - codes become labels through ``code_labels()`` (``labels`` adds column -> {code: label}, e.g. report
      ids to titles);
    - ``units`` gives a column's unit: ``share`` (a fraction shown as %), ``percent`` (already in %),
      ``points`` (signed percentage points), ``width in points`` (unsigned), ``ratio`` (two decimals), ``year``,
      or a format such as ``"{:.3f}"``; other numbers get thousands separators and ``places`` decimals unless
      whole;
    - ``links`` maps a column to the column of URLs its cells link to (the URL column is not shown);
    - empty cells read as ``MISSING_TEXT``.
    """
    import pandas as pd

    frame = table.to_frame() if table.ndim == 1 else table
    frame = frame.reset_index(drop=True)
    units = dict(units or {})
    for name in frame.columns:
        if name == "year" and name not in units:
            units[name] = "year"
    mapping = code_labels()
    mapping.update(labels or {})
    out = pd.DataFrame(index=frame.index)
    for name in frame.columns:
        column = frame[name]
        if name in mapping:
            words = mapping[name]
            column = column.map(lambda v, w=words: w.get(v, v) if isinstance(v, str) else v)
        out[name] = [_cell(v, units.get(name), places) for v in column]
    headers = {c: (columns or {}).get(c, header_words(c)) for c in frame.columns}
    out.columns = [headers[c] for c in frame.columns]
    urls = {headers[c]: frame[u].tolist() for c, u in (links or {}).items()}
    out = out.drop(columns=[headers[u] for u in (links or {}).values()])
    return Table(table, out, caption, {h: v for h, v in urls.items() if h in out.columns})
