"""clustering's formulas pinned on small tables whose answers are worked out by hand in the comments.

The ledger-based tests of the same module (the ICC of DfE's councils, the sensitivity grid) are in
tests/stats/test_design_effect.py; these pin the arithmetic itself, so that a changed sign, power or
default in the Pearson residual or the design-effect curve changes an asserted number.
"""

import numpy as np
import pandas as pd
import pytest

from helpers.ledger.errors import ParameterError
from helpers.stats import clustering as de


def council_table():
    """Four councils in 2024 (sizes 10, 20, 40, 50; children missing 1, 6, 8, 20), listed out of size order,
    plus rows the function must leave out: an older year, a council without a size and one of size 0."""
    rows = [
        ("C", 2024, "cla_during_year", 40),
        ("C", 2024, "children_missing", 8),
        ("A", 2024, "cla_during_year", 10),
        ("A", 2024, "children_missing", 1),
        ("D", 2024, "cla_during_year", 50),
        ("D", 2024, "children_missing", 20),
        ("B", 2024, "cla_during_year", 20),
        ("B", 2024, "children_missing", 6),
        ("E", 2024, "children_missing", 3),  # no size: dropped
        ("F", 2024, "cla_during_year", 0),  # size 0: dropped
        ("F", 2024, "children_missing", 0),
        ("A", 2023, "cla_during_year", 1000),  # another year: ignored
        ("A", 2023, "children_missing", 900),
    ]
    return pd.DataFrame(rows, columns=["council_code", "year", "measure", "value"])


# Hand calculation. Pooled rate p = (1 + 6 + 8 + 20) / (10 + 20 + 40 + 50) = 35/120 = 7/24, so
# p (1 - p) = 119/576. Squared Pearson residual r² = (x - n p)² / (n p (1 - p)):
#   A: (1 - 70/24)²  / (10 * 119/576) = (529/144)  / (1190/576) = 1058/595
#   B: (6 - 140/24)² / (20 * 119/576) = (1/36)     / (2380/576) = 4/595
#   C: (8 - 280/24)² / (40 * 119/576) = (121/9)    / (4760/576) = 968/595
#   D: (20 - 350/24)² / (50 * 119/576) = (4225/144) / (5950/576) = 1690/595
R2 = {"A": 1058 / 595, "B": 4 / 595, "C": 968 / 595, "D": 1690 / 595}


def test_dispersion_by_size_halves_by_hand():
    out = de.dispersion_by_size(council_table(), 2024, parts=2)
    assert list(out.columns) == ["part", "councils", "smallest", "largest", "mean_size", "dispersion"]
    # sorted by size: A (10), B (20) | C (40), D (50)
    assert out["part"].tolist() == [1, 2]
    assert out["councils"].tolist() == [2, 2]
    assert out["smallest"].tolist() == [10, 40] and out["largest"].tolist() == [20, 50]
    assert out["mean_size"].tolist() == [15.0, 45.0]
    assert out["dispersion"].tolist() == pytest.approx([(R2["A"] + R2["B"]) / 2, (R2["C"] + R2["D"]) / 2], rel=1e-12)
    # 531/595 = 0.8924 and 1329/595 = 2.2336: the small councils' half is the less dispersed one
    assert out["dispersion"].tolist() == pytest.approx([0.892437, 2.233613], abs=1e-6)


def test_dispersion_by_size_defaults_to_the_latest_year_and_splits_unevenly():
    whole = de.dispersion_by_size(council_table(), parts=1)  # latest year, 2024
    assert whole["councils"].tolist() == [4]
    assert whole["dispersion"].iloc[0] == pytest.approx(sum(R2.values()) / 4, rel=1e-12)  # 3720/2380 = 1.5630
    thirds = de.dispersion_by_size(council_table(), 2024, parts=3)  # numpy's array_split: 2, 1, 1
    assert thirds["councils"].tolist() == [2, 1, 1]
    assert thirds["dispersion"].tolist() == pytest.approx([(R2["A"] + R2["B"]) / 2, R2["C"], R2["D"]], rel=1e-12)


def test_dispersion_of_binomial_looking_councils_is_one():
    # Two councils, n = 100 each, x = 45 and 55: p = 1/2, n p (1 - p) = 25, r² = 25/25 = 1 for both.
    rows = [
        (c, 2024, m, v)
        for c, x in (("A", 45), ("B", 55))
        for m, v in (("cla_during_year", 100), ("children_missing", x))
    ]
    frame = pd.DataFrame(rows, columns=["council_code", "year", "measure", "value"])
    assert de.dispersion_by_size(frame, 2024, parts=1)["dispersion"].iloc[0] == pytest.approx(1.0, rel=1e-12)


def test_design_effect_curve_by_hand():
    # d = 1 + ((1 + cv²) m - 1) rho: rho 0.05, m 1, 10, 100 -> 1, 1.45, 5.95 with cv² = 0 (the default
    # notebook 10 draws), and 1.025, 1.7, 8.45 with cv² = 0.5.
    sizes = [1, 10, 100]
    plain = de.design_effect_curve(0.05, sizes)
    assert list(plain.columns) == ["mean_size", "deff"]
    assert plain["mean_size"].tolist() == [1.0, 10.0, 100.0]
    assert plain["deff"].tolist() == pytest.approx([1.0, 1.45, 5.95], rel=1e-12)
    unequal = de.design_effect_curve(0.05, sizes, cv2=0.5)
    assert unequal["deff"].tolist() == pytest.approx([1.025, 1.7, 8.45], rel=1e-12)


def test_design_effect_by_hand_floor_and_refusals():
    # rho 0.01, m 50, cv² 1: 1 + (100 - 1) * 0.01 = 1.99; m 0.5 gives 1 - 0.005, floored at 1.
    assert de.design_effect(0.01, 50, 1.0) == pytest.approx(1.99, rel=1e-12)
    assert de.design_effect(0.01, 0.5) == 1.0
    assert isinstance(de.design_effect(0.01, 50), float)
    assert de.design_effect([0.0, 1.0], 10).tolist() == [1.0, 10.0]
    for bad in (
        {"icc": -0.1, "mean_size": 10},
        {"icc": 1.1, "mean_size": 10},
        {"icc": 0.1, "mean_size": 0},
        {"icc": 0.1, "mean_size": 10, "cv2": -1},
    ):
        with pytest.raises(ParameterError, match="design_effect"):
            de.design_effect(**bad)


def test_size_cv2_by_hand_leaves_out_empty_and_missing_sizes():
    # sizes 10, 20, 30 (0 and NaN left out): mean 20, population variance 200/3, cv² = (200/3)/400 = 1/6
    assert de.size_cv2([10, 20, 30, 0, np.nan]) == pytest.approx(1 / 6, rel=1e-12)
    with pytest.raises(ParameterError, match="at least two"):
        de.size_cv2([10, 0])


def test_design_effect_interval_is_wilson_on_the_effective_counts():
    # d = 4: 20 of 100 becomes 5 of 25. Wilson 95% for 5/25 by hand: centre (0.2 + z²/50) / (1 + z²/25),
    # half-width z sqrt(0.2 * 0.8 / 25 + z² / 2500) / (1 + z²/25), z = 1.959964.
    z = 1.959963984540054
    centre = (0.2 + z * z / 50) / (1 + z * z / 25)
    half = z * np.sqrt(0.2 * 0.8 / 25 + z * z / 2500) / (1 + z * z / 25)
    low, high = de.design_effect_interval(20, 100, 4.0)
    assert float(low) == pytest.approx(centre - half, rel=1e-9) and float(high) == pytest.approx(
        centre + half, rel=1e-9
    )
    for bad in (0.5, np.inf):
        with pytest.raises(ParameterError, match="design effect"):
            de.design_effect_interval(20, 100, bad)


def test_deff_label():
    assert [de.deff_label(d) for d in (1, 1.5, 7.0)] == ["1", "1_5", "7"]


def test_council_icc_leaves_out_councils_of_size_zero():
    # F (size 0) and E (no size) are left out: the mean size is (10 + 20 + 40 + 50) / 4 = 30
    fit = de.council_icc(council_table(), 2024)
    assert fit["clusters"] == 4 and fit["mean_size"] == 30.0 and fit["year"] == 2024


def test_implied_design_effects_name_their_size_spread(ledger):
    from helpers.stats.rates import headline_table

    head = headline_table(ledger.figures, "until-harm-ends")
    implied = de.implied_design_effects(head, ledger.figures, ledger.council_years)
    assert list(implied.columns) == [
        "councils",
        "mean_size",
        "size_cv2",
        "dfe_year",
        "dfe_years",
        "logit_sd",
        "icc",
        "deff",
        "deff_low",
        "deff_high",
        "deff_basis",
    ]
    for group, measure in (("unaccompanied", "uasc_at_31_march"), ("trafficked", "cla_during_year")):
        rows = implied.loc[head["group"] == group]
        year = int(rows["dfe_year"].iloc[0])  # the paired DfE year, whose council sizes give cv^2
        spread = rows["size_cv2"]
        assert len(spread) and (spread == de.council_size_cv2(ledger.council_years, year, measure)).all()


def test_with_sensitivity_needs_no_comparability_column(ledger):
    from helpers.stats.rates import headline_table

    head = headline_table(ledger.figures, "until-harm-ends")
    same = head["comparability"] != "different_council_set"
    plain = de.with_sensitivity(head.drop(columns="comparability"), ledger.figures, ledger.council_years)
    full = de.with_sensitivity(head, ledger.figures, ledger.council_years)
    pd.testing.assert_series_equal(plain.loc[same, "sens_low_deff_3"], full.loc[same, "sens_low_deff_3"])
    assert plain["sens_low_deff_3"].notna().all()


# ----- refusals, edges and the words of the basis (found by a full mutation run) -----


@pytest.mark.parametrize(
    ("x", "n", "message"),
    [
        ([1, 2], [3], "^beta-binomial fit: x and n must be two equal-length lists of at least two clusters$"),
        ([[1, 2]], [[3, 4]], "two equal-length lists"),
        ([1], [3], "two equal-length lists"),
        ([-1, 2], [3, 4], "^beta-binomial fit: each x must lie between 0 and its n, and each n must be positive$"),
        ([4, 2], [3, 4], "each x must lie between 0 and its n"),
        ([1, 0], [3, 0], "each n must be positive"),
        ([np.nan, 2], [3, 4], "each x must lie between 0 and its n"),
        ([1, 2], [np.inf, 4], "each x must lie between 0 and its n"),
    ],
)
def test_beta_binomial_refusals(x, n, message):
    with pytest.raises(ParameterError, match=message):
        de.fit_beta_binomial(x, n)


def test_beta_binomial_at_the_edges_of_zero_and_all():
    # none missing anywhere, and every child missing in one council: both allowed, and the fit stays finite
    none = de.fit_beta_binomial([0, 0, 0], [10, 20, 30])
    assert 0 < none["mean"] < 1e-3 and np.isfinite(none["loglik"])
    every = de.fit_beta_binomial([10, 20, 30], [10, 20, 30])
    assert 1 - 1e-3 < every["mean"] < 1 and np.isfinite(every["loglik"])
    assert de.fit_beta_binomial([10, 5], [10, 20])["clusters"] == 2


def test_council_tables_are_read_with_care():
    with pytest.raises(ParameterError, match=r"^council_years must be the ledger's council_years table \(council_code"):
        de.council_icc([1, 2, 3], 2024)
    # years written as text, a duplicate row (the first value counts) and a suppressed value ("c") dropped
    table = council_table()
    table["year"] = table["year"].astype(str)
    extra = pd.DataFrame(
        [
            ("A", "2024", "cla_during_year", 999),
            ("G", "2024", "cla_during_year", "c"),
            ("G", "2024", "children_missing", 1),
        ],
        columns=table.columns,
    )
    fit = de.council_icc(pd.concat([table, extra], ignore_index=True), 2024)
    assert fit["clusters"] == 4 and fit["mean_size"] == 30.0
    with pytest.raises(
        ParameterError, match=r"no measure 'uasc' in 2024; measures: children_missing, cla_during_year$"
    ):
        de.council_size_cv2(council_table(), 2024, "uasc")


def test_council_icc_with_two_councils_and_one_of_size_one():
    two = council_table()
    two = two[two["council_code"].isin(["A", "B"])]
    assert de.council_icc(two, 2024)["clusters"] == 2  # two councils are enough
    one = pd.concat(
        [
            two,
            pd.DataFrame([("H", 2024, "cla_during_year", 1), ("H", 2024, "children_missing", 0)], columns=two.columns),
        ],
        ignore_index=True,
    )
    assert de.council_icc(one, 2024)["mean_size"] == pytest.approx(31 / 3)  # sizes 10, 20 and 1
    with pytest.raises(ParameterError, match="^council_years: fewer than two councils with both children_missing"):
        de.council_icc(two[two["council_code"] == "A"], 2024)


def test_size_cv2_of_two_sizes_and_of_size_one():
    # sizes 1 and 3: mean 2, population variance 1, cv² = 1/4; two sizes are enough
    assert de.size_cv2([1, 3]) == pytest.approx(0.25, rel=1e-12)
    with pytest.raises(ParameterError, match="^size_cv2 needs at least two positive cluster sizes$"):
        de.size_cv2([5])


def test_design_effect_refusal_message():
    with pytest.raises(
        ParameterError, match=r"^design_effect: icc must lie in 0\.\.1, mean_size be positive and cv2 be >= 0$"
    ):
        de.design_effect(2, 10)


def test_councils_behind_names_where_its_count_comes_from(ledger):
    # data/figures.csv: councils answering for the group (Until Harm Ends), answering the report (Heading
    # Back to Harm), only councils asked (the exploited-children report)
    assert de.councils_behind(ledger.figures, "until-harm-ends", "guardian", "trafficked") == (
        135.0,
        "councils answering for this group",
    )
    assert de.councils_behind(ledger.figures, "heading-back-to-harm", "single", "trafficked") == (
        200.0,
        "councils answering the report",
    )
    assert de.councils_behind(ledger.figures, "exploited-looked-after-children", "single", "exploited") == (
        218.0,
        "councils asked (approximation: not all answered)",
    )
    councils, basis = de.councils_behind(ledger.figures, "no-such-report", "single", "trafficked")
    assert np.isnan(councils) and basis == "no council count published"


def test_implied_design_effects_keep_the_headline_index(ledger):
    from helpers.stats.rates import headline_table

    head = headline_table(ledger.figures, "until-harm-ends").iloc[1:]
    assert list(de.implied_design_effects(head, ledger.figures, ledger.council_years).index) == list(head.index)


def test_with_sensitivity_blanks_pairs_over_two_council_sets(ledger):
    from helpers.stats.rates import DIFFERENT_COUNCIL_SET, headline_table

    head = headline_table(ledger.figures, "until-harm-ends").assign(comparability=DIFFERENT_COUNCIL_SET)
    out = de.with_sensitivity(head, ledger.figures, ledger.council_years, deffs=(2,))
    assert (out["deff_basis"] == "two council sets: no rate").all()
    assert out["deff_low"].isna().all() and out["deff_high"].isna().all()
    for col in ("sens_low_deff_2", "sens_high_deff_2", "sens_low_deff_implied", "sens_high_deff_implied"):
        assert out[col].dtype == float and out[col].isna().all()
    for bad in ((), (np.inf,), (0.5,)):
        with pytest.raises(ParameterError, match="deffs must be design effects of at least 1"):
            de.with_sensitivity(head, ledger.figures, ledger.council_years, deffs=bad)


def test_dispersion_by_size_defaults_to_halves():
    assert de.dispersion_by_size(council_table(), 2024)["councils"].tolist() == [2, 2]
