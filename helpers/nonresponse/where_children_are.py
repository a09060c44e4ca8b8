"""Where the children are: the share of children, not of councils, that silent councils could hold.

The reports publish how many councils answered, never which, and never how many children the silent ones
hold. Councils differ a great deal in size (at 31 March 2015 Croydon and Kent together held about a third
of England's unaccompanied children), so the share of councils that stayed silent is a poor stand-in for
the share of children. DfE's council counts give each English council's size:

- unaccompanied children: DfE's unaccompanied asylum-seeking children looked after at 31 March
  (``uasc_at_31_march`` of ``data/context/council_years.csv``), in the DfE year nearest the report's;
- trafficked children: the children-in-need assessments that recorded Trafficking (DfE table C3,
  ``cin_assessments_trafficking``), in the nearest year held; the table starts in 2018, so 2018 stands in
  for 2015 and 2017. It counts assessments, not children in care: it says how trafficked children are
  spread across councils, not how many there are.

A suppressed council count (a small number) is taken as :data:`SUPPRESSED_AS`; a council with no usable
value in that year (withheld, or not listed) takes its value in the nearest year that has one, else the
median of the year. Wales, Scotland and Northern Ireland have no council counts: they form a **block** of
councils of unknown size. The shares below are shares of **England's** children; the block's councils
take part in the random draws (so the number of silent English councils varies as it would), each
weighted like a median English council in the size-tilted draws.

From a distribution and the number of silent councils, :func:`silent_child_share` gives

- the no-assumption range: the silent English councils (their number in proportion to England's share
  of the frame) are the smallest ones, up to the largest ones;
- a random-silence distribution: the silent councils are a random set of the published size (seeded);
  its 5th, 50th and 95th percentiles;
- a size-tilted sensitivity: the chance of being silent proportional to (size + 1) ** tilt, so a
  positive tilt makes large councils more likely to be silent, a negative one less.

:func:`probability_holds` turns two groups' draws into the probability that a conclusion 'a above b'
survives the worst rates of the silent councils (q_a = 0, q_b = 1). Numbers only: the sentences are in
:mod:`helpers.present.nonresponse_findings`.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.ledger.errors import ParameterError

#: The council count behind each group's distribution (a measure of ``council_years``).
GROUP_MEASURES = {"unaccompanied": "uasc_at_31_march", "trafficked": "cin_assessments_trafficking"}
#: What each measure counts, for labels.
MEASURE_NAMES = {
    "uasc_at_31_march": "DfE unaccompanied asylum-seeking children looked after at 31 March",
    "cin_assessments_trafficking": "DfE children-in-need assessments recording trafficking (table C3)",
}
#: A suppressed council count: DfE suppresses small numbers (1 to 5), so the middle of that range.
SUPPRESSED_AS = 3.0
#: Random draws of the silent councils per distribution.
DRAWS = 10_000
#: Size tilts of the sensitivity: silence proportional to (size + 1) ** tilt.
TILTS = (-1.0, 1.0)
SEED = 20251206


@dataclass(frozen=True, eq=False)
class ChildDistribution:
    """How one group's children are spread over England's councils in one report's frame.

    ``counts`` follow ``council_codes`` (the English councils of the frame, in code order);
    ``report_year`` is the DfE year of the report, ``year`` the year of the counts used (they differ
    where the nearest year held stands in); ``suppressed`` and ``filled`` count the councils whose value
    is :data:`SUPPRESSED_AS` or taken from another year (or the median); ``block_councils`` is the number of
    councils of the frame outside England (no council counts).
    """

    group: str
    measure: str
    report_year: int
    year: int
    council_codes: tuple
    counts: np.ndarray
    suppressed: int
    filled: int
    block_councils: int

    @property
    def total(self) -> float:
        return float(self.counts.sum())

    @property
    def frame_councils(self) -> int:
        return len(self.counts) + self.block_councils


@dataclass(frozen=True, eq=False)
class SilentChildShare:
    """The silent share of one group's children in England, three ways (see the module docstring).

    ``silent_councils`` of ``frame_councils`` are silent (the council share times the frame);
    ``england_silent`` is their number in England for the range (in proportion to England's councils);
    ``low`` and ``high`` the range; ``p05``, ``p50``, ``p95`` the random-silence percentiles;
    ``tilted`` maps each tilt to its (p05, p50, p95); ``draws`` the random-silence shares themselves
    (one per draw, for :func:`probability_holds`).
    """

    distribution: ChildDistribution
    council_share: float
    silent_councils: int
    england_silent: int
    low: float
    high: float
    p05: float
    p50: float
    p95: float
    tilted: dict
    draws: np.ndarray


def nearest_year(wanted: int, held) -> int:
    """The year in ``held`` nearest ``wanted`` (the later one on a tie)."""
    held = sorted(int(y) for y in held)
    if not held:
        raise ParameterError("no year holds a value for this measure")
    return min(held, key=lambda y: (abs(y - wanted), -y))


def child_distribution(
    councils: pd.DataFrame, council_years: pd.DataFrame, group: str, report_year: int
) -> ChildDistribution:
    """The distribution of ``group``'s children over the English councils of the frame of ``report_year``.

    ``councils`` and ``council_years`` are the ledger's context tables; the frame is
    :func:`helpers.nonresponse.frame.council_frame` of the report's DfE year. See the module docstring for
    the counts used and how suppressed or missing values are filled.
    """
    from helpers.nonresponse.frame import council_frame, dfe_year

    if group not in GROUP_MEASURES:
        raise ParameterError(f"group={group!r} has no council counts; valid groups: {', '.join(GROUP_MEASURES)}")
    measure = GROUP_MEASURES[group]
    frame_year = dfe_year(str(report_year), council_years["year"])
    frame = council_frame(councils, council_years, frame_year)
    england = sorted(frame.loc[frame["england"], "council_code"])
    rows = council_years[council_years["measure"] == measure]
    if rows.empty:
        raise ParameterError(f"council_years has no measure {measure!r}; run `mfc build-context`")
    held = rows.loc[rows["value"].notna(), "year"].unique()
    year = nearest_year(int(report_year), held)
    wide = rows.pivot_table(index="council_code", columns="year", values="value", aggfunc="first")
    flags = rows[rows["year"] == year].set_index("council_code")["value_flag"]
    counts, suppressed, filled = [], 0, 0
    for code in england:
        value = wide.at[code, year] if code in wide.index and year in wide.columns else np.nan
        if pd.notna(value):
            counts.append(float(value))
        elif flags.get(code) == "suppressed":
            counts.append(SUPPRESSED_AS)
            suppressed += 1
        else:
            others = wide.loc[code].dropna() if code in wide.index else pd.Series(dtype=float)
            fill = others[nearest_year(year, others.index)] if len(others) else np.nan
            counts.append(float(fill))
            filled += 1
    counts = np.asarray(counts, float)
    median = float(np.nanmedian(counts))
    counts = np.where(np.isnan(counts), median, counts)  # no value in any year: the median of the year
    return ChildDistribution(
        group=group,
        measure=measure,
        report_year=int(report_year),
        year=int(year),
        council_codes=tuple(england),
        counts=counts,
        suppressed=suppressed,
        filled=filled,
        block_councils=int((~frame["england"]).sum()),
    )


def share_range(counts, k: int) -> tuple[float, float]:
    """(smallest, largest) share of the total that ``k`` of the councils can hold: the k smallest, the k largest."""
    counts = np.sort(np.asarray(counts, float))
    if not 0 <= k <= len(counts):
        raise ParameterError(f"k={k!r} silent councils is outside 0 to {len(counts)}")
    total = counts.sum()
    if total <= 0:
        raise ParameterError("the council counts add up to 0: no share of children can be computed")
    return float(counts[:k].sum() / total), float(counts[len(counts) - k :].sum() / total)


def _rng(seed: int, key: str) -> np.random.Generator:
    """A generator per (seed, key): the same key gives the same silent sets, different keys independent ones."""
    return np.random.default_rng([int(seed), zlib.crc32(key.encode())])


def silent_masks(weights, silent: int, draws: int, rng: np.random.Generator) -> np.ndarray:
    """For each draw, which councils are silent: a weighted random sample of ``silent`` without replacement.

    Efraimidis and Spirakis' keys u ** (1 / w), the ``silent`` largest taken: equal weights give a simple
    random sample. The keys depend only on the generator, so with one generator the silent sets of two
    sizes are nested (councils silent on one question are taken to be silent on the other too).
    Returns a boolean array (draws x councils).
    """
    w = np.asarray(weights, float)
    n = len(w)
    if not 0 <= silent <= n:
        raise ParameterError(f"silent={silent!r} councils is outside 0 to {n}")
    keys = np.log(rng.random((draws, n))) / w  # the log of u ** (1 / w): same order, no underflow
    if silent == 0:
        return np.zeros((draws, n), bool)
    cut = np.partition(keys, n - silent, axis=1)[:, n - silent]
    return keys >= cut[:, None]


def silent_draws(
    dist: ChildDistribution, silent_councils: int, *, tilt: float = 0.0, draws: int = DRAWS, seed: int = SEED, key=""
) -> np.ndarray:
    """England's silent share of children in each of ``draws`` random silent sets of ``silent_councils``."""
    sizes = np.concatenate([dist.counts, np.full(dist.block_councils, float(np.median(dist.counts)))])
    masks = silent_masks((sizes + 1.0) ** tilt, silent_councils, draws, _rng(seed, f"{key}|{tilt}"))
    return masks[:, : len(dist.counts)] @ dist.counts / dist.total


def silent_child_share(
    dist: ChildDistribution,
    council_share: float,
    *,
    draws: int = DRAWS,
    seed: int = SEED,
    key: str = "",
    tilts=TILTS,
) -> SilentChildShare:
    """The silent share of ``dist``'s children three ways, at a share ``council_share`` of councils silent.

    ``key`` names the silent set (e.g. the report id): distributions drawn with the same key and seed
    share their silent councils, draw for draw.
    """
    if not 0 <= council_share <= 1:
        raise ParameterError(f"council_share={council_share!r} must be a fraction from 0 to 1")
    if draws < 100:
        raise ParameterError(f"draws={draws!r} must be at least 100")
    n_frame = dist.frame_councils
    m = int(round(council_share * n_frame))
    k = int(round(m * len(dist.counts) / n_frame))
    low, high = share_range(dist.counts, k)
    random = silent_draws(dist, m, draws=draws, seed=seed, key=key)
    tilted = {
        float(t): tuple(
            float(v) for v in np.percentile(silent_draws(dist, m, tilt=t, draws=draws, seed=seed, key=key), [5, 50, 95])
        )
        for t in tilts
    }
    p05, p50, p95 = (float(v) for v in np.percentile(random, [5, 50, 95]))
    return SilentChildShare(dist, float(council_share), m, k, low, high, p05, p50, p95, tilted, random)


def holds_worst_case(a: float, b: float, share_a, share_b, comparator_moves: bool = True) -> np.ndarray:
    """Whether 'a above b' survives the worst silent rates (q_a = 0, q_b = 1) at silent shares of children.

    Both move: (1 - s_a) a > (1 - s_b) b + s_b. Comparator fixed (a census): (1 - s_a) a > b.
    """
    s_a = np.asarray(share_a, float)
    if not comparator_moves:
        return (1 - s_a) * a > b
    s_b = np.asarray(share_b, float)
    return (1 - s_a) * a > (1 - s_b) * b + s_b


def probability_holds(a: float, b: float, draws_a, draws_b=None, comparator_moves: bool = True) -> float:
    """The share of random-silence draws in which 'a above b' survives the worst silent rates."""
    return float(np.mean(holds_worst_case(a, b, draws_a, draws_b, comparator_moves)))
