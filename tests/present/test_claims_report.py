"""Claim summaries for the claims notebook: syndicated copies, small-n counts, one basis for the claim
counts everywhere, and the notebook run on a reader's own claims file."""

import re
from pathlib import Path


def test_syndicated_copies_counted_once_and_counts_not_percentages():
    import pandas as pd

    from helpers.present.claims_report import count_copies_once, verdict_counts

    verdicts = pd.DataFrame(
        {
            "claim_id": ["orig", "copy", "other", "own"],
            "report_id": ["r"] * 4,
            "kind": ["proportion"] * 4,
            "a": ["864"] * 4,
            "b": ["2638", "2638", "2638", "2335"],
            "stated": ["37"] * 4,
            "qualifier": [""] * 4,
            "source_id": ["ind", "syn", "tt", "ind"],
            "verdict": ["inconsistent", "inconsistent", "inconsistent", "consistent"],
        }
    )
    sources = pd.DataFrame(
        {
            "source_id": ["ind", "syn", "tt"],
            "publisher": ["The Independent", "A News", "Türkiye Today"],
            "copy_of": ["", "The Independent", ""],
        }
    )
    distinct = count_copies_once(verdicts, sources)
    assert list(distinct["claim_id"]) == ["orig", "other", "own"] and list(distinct["copies"]) == [2, 1, 1]
    table = verdict_counts(distinct, "report_id")
    assert table.loc["r", "inconsistent, of checkable"] == "2 of 3"


# --- the claims notebook with a reader's own file -------------------------------------------------------

OWN_CLAIMS = Path(__file__).parent.parent / "fixtures" / "own_claims.csv"


def test_claim_counts_sentence_names_its_basis_and_counts_by_hand():
    import pandas as pd

    from helpers.present.claims_report import claim_count_facts, claims_sentence

    verdicts = pd.DataFrame(
        {
            "claim_id": ["a", "a-copy", "b", "c"],
            "report_id": ["r"] * 4,
            "kind": ["proportion"] * 4,
            "a": ["1", "1", "2", "3"],
            "b": ["10"] * 4,
            "stated": ["50", "50", "20", "30"],
            "qualifier": [""] * 4,
            "source_id": ["s", "t", "s", "s"],
            "verdict": ["inconsistent", "inconsistent", "consistent", "inconsistent"],
            "diagnosis": ["", "", "", "other_denominator"],
        }
    )
    sources = pd.DataFrame({"source_id": ["s", "t"], "publisher": ["S", "T"], "copy_of": ["", "S"]})
    counts = claim_count_facts(verdicts, sources)
    # by hand: the copy folds into S's article, so 3 distinct claims, 2 of them inconsistent, 1 named
    assert counts == {"claims": 3, "inconsistent": 2, "diagnosed": 1, "printed": 4, "printed_inconsistent": 3}
    assert claims_sentence(counts) == (
        "Of 3 distinct claims made in words by the charities and the press (syndicated copies of one article "
        "counted once; 4 as printed), 2 do not match the numbers beside them (3 as printed); for 1 of those the "
        "likely slip is named, for 1 no single slip explains the figure."
    )


def test_readme_overview_and_claims_notebook_state_the_same_claim_counts(ledger, executed_notebooks):
    """One basis everywhere: the README's key findings, 00_overview's and 20_claims' executed outputs."""
    from helpers.ledger.paths import PROJECT_ROOT
    from helpers.present.findings import key_findings

    counts = key_findings(ledger)["claims"]
    pattern = re.compile(
        r"Of ([\d,]+) distinct claims .*?; ([\d,]+) as printed\), ([\d,]+) do not match .*?\(([\d,]+) as printed\)"
    )
    expected = (counts["claims"], counts["printed"], counts["inconsistent"], counts["printed_inconsistent"])

    def stated(text):
        found = {tuple(int(n.replace(",", "")) for n in m.groups()) for m in pattern.finditer(text)}
        assert found, "no claim-count sentence"
        return found

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    outputs = {}
    for name in ("00_overview", "20_claims"):
        nb = executed_notebooks[f"{name}.ipynb"]
        outputs[name] = "\n".join(
            o.get("data", {}).get("text/markdown", "") for c in nb.cells for o in c.get("outputs", [])
        )
    assert stated(readme) == stated(outputs["00_overview"]) == stated(outputs["20_claims"]) == {expected}


def test_claims_notebook_describes_a_readers_own_file(tmp_path, run_notebooks):
    """With ``claims_path`` the notebook is about that file: no empty table, no blank outlet, no report of
    the ledger named in its closing paragraph."""
    import nbformat

    from helpers.run.runner import Run

    run = Run("20_claims.ipynb", "own", {"claims_path": str(OWN_CLAIMS)})
    [result] = run_notebooks([run], executed_dir=tmp_path / "out")
    assert result.ok, result.message
    nb = nbformat.read(tmp_path / "out" / run.output_name, as_version=4)
    texts = [
        o.get("data", {}).get(kind, "")
        for c in nb.cells
        for o in c.get("outputs", [])
        for kind in ("text/markdown", "text/plain", "text/html")
    ]
    everything = "\n".join(texts)
    assert "Empty DataFrame" not in everything and "Until Harm Ends" not in everything
    assert "Read 4 claims from `own_claims.csv`" in everything
    # by hand: 100 * (100 - 80) / 80 = 25, not 20 -> the only inconsistent claim; 120 + 75 = 195 is nearly 200
    assert "Of 4 distinct claims made in words by the rows of `own_claims.csv`" in everything
    assert "1 do not match the numbers beside them" in everything
    closing = [t for t in texts if t.startswith("Of the 1 inconsistent claim")]
    assert closing == ["Of the 1 inconsistent claim, 1 shows the commonest slip, *change divided by the later value*."]
    assert "The claims do not name a report, so there is nothing to group by." in everything
    assert "<td></td>" not in everything, "a blank cell (an outlet with no name)"
