"""Claim summaries for the claims notebook: syndicated copies and small-n counts."""


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
