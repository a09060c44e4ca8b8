"""The collection's interval vocabulary: one name for each kind of interval, at any level.

Every table header, chart legend and sentence that names an interval takes its words from
:func:`interval_name`, so a run at ``alpha=0.01`` says "99%" everywhere and no two places spell the same
interval two ways. The statistics layers return numbers and a *kind* (a key of :data:`INTERVAL_KINDS`);
the words are made here.
"""

from __future__ import annotations

#: kind -> the name's pattern. ``{level}`` is the coverage ("95%"); other fields come from the caller.
INTERVAL_KINDS = {
    "sampling": "{level} CI (sampling only)",
    "design_effect": "{level} sensitivity interval (design effect {deff})",
    "random_effects": "{level} CI (random effects, t on {df} df)",
    "quasi_binomial": "{level} CI (quasi-binomial, t on residual df)",
    "binomial": "{level} CI (binomial, sampling only)",
    "credible": "{level} credible interval",
    "bias_adjusted": "{level} bias-adjusted interval",
    "bounds": "bounds (no assumption)",
    "scenario_range": "range across {n} synthetic scenarios",
    "none": "no interval",
}
#: The fields a kind needs beyond the level, with the value used when the caller gives none.
DEFAULT_FIELDS = {"deff": "d", "df": "k−2", "n": "N"}


def coverage(alpha: float = 0.05) -> str:
    """The nominal coverage of an interval at ``alpha`` in words: 0.05 -> '95%', 0.005 -> '99.5%'.

    ``alpha`` is trusted here: it is checked where it enters (a notebook parameter or an ``mfc`` option).
    """
    return f"{100 * (1 - alpha):g}%"


def interval_name(kind: str, alpha: float = 0.05, **fields) -> str:
    """The name of an interval of ``kind`` at level 1 - ``alpha``.

    Parameters
    ----------
    kind : str
        A key of :data:`INTERVAL_KINDS`, for example ``"sampling"`` or ``"random_effects"``.
    alpha : float
        One minus the coverage.
    **fields
        What the name says beyond its level: ``deff`` (a design effect, number or words), ``df`` (degrees
        of freedom) and ``n`` (synthetic scenarios). Numbers are written plainly (``deff=1.5`` -> "1.5").

    Returns
    -------
    str
        For example ``interval_name("sampling")`` -> ``"95% CI (sampling only)"`` and
        ``interval_name("random_effects", 0.1, df=2)`` -> ``"90% CI (random effects, t on 2 df)"``.
    """
    try:
        pattern = INTERVAL_KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown interval kind {kind!r}; valid kinds: {', '.join(INTERVAL_KINDS)}") from None
    values = {**DEFAULT_FIELDS, **{k: (f"{v:g}" if isinstance(v, float) else v) for k, v in fields.items()}}
    return pattern.format(level=coverage(alpha), **values)
