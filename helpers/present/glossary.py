"""The glossary's terms and links to them.

``notebooks/01_glossary.ipynb`` defines each term under an HTML anchor ``<a id="ANCHOR"></a>``; ``TERMS``
lists every anchor with the term's name. ``term_link`` gives the Markdown link a notebook uses where a term
first appears. A test proves every anchor here exists in the glossary and every glossary link in any
notebook points at one.
"""

from __future__ import annotations

import re

GLOSSARY_NOTEBOOK = "01_glossary.ipynb"

#: anchor -> term, in the glossary's order.
TERMS = {
    "foi": "Freedom of Information (FOI) request",
    "looked-after": "looked after (in care)",
    "uasc": "unaccompanied asylum-seeking child (UASC)",
    "trafficked": "trafficked child",
    "nrm": "National Referral Mechanism (NRM)",
    "dfe-year": "DfE year-ends",
    "per-cent-vs-points": "per cent against percentage points",
    "versions": "versions of a report's figures",
    "discrepancy": "discrepancy ids (D1, D2, ...)",
    "p-value": "p-value",
    "holm": "Holm adjustment",
    "statcheck": "statcheck",
    "grim": "GRIM test",
    "confidence-interval": "confidence interval",
    "wilson": "Wilson score interval",
    "newcombe": "Newcombe interval for a difference",
    "risk-difference": "risk difference",
    "risk-ratio": "risk ratio",
    "odds-ratio": "odds ratio",
    "random-effects": "random effects",
    "tau2": "tau² (between-study variance)",
    "overdispersion": "overdispersion",
    "quasi-binomial": "quasi-binomial model",
    "nb2": "negative binomial (NB2) model",
    "logit": "logit",
    "delta-method": "delta method",
    "hc0": "HC0 (robust, sandwich) standard errors",
    "reml": "REML (restricted maximum likelihood)",
    "var-weights": "var_weights (statsmodels)",
    "poisson": "Poisson and quasi-Poisson models",
    "bounds": "bounds (worst and best case)",
    "missingness": "MCAR, MAR and MNAR",
    "tipping-point": "tipping point",
    "intra-council-correlation": "intra-council correlation (ICC)",
    "design-effect": "design effect",
    "sensitivity-interval": "sensitivity interval (design effect d)",
    "q-profile": "Q-profile interval",
    "half-normal-prior": "half-normal prior (Bayesian sensitivity analysis)",
    "paule-mandel": "Paule–Mandel estimator",
    "knapp-hartung": "Knapp–Hartung adjustment",
    "i2": "I² (share of variation between reports)",
    "beta-binomial": "beta-binomial model",
    "kish": "Kish's design effect for unequal clusters",
    "credible-interval": "credible interval",
    "posterior-median": "posterior median",
    "ipw": "inverse-probability weighting (IPW)",
    "mice": "MICE (multiple imputation by chained equations)",
    "rubin": "Rubin's rules",
    "gumbel-top-k": "Gumbel-top-k sampling",
    "two-sided-tipping": "two-sided tipping analysis",
    "e-value": "selection-bias E-value",
    "bias-adjusted-interval": "bias-adjusted interval",
    "mcse": "Monte Carlo standard error (MCSE)",
    "bias": "bias (in a simulation)",
    "rmse": "RMSE (root mean squared error)",
    "coverage": "coverage (of an interval)",
}

ANCHOR_PATTERN = re.compile(r'<a id="([a-z0-9-]+)"></a>')
#: One entry: its anchor, its "### term" heading and its definition (up to the next entry or section).
ENTRY_PATTERN = re.compile(r'<a id="([a-z0-9-]+)"></a>\s*\n### ([^\n]+)\n(.*?)(?=\n<a id=|\n## |\Z)', re.S)
LINK_PATTERN = re.compile(r"01_glossary\.(?:ipynb|html)#([A-Za-z0-9_-]+)")


def term_link(anchor: str, text: str | None = None) -> str:
    """A Markdown link to a glossary entry, e.g. ``term_link("wilson")`` ->
    ``[Wilson score interval](01_glossary.ipynb#wilson)``. An unknown anchor raises KeyError naming the
    valid ones."""
    if anchor not in TERMS:
        raise KeyError(f"no glossary entry {anchor!r}; valid anchors: {', '.join(TERMS)}")
    return f"[{text or TERMS[anchor]}]({GLOSSARY_NOTEBOOK}#{anchor})"


def anchors_in(text: str) -> set[str]:
    """The anchors ``<a id="..."></a>`` defined in a piece of Markdown."""
    return set(ANCHOR_PATTERN.findall(text))


def links_in(text: str) -> set[str]:
    """The glossary anchors that a piece of Markdown or HTML links to."""
    return set(LINK_PATTERN.findall(text))


def glossary_anchors(path=None) -> set[str]:
    """Every anchor defined in the glossary notebook's Markdown cells (default: the project's notebook)."""
    import nbformat

    from helpers.ledger.paths import NOTEBOOKS_DIR

    nb = nbformat.read(path or NOTEBOOKS_DIR / GLOSSARY_NOTEBOOK, as_version=4)
    return set().union(*(anchors_in(c.source) for c in nb.cells if c.cell_type == "markdown"))


#: anchor -> the phrases that count as a use of the term on a page. A phrase matches whole words, in any
#: case (an all-capital phrase such as ``ICC`` only in capitals), with a space, hyphen or dash between its
#: words matching any of them ("random effects" = "random-effects", "Knapp-Hartung" = "Knapp–Hartung"), and
#: with a plural ``s`` allowed. ``tests/present/test_glossary_links.py`` holds every page of the catalogue to
#: linking the first use of each term to its entry.
TERM_USES = {
    "foi": ("Freedom of Information", "FOI"),
    "looked-after": ("looked after",),
    "uasc": ("unaccompanied", "UASC"),
    "trafficked": ("trafficked",),
    "nrm": ("National Referral Mechanism", "NRM"),
    "dfe-year": ("DfE year", "DfE's year", "year ending 31 March", "year to 31 March"),
    "per-cent-vs-points": ("percentage point",),
    "versions": ("version",),
    "discrepancy": ("discrepancy", "discrepancies"),
    "p-value": ("p-value",),
    "holm": ("Holm",),
    "statcheck": ("statcheck",),
    "grim": ("GRIM",),
    "confidence-interval": ("confidence interval",),
    "wilson": ("Wilson",),
    "newcombe": ("Newcombe",),
    "risk-difference": ("risk difference",),
    "risk-ratio": ("risk ratio",),
    "odds-ratio": ("odds ratio",),
    "random-effects": ("random effects",),
    "tau2": ("tau²", "τ²", "between-study variance"),
    "overdispersion": ("overdispersion", "overdispersed"),
    "quasi-binomial": ("quasi-binomial",),
    "nb2": ("negative binomial", "NB2"),
    "logit": ("logit",),
    "delta-method": ("delta method",),
    "hc0": ("HC0", "sandwich"),
    "reml": ("REML", "restricted maximum likelihood"),
    "var-weights": ("var_weights",),
    "poisson": ("Poisson", "quasi-Poisson"),
    "bounds": ("bounds", "Manski", "worst and best case"),
    "missingness": ("MCAR", "MAR", "MNAR", "missing at random", "missing completely at random"),
    "tipping-point": ("tipping point",),
    "intra-council-correlation": ("ICC", "intra-council correlation"),
    "design-effect": ("design effect",),
    "sensitivity-interval": ("sensitivity interval",),
    "bias-adjusted-interval": ("bias-adjusted interval",),
    "q-profile": ("Q-profile",),
    "half-normal-prior": ("half-normal",),
    "paule-mandel": ("Paule-Mandel",),
    "knapp-hartung": ("Knapp-Hartung",),
    "i2": ("I²",),
    "beta-binomial": ("beta-binomial",),
    "kish": ("Kish",),
    "credible-interval": ("credible interval",),
    "posterior-median": ("posterior median",),
    "ipw": ("IPW", "inverse-probability weighting"),
    "mice": ("MICE", "multiple imputation"),
    "rubin": ("Rubin's rules", "Rubin"),
    "gumbel-top-k": ("Gumbel",),
    "two-sided-tipping": ("two-sided tipping",),
    "e-value": ("E-value",),
    "mcse": ("MCSE", "Monte Carlo standard error"),
    "bias": ("bias",),
    "rmse": ("RMSE", "root mean squared error"),
    "coverage": ("coverage",),
}

#: anchor -> phrases that contain a use's words but are not a use ("upper bounds" on a count are not the
#: worst- and best-case bounds of non-response).
NOT_USES = {
    "bounds": ("upper bounds", "lower bounds", "different bounds"),
}

#: Terms whose phrases are everyday words elsewhere ("press coverage", "selection bias"): the notebook stems
#: on which they carry the glossary's sense. Other terms count on every page.
SENSE_PAGES = {
    "bias": ("41_nonresponse_simulation",),
    "coverage": ("41_nonresponse_simulation",),
}

_SEPARATOR = "[\\s\\-\u2010\u2011\u2013\u2014]+"


def _phrase_pattern(phrase: str) -> re.Pattern:
    """A phrase as a whole-word pattern: separators interchangeable, a plural allowed, capitals kept for
    all-capital phrases."""
    words = re.split(r"[\s\-\u2013\u2014]+", phrase)
    body = _SEPARATOR.join(re.escape(w) for w in words)
    flags = 0 if phrase.isupper() else re.IGNORECASE
    return re.compile(rf"(?<![\w\-]){body}(?:e?s)?(?![\w\-])", flags)


_USE_PATTERNS = {anchor: [_phrase_pattern(p) for p in phrases] for anchor, phrases in TERM_USES.items()}
_NOT_USE_PATTERNS = {anchor: [_phrase_pattern(p) for p in phrases] for anchor, phrases in NOT_USES.items()}

_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", flags=re.M | re.S)
_CODE_SPAN = re.compile(r"(`+).+?\1", flags=re.S)
_HEADING = re.compile(r"^ {0,3}#{1,6}\s.*$", flags=re.M)
_LINK = re.compile(r"!?\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_TAG = re.compile(r"<[^>\n]+>")
_URL = re.compile(r"https?://\S+")


def _blank(match: re.Match) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def prose_of(markdown: str) -> str:
    """The Markdown with everything that is not prose a reader could follow a link from blanked out, at the
    same positions: fenced code, code spans (names such as ``30_trends``), headings (a link inside a
    heading would turn the page's table of contents and its search title into links), HTML tags, URLs, and
    the text and target of links that are not glossary links (a link cannot hold another). A glossary
    link keeps its text, so it counts as a use of its own term only (see ``glossary_links_at``)."""
    text = _FENCE.sub(_blank, markdown)
    text = _CODE_SPAN.sub(_blank, text)
    text = _HEADING.sub(_blank, text)

    def link(match: re.Match) -> str:
        if LINK_PATTERN.search(match.group(2)):
            start, end = match.span(1)
            inner = match.group(0)[start - match.start() : end - match.start()]
            return " " + inner + " " * (match.end() - end)
        return _blank(match)

    text = _LINK.sub(link, text)
    text = _TAG.sub(_blank, text)
    return _URL.sub(_blank, text)


def glossary_links_at(markdown: str) -> list[tuple[int, int, str]]:
    """(start, end, anchor) of every glossary link ``[text](01_glossary.ipynb#anchor)`` in the Markdown."""
    links = []
    for match in _LINK.finditer(markdown):
        target = LINK_PATTERN.search(match.group(2))
        if target:
            links.append((match.start(), match.end(), target.group(1)))
    return links


def term_uses(markdown: str, page: str | None) -> list[tuple[int, str, str]]:
    """(position, anchor, words) of every use of a glossary term in the prose of a Markdown text on the page
    (a notebook stem; None counts every term, whatever ``SENSE_PAGES`` says), in order. Words inside a glossary link count as a use of that link's term only."""
    prose = prose_of(markdown)
    links = glossary_links_at(markdown)
    uses = []
    for anchor, patterns in _USE_PATTERNS.items():
        if page is not None and anchor in SENSE_PAGES and page not in SENSE_PAGES[anchor]:
            continue
        not_uses = [m.span() for p in _NOT_USE_PATTERNS.get(anchor, []) for m in p.finditer(prose)]
        for pattern in patterns:
            for match in pattern.finditer(prose):
                if any(start <= match.start() < end for start, end in not_uses):
                    continue
                inside = [a for start, end, a in links if start <= match.start() < end]
                if not inside or inside[0] == anchor:
                    uses.append((match.start(), anchor, match.group(0)))
    return sorted(uses)


def link_terms(markdown: str, anchors) -> str:
    """The Markdown with the first use of each term named by ``anchors`` linked to its entry, unless the
    text links it at or before that use; for helpers whose text is the first place a page uses a term (a report's
    heading names its groups before any prose does). A term the text does not use is left alone."""
    for anchor in anchors:
        if anchor not in TERMS:
            raise KeyError(f"no glossary entry {anchor!r}; valid anchors: {', '.join(TERMS)}")
        uses = [(position, -len(words), words) for position, a, words in term_uses(markdown, None) if a == anchor]
        if uses:
            position, _, words = min(uses)  # the first use, in its longest wording ("Rubin's rules", not "Rubin")
            if any(a == anchor and start <= position for start, _, a in glossary_links_at(markdown)):
                continue  # linked at or before its first use already
            end = position + len(words)
            markdown = markdown[:position] + term_link(anchor, markdown[position:end]) + markdown[end:]
    return markdown


def unlinked_first_uses(parts, page: str) -> list[tuple[object, str, str]]:
    """The terms whose first use on a page is not linked to their entry.

    Parameters
    ----------
    parts : iterable of (key, markdown)
        The page's Markdown in reading order, each with a key naming where it is (e.g. a cell index).
    page : str
        The notebook stem (some terms count only on some pages, see ``SENSE_PAGES``).

    Returns
    -------
    list of (key, anchor, words)
        For each term used on the page whose first use has no link to its entry at or before it: where
        the first use is, the term's anchor, and the words used.
    """
    seen: set[str] = set()
    missing = []
    for key, markdown in parts:
        links = glossary_links_at(markdown)
        for position, anchor, words in term_uses(markdown, page):
            if anchor in seen:
                continue
            seen.add(anchor)
            if not any(a == anchor and start <= position for start, _, a in links):
                missing.append((key, anchor, words))
        seen |= {a for _, _, a in links}
    return missing


def definitions(path=None) -> dict[str, tuple[str, str]]:
    """anchor -> (term, definition) of every entry of the glossary notebook (default: the project's).

    The notebook is read as plain JSON: importing nbformat takes seconds (its schema validator), which the
    live explorer, showing these definitions, would otherwise make its reader wait for.
    """
    import json

    from helpers.ledger.paths import NOTEBOOKS_DIR

    with open(path or NOTEBOOKS_DIR / GLOSSARY_NOTEBOOK, encoding="utf-8") as f:
        cells = json.load(f)["cells"]
    entries = {}
    for cell in cells:
        if cell["cell_type"] == "markdown":
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            for anchor, term, body in ENTRY_PATTERN.findall(source):
                entries[anchor] = (term.strip(), body.strip())
    return entries
