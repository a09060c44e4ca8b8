"""Exact arithmetic for published figures: the value a figure rests on, and whether words agree with it.

A published "37%" agrees with 864 of 2,335 if 37 is the exact share rounded to the decimals it shows,
half-up or half-even (they differ only at an exact tie such as 593 of 4,744 = 12.5%). Qualified wording
("nearly 20%", "more than one in six") has its own rule. Arithmetic is on Fractions built from the text
of each number, so a tie is a tie, not 12.4999... The claim checker and the headline tables share it.
"""

import math
import operator
import re
from fractions import Fraction

KINDS = ("proportion", "percent_change", "one_in_n", "total")
QUALIFIERS = ("exact", "about", "nearly", "more_than", "at_least", "less_than")  # empty means exact
# How each qualifier reads in a sentence, for tables and notebooks ("more than 200").
QUALIFIER_WORDS = {
    "": "",
    "exact": "",
    "about": "about ",
    "nearly": "nearly ",
    "more_than": "more than ",
    "at_least": "at least ",
    "less_than": "less than ",
}

_COMPARISONS = {
    "nearly": lambda value, target: target * Fraction(9, 10) <= value <= target,
    "more_than": operator.gt,
    "at_least": operator.ge,
    "less_than": operator.lt,
}
# Plain decimals only, as the frictionless schema reads them: "2400", "13.8", "-12". No "2,400".
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def parse_number(text):
    """Return the exact value of a number written as text ("12.50" -> Fraction(25, 2)).

    Raises ValueError for anything but a plain decimal (no thousands separators, no exponent).
    """
    if not isinstance(text, str) or not _NUMBER.fullmatch(text.strip()):
        raise ValueError(f"{text!r} is not a number")
    return Fraction(text.strip())


def decimals(text):
    """Number of decimals a number shows as written: "37" -> 0, "13.8" -> 1, "12.50" -> 2."""
    _, _, fraction = text.strip().partition(".")
    return len(fraction)


def computed_value(kind, a, b):
    """The exact figure a claim rests on: a per cent, N of "one in N", or a sum.

    proportion 100*a/b; percent_change 100*(b-a)/a (a before, b after); one_in_n b/a; total a+b with
    b None meaning 0. Raises ZeroDivisionError when the figure is undefined.
    """
    a, b = Fraction(a), Fraction(b or 0)
    if kind == "proportion":
        return 100 * a / b
    if kind == "percent_change":
        return 100 * (b - a) / a
    if kind == "one_in_n":
        return b / a
    if kind == "total":
        return a + b
    raise ValueError(f"unknown kind {kind!r}; valid kinds: {', '.join(KINDS)}")


def _round_half_up(value, places):
    """value rounded to `places` decimals, halves away from zero."""
    scale = Fraction(10) ** places
    sign = -1 if value < 0 else 1
    return sign * Fraction(math.floor(abs(value) * scale + Fraction(1, 2))) / scale


def _roundings(value, places):
    """Both roundings in common use (half-up and half-even); they differ only at an exact tie."""
    scale = Fraction(10) ** places
    return {Fraction(round(value * scale)) / scale, _round_half_up(value, places)}


def is_consistent(kind, computed, stated_text, qualifier):
    """Whether the words (`stated_text` with `qualifier`) are consistent with the exact `computed`.

    exact (or empty): stated equals computed rounded to stated's decimals, half-up or half-even.
    about: exact, or within 5% of stated. nearly: 0.9*stated <= computed <= stated.
    more_than / at_least / less_than: computed >, >=, < stated. For one_in_n, nearly and the three
    comparisons apply to the share a/b = 1/N against 1/stated ("more than one in six" means a/b > 1/6,
    "nearly one in three" means a share a little under a third). For percent_change a fall is stated
    negative (-20 for "fell by 20%"); nearly and the comparisons then apply to the size of the fall,
    and a change in the other direction than stated never satisfies them.
    """
    stated = parse_number(stated_text)
    qualifier = qualifier or "exact"
    exact = stated in _roundings(computed, decimals(stated_text))
    if qualifier == "exact":
        return exact
    if qualifier == "about":
        return exact or abs(computed - stated) <= abs(stated) / 20
    value, target = computed, stated
    if kind == "one_in_n":
        if computed == 0 or stated == 0:
            return False
        value, target = 1 / computed, 1 / stated
    if kind == "percent_change" and stated < 0:
        if computed > 0:
            return False  # a rise is never "a fall of less than 10%"
        value, target = -computed, -stated  # "fell by more than 20%" compares the size of the fall
    elif kind == "percent_change" and stated > 0 and computed < 0:
        return False
    if qualifier not in _COMPARISONS:
        raise ValueError(f"unknown qualifier {qualifier!r}; valid qualifiers: {', '.join(QUALIFIERS)}")
    return _COMPARISONS[qualifier](value, target)
