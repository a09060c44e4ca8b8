"""The glossary (notebooks/01_glossary.ipynb) against the code it describes."""

from __future__ import annotations

import json
import re

from helpers.ledger.paths import NOTEBOOKS_DIR
from helpers.nonresponse.frame import PAIRING_RULE
from helpers.present.glossary import TERMS, anchors_in


def glossary_text() -> str:
    """The glossary's Markdown, soft line breaks joined, as a reader sees it."""
    cells = json.loads((NOTEBOOKS_DIR / "01_glossary.ipynb").read_text(encoding="utf-8"))["cells"]
    text = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return re.sub(r"(?<!\n)\n(?!\n)", " ", text)


def test_dfe_pairing_rule_is_stated_identically_in_glossary_and_code():
    text = glossary_text()
    assert PAIRING_RULE in text
    assert "nine months" not in text and "three quarters" not in text


def test_statistics_terms_have_entries():
    # the terms a new student looked for and did not find (issue 25)
    wanted = {
        "knapp-hartung",
        "mcse",
        "rmse",
        "bias",
        "coverage",
        "credible-interval",
        "posterior-median",
        "paule-mandel",
        "i2",
        "beta-binomial",
        "kish",
        "poisson",
    }
    assert wanted <= set(TERMS)
    assert wanted <= anchors_in(glossary_text())


def test_no_entry_calls_a_tipping_point_robust_or_newcombe_universal():
    text = glossary_text()
    assert "means the conclusion is robust" not in text
    assert 'for every "this rate against that one"' not in text
