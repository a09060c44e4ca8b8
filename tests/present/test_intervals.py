"""The interval vocabulary: one name per kind, at any level (helpers.present.intervals)."""

import pytest

from helpers.present.intervals import INTERVAL_KINDS, coverage, interval_name


@pytest.mark.parametrize(
    ("alpha", "expected"), [(0.05, "95%"), (0.01, "99%"), (0.1, "90%"), (0.005, "99.5%"), (0.001, "99.9%")]
)
def test_coverage_is_one_minus_alpha_in_per_cent(alpha, expected):
    assert coverage(alpha) == expected


def test_names_follow_alpha_and_fields():
    assert interval_name("sampling") == "95% CI (sampling only)"
    assert interval_name("sampling", 0.01) == "99% CI (sampling only)"
    assert interval_name("random_effects", 0.1, df=2) == "90% CI (random effects, t on 2 df)"
    assert interval_name("random_effects") == "95% CI (random effects, t on k−2 df)"
    assert interval_name("design_effect", deff=1.5) == "95% sensitivity interval (design effect 1.5)"
    assert interval_name("scenario_range", n=20) == "range across 20 synthetic scenarios"
    assert interval_name("bounds", 0.01) == "bounds (no assumption)"


def test_every_kind_has_a_name_without_fields():
    for kind in INTERVAL_KINDS:
        assert "{" not in interval_name(kind)


def test_an_unknown_kind_names_the_valid_ones():
    with pytest.raises(ValueError, match="valid kinds: sampling"):
        interval_name("wald")
