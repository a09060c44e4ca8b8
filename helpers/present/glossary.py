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
