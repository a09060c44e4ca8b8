"""Scenarios for which councils answered: MCAR, MAR (by size or by DfE's rate) and MNAR (by the unknown rate).

The reports publish how many councils answered, never which. A scenario draws an answering set of
exactly that size from the real frame of councils, with response probabilities that follow one of three
mechanisms:

- ``mcar``: every council equally likely to answer (missing completely at random);
- ``mar_size``: larger councils (by UASC looked after at 31 March) more likely to answer, with
  log-odds slope ``strength`` on log size (missing at random given size, which is known);
- ``mar_dfe``: councils where more of all looked-after children go missing (DfE's rate, known for every
  council) less likely to answer, with log-odds slope ``strength`` on its logit; since a council's own
  rate follows its DfE rate, this is response related to the rate through something known, which
  weighting on DfE's rate can repair;
- ``mnar``: councils where more children go missing less likely to answer, with log-odds slope
  ``strength`` (negative) on the logit of the council's own, unknown rate: the sensitivity parameter.

Each council is then given children in care and children who went missing so that the answering set
adds up exactly to the published totals; the silent councils' figures are SYNTHETIC (made up under the
scenario's assumptions) and are labelled so wherever they appear.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit, logit

from helpers.ledger.errors import ParameterError

MECHANISMS = {
    "mcar": "MCAR: response unrelated to anything",
    "mar_size": "MAR: response rises with council size (UASC)",
    "mar_dfe": "MAR: response falls where DfE's missing rate is higher",
    "mnar": "MNAR: response falls where more children are recorded as missing",
}
DEFAULT_STRENGTH = {"mcar": 0.0, "mar_size": 1.0, "mar_dfe": -2.0, "mnar": -2.0}
# DfE suppresses small council counts; a suppressed UASC count is taken as 3 (the middle of 1 to 5).
SUPPRESSED_UASC = 3.0


def scenario_name(mechanism: str, strength: float) -> str:
    """A scenario's name in words, e.g. 'MNAR, slope -1' (the slope is on the log-odds of answering)."""
    short = {"mcar": "MCAR", "mar_size": "MAR by size", "mar_dfe": "MAR by DfE rate", "mnar": "MNAR"}[mechanism]
    return short if mechanism == "mcar" else f"{short}, slope {strength:+g}"


def check_mechanisms(mechanisms) -> list[str]:
    """A list of mechanism names, each one of MECHANISMS."""
    from helpers.ledger.choices import check_choices

    return check_choices("mechanisms", mechanisms, MECHANISMS)


def check_strengths(strengths) -> dict:
    """Strengths by mechanism ({"mnar": -1.0}), merged over DEFAULT_STRENGTH; unknown names or non-numbers
    raise ParameterError naming the valid mechanisms."""
    strengths = strengths or {}
    if not isinstance(strengths, dict):
        raise ParameterError(f"strengths={strengths!r} must be a mapping such as {{'mnar': -1.0}}")
    for name, value in strengths.items():
        if name not in MECHANISMS:
            raise ParameterError(f"strengths: {name!r} is not a mechanism; valid values: {', '.join(MECHANISMS)}")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ParameterError(f"strengths: {name}={value!r} is not a number")
    return {**DEFAULT_STRENGTH, **{k: float(v) for k, v in strengths.items()}}


def check_answering(k, n_frame: int) -> int:
    """The number of answering councils must be a whole number from 1 to the frame's size."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= n_frame:
        raise ParameterError(
            f"answering councils={k!r} is outside the valid range 1 to {n_frame} (the number of councils in the frame)"
        )
    return int(k)


def check_response_rate(rate) -> float:
    """A response rate strictly above 0 and at most 1."""
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate <= 1:
        raise ParameterError(f"response_rate={rate!r} is outside the valid range: above 0 and at most 1")
    return float(rate)


def model_inputs(frame: pd.DataFrame) -> pd.DataFrame:
    """The English part of a council frame, with the columns the scenarios and estimators use.

    ``aux`` is UASC looked after at 31 March plus one (suppressed counts as 3); ``dfe_rate`` is DfE's
    share of all children looked after during the year who went missing (councils without it get the
    median); ``size_band`` is the quartile of ``aux``. Only England has these figures, so the modelled
    frame is England's councils.
    """
    eng = frame[frame["england"]].copy()
    uasc = eng["uasc_at_31_march"].fillna(SUPPRESSED_UASC)
    eng["aux"] = uasc + 1.0
    rate = eng["children_missing"] / eng["cla_during_year"]
    eng["dfe_rate"] = rate.fillna(rate.median()).clip(0.005, 0.6)
    eng["size_band"] = pd.qcut(eng["aux"].rank(method="first"), 4, labels=False).astype(int)
    return eng.reset_index(drop=True)


def between_council_spread(dfe_rate: np.ndarray) -> float:
    """Standard deviation of the councils' DfE missing rates on the logit scale."""
    return float(np.std(logit(np.asarray(dfe_rate)), ddof=1))


_LOGIT_SD_CACHE: dict = {}


def dfe_logit_sd(inputs: pd.DataFrame) -> float:
    """DfE's measured heterogeneity: the between-council SD of the logit missing rate in the frame's year.

    The sigma of a binomial model with a normal council effect (:func:`helpers.stats.clustering.fit_logit_normal`)
    fitted to the frame's children who went missing of children looked after during the year, so the
    binomial noise of small councils is not counted as spread (about 0.30 in 2024, 0.56 in 2015). It is
    the default spread of the synthetic councils.
    """
    from helpers.stats.clustering import fit_logit_normal

    if not {"children_missing", "cla_during_year"} <= set(inputs.columns):
        raise ParameterError(
            "inputs need the columns children_missing and cla_during_year (model_inputs of a council frame) "
            "to measure DfE's spread; or pass logit_sd"
        )
    counts = inputs[["children_missing", "cla_during_year"]].dropna()
    counts = counts[counts["cla_during_year"] > 0]
    x, n = counts["children_missing"].to_numpy(float), counts["cla_during_year"].to_numpy(float)
    key = (x.tobytes(), n.tobytes())
    if key not in _LOGIT_SD_CACHE:
        _LOGIT_SD_CACHE[key] = fit_logit_normal(x, n, interval=False)["sigma"]
    return _LOGIT_SD_CACHE[key]


def legacy_logit_sd(dfe_rate: np.ndarray) -> float:
    """The spread the synthetic councils had before they were calibrated (kept as a sensitivity).

    Each council's logit rate was DfE's (binomial noise included) plus fresh noise of the same SD, so its
    expected SD was sqrt(var + sd^2) of DfE's logit rates: about 0.47 in 2024, 1.5 times DfE's measured
    spread and so about twice its ICC at any rate.
    """
    base = logit(np.asarray(dfe_rate, float))
    return float(np.sqrt(np.var(base - base.mean()) + between_council_spread(dfe_rate) ** 2))


def council_logit_noise(dfe_rate: np.ndarray, rng: np.random.Generator, size, logit_sd: float) -> np.ndarray:
    """Each synthetic council's logit rate about the centre: DfE's rate plus fresh noise, scaled to ``logit_sd``.

    The shape is the one the synthetic councils always had (half of the variance follows DfE's rate, which
    MAR by DfE's rate relies on, half is the council's own); the scale makes the expected SD ``logit_sd``.
    With ``logit_sd`` = :func:`legacy_logit_sd` the draws are those of the uncalibrated councils.
    """
    if isinstance(logit_sd, bool) or not isinstance(logit_sd, (int, float)) or not 0 <= logit_sd <= 5:
        raise ParameterError(f"logit_sd={logit_sd!r} is outside the valid range 0 to 5 (an SD on the logit scale)")
    base = logit(np.asarray(dfe_rate, float))
    raw = base - base.mean() + rng.normal(0.0, between_council_spread(dfe_rate), size)
    return raw * (float(logit_sd) / legacy_logit_sd(dfe_rate))


def gumbel_top_k(log_weights: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Boolean mask (same shape as ``log_weights``, rows = replicates) of exactly k units per row.

    Sampling without replacement with probabilities proportional to exp(log_weights), drawn at once for
    every row by the Gumbel-top-k trick (no Python loop per replicate).
    """
    return top_k(np.atleast_2d(log_weights) + rng.gumbel(size=np.atleast_2d(log_weights).shape), k)


def top_k(keys: np.ndarray, k: int) -> np.ndarray:
    """Boolean mask of the k largest keys in every row (the answering councils)."""
    keys = np.atleast_2d(keys)
    idx = np.argpartition(-keys, k - 1, axis=1)[:, :k]
    mask = np.zeros(keys.shape, dtype=bool)
    np.put_along_axis(mask, idx, True, axis=1)
    return mask


def response_log_weights(
    mechanism: str, aux: np.ndarray, logit_p: np.ndarray, strength: float, dfe_rate: np.ndarray | None = None
) -> np.ndarray:
    """Log response weights of each council under a mechanism (see the module docstring)."""
    if mechanism == "mcar":
        return np.zeros_like(logit_p)
    if mechanism == "mar_size":
        return strength * np.broadcast_to(np.log(aux), logit_p.shape)
    if mechanism == "mar_dfe":
        if dfe_rate is None:
            raise ParameterError("mechanism='mar_dfe' needs the councils' DfE missing rates")
        return strength * np.broadcast_to(logit(np.asarray(dfe_rate, float)), logit_p.shape)
    if mechanism == "mnar":
        return strength * logit_p
    raise ParameterError(f"mechanism={mechanism!r} is not valid; valid values: {', '.join(MECHANISMS)}")


def _round_to_total(values: np.ndarray, total: int) -> np.ndarray:
    """Whole numbers close to ``values`` that add up to ``total`` (largest remainders)."""
    floor = np.floor(values).astype(int)
    short = int(total - floor.sum())
    if short > 0:
        floor[np.argsort(-(values - floor), kind="stable")[:short]] += 1
    return floor


def scenario_councils(
    inputs: pd.DataFrame,
    in_care: int,
    went_missing: int,
    k: int,
    mechanism: str,
    seed: int,
    strength: float | None = None,
    logit_sd: float | None = None,
) -> pd.DataFrame:
    """One scenario on the real frame: an answering set of k councils and council-level counts.

    The answering councils' children in care add up to ``in_care`` and those who went missing to
    ``went_missing`` (the published totals); each council's share of children follows its UASC count, its
    rate follows its DfE missing rate plus council-level noise (:func:`council_logit_noise`), with an SD on
    the logit scale of ``logit_sd`` (default: DfE's measured spread, :func:`dfe_logit_sd`). The silent
    councils get counts on the same model (column ``synthetic`` is True for them).
    """
    if went_missing > in_care or went_missing < 0:
        raise ParameterError(f"went_missing={went_missing} is outside the valid range 0 to in_care={in_care}")
    k = check_answering(k, len(inputs))
    strength = DEFAULT_STRENGTH[mechanism] if strength is None else float(strength)
    rng = np.random.default_rng(seed)
    aux = inputs["aux"].to_numpy(float)
    spread = dfe_logit_sd(inputs) if logit_sd is None else logit_sd
    shape = aux * np.exp(rng.normal(0.0, 0.3, len(aux)))
    noise = council_logit_noise(inputs["dfe_rate"].to_numpy(float), rng, len(aux), spread)
    weights = response_log_weights(mechanism, aux, noise[None, :], strength, inputs["dfe_rate"].to_numpy(float))
    responded = gumbel_top_k(weights, k, rng)[0]
    n_exp = shape / shape[responded].sum() * in_care
    n = np.zeros(len(aux), dtype=int)
    n[responded] = _round_to_total(n_exp[responded], in_care)
    n[~responded] = np.round(n_exp[~responded]).astype(int)
    shift = (
        brentq(lambda a: (n[responded] * expit(a + noise[responded])).sum() - went_missing, -30, 30)
        if 0 < went_missing < in_care
        else (-30.0 if went_missing == 0 else 30.0)
    )
    p = expit(shift + noise)
    m = np.zeros(len(aux), dtype=int)
    m[responded] = _round_to_total(n[responded] * p[responded], went_missing)
    m[~responded] = np.round(n[~responded] * p[~responded]).astype(int)
    out = inputs[["council_code", "name", "region", "aux", "dfe_rate", "size_band"]].copy()
    out["in_care"], out["went_missing"], out["responded"] = n, m, responded
    out["synthetic"] = ~responded
    return out
