"""Edges of helpers/nonresponse/estimators.py: every estimator's interval by hand or by statsmodels.

The councils are twelve made-up ones (synthetic counts, not any council's); the formulas are written
out again here from the module's docstrings, so a changed constant or sign in the helper shows.
"""

import numpy as np
import pytest
import statsmodels.api as sm
from ipw_oracle import ipw_statsmodels
from scipy.special import expit, logit
from scipy.stats import norm
from scipy.stats import t as stats_t

from helpers.nonresponse import estimators as est

N = np.array([10, 40, 25, 5, 60, 20, 33, 8, 70, 15, 44, 12])
M = np.array([3, 10, 10, 1, 30, 4, 9, 2, 20, 6, 11, 5])
SIZE = np.array([2.0, 8.0, 5.0, 1.0, 12.0, 4.0, 6.0, 1.5, 14.0, 3.0, 9.0, 2.5])
DFE = np.array([0.08, 0.10, 0.12, 0.07, 0.15, 0.09, 0.11, 0.06, 0.14, 0.10, 0.13, 0.08])
R = np.array([True, False, True, True, False, True, True, False, True, True, False, True])


def wilson(x, n, alpha):
    z = norm.ppf(1 - alpha / 2)
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


@pytest.mark.parametrize("alpha", [0.05, 0.2])
def test_respondents_only_by_hand_for_two_replicates(alpha):
    r2 = np.vstack([R, ~R])
    e, low, high = est.respondents_only(N, M, r2, alpha) if alpha != 0.05 else est.respondents_only(N, M, r2)
    for i, r in enumerate(r2):
        x, n = M[r].sum(), N[r].sum()
        assert e[i] == pytest.approx(x / n)
        assert (low[i], high[i]) == pytest.approx(wilson(x, n, alpha), abs=1e-12)


def hajek(n, m, r, w, alpha):
    w = np.where(r, w, 0.0)
    den = (w * n).sum()
    e = (w * m).sum() / den
    var = sum(wi * max(wi - 1, 0) * (mi - e * ni) ** 2 for wi, mi, ni in zip(w, m, n)) / den**2
    half = norm.ppf(1 - alpha / 2) * np.sqrt(var)
    return e, min(max(e - half, 0), 1), min(max(e + half, 0), 1)


@pytest.mark.parametrize("alpha", [0.05, 0.1])
def test_weighted_ratio_by_hand(alpha):
    w = np.linspace(0.5, 4.0, 12)  # weights below 1 add no variance (w - 1 is clipped at 0)
    got = est.weighted_ratio(N, M, R, w, alpha) if alpha != 0.05 else est.weighted_ratio(N, M, R, w)
    assert [float(g[0]) for g in got] == pytest.approx(hajek(N, M, R, w, alpha), rel=1e-12)


def test_weighted_ratio_clips_its_interval_to_zero_and_one():
    n, r, w = np.array([10, 10, 10]), np.array([True, True, True]), np.array([30.0, 30.0, 30.0])
    e, low, high = est.weighted_ratio(n, np.array([0, 0, 1]), r, w)
    assert (e[0], low[0]) == (pytest.approx(1 / 30), 0.0)  # est - half < 0
    e, low, high = est.weighted_ratio(n, np.array([10, 10, 9]), r, w)
    assert (e[0], high[0]) == (pytest.approx(29 / 30), 1.0)  # est + half > 1
    assert 0 < low[0] < e[0]


def test_weighted_ratio_refuses_a_bad_alpha():
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        est.weighted_ratio(N, M, R, np.ones(12), alpha=1.5)


def test_class_weights_spread_a_band_without_answers():
    r = np.array([True, False, True, False, False, False])
    # bands {0,1}: 2/1 on council 0; {2,3}: 2/1 on council 2; {4,5}: nobody answered.
    # Raw weights 2, 2 add to 4, scaled to the 6 councils: 3 and 3.
    assert est.class_weights(r, [0, 0, 1, 1, 2, 2]).tolist() == [[3.0, 0.0, 3.0, 0.0, 0.0, 0.0]]
    r = np.array([True, True, True, False, True, False])
    # bands 2/2, 2/1, 2/1 -> 1, 1, 2, 0, 2, 0: already adding to 6
    assert est.class_weights(r, np.array([0, 0, 1, 1, 2, 2])).tolist() == [[1.0, 1.0, 2.0, 0.0, 2.0, 0.0]]


def test_weighting_class_estimate_and_interval():
    classes = np.repeat([0, 1, 2], 4)
    w = est.class_weights(R, classes)[0]
    got = est.weighting_class(N, M, R, classes, alpha=0.1)
    assert [float(g[0]) for g in got] == pytest.approx(hajek(N, M, R, w, 0.1), rel=1e-12)


def ratio_by_hand(n, m, r, d, s, alpha):
    factor = (d * s).sum() / s.sum() / ((d * s)[r].sum() / s[r].sum())
    k, big_n = r.sum(), len(r)
    den = n[r].sum()
    e = m[r].sum() / den
    var = (1 - k / big_n) * k / max(k - 1, 1) * ((m[r] - e * n[r]) ** 2).sum() / den**2
    half = norm.ppf(1 - alpha / 2) * np.sqrt(var)
    clip = lambda v: min(max(v, 0.0), 1.0)  # noqa: E731
    return clip(e * factor), clip((e - half) * factor), clip((e + half) * factor)


@pytest.mark.parametrize("alpha", [0.05, 0.3])
def test_ratio_estimator_interval_by_hand(alpha):
    got = est.ratio(N, M, R, DFE, SIZE, alpha) if alpha != 0.05 else est.ratio(N, M, R, DFE, SIZE)
    assert [float(g[0]) for g in got] == pytest.approx(ratio_by_hand(N, M, R, DFE, SIZE, alpha), rel=1e-12)


def test_ratio_estimator_with_one_answering_council():
    r = np.zeros(12, dtype=bool)
    r[4] = True
    got = est.ratio(N, M, r, DFE, SIZE)
    expected = ratio_by_hand(N, M, r, DFE, SIZE, 0.05)
    assert [float(g[0]) for g in got] == pytest.approx(expected, rel=1e-12)
    assert got[1][0] == got[0][0] == got[2][0]  # one council: no spread to measure


def test_ratio_estimator_clips_at_one_and_refuses_a_bad_alpha():
    m = N.copy()  # everyone went missing in the answering councils
    r = np.array([True] * 2 + [False] * 10)
    e, low, high = est.ratio(N, m, r, DFE, SIZE)
    assert e[0] == 1.0 and high[0] == 1.0  # the factor pushes the rate above 1
    with pytest.raises(ValueError, match="alpha"):
        est.ratio(N, M, R, DFE, SIZE, alpha=0)


def test_response_design_columns():
    X = est.response_design([1.0, np.e], [0.5, 0.2])
    np.testing.assert_allclose(X, [[1.0, 0.0, 0.0], [1.0, 1.0, np.log(0.25)]], atol=1e-15)


def test_fit_response_starts_at_the_clipped_answering_share():
    X = est.response_design(SIZE, DFE)
    start = est.fit_response_batched(np.vstack([R, np.ones(12, bool), np.zeros(12, bool)]), X, iterations=0)
    assert start[:, 0].tolist() == pytest.approx([logit(8 / 12), logit(1 - 1e-3), logit(1e-3)])
    assert (start[:, 1:] == 0).all()
    assert est.fit_response_batched(R, X, iterations=1).shape == (1, 3)


def test_fit_response_converges_to_statsmodels_in_thirty_steps():
    X = est.response_design(SIZE, DFE)
    theirs = sm.GLM(R.astype(float), X, family=sm.families.Binomial()).fit().params
    np.testing.assert_allclose(est.fit_response_batched(R, X)[0], theirs, rtol=1e-6, atol=1e-8)
    assert not np.allclose(est.fit_response_batched(R, X, iterations=1)[0], theirs, rtol=1e-3)


def test_ipw_uses_the_statsmodels_response_model_weights():
    X = est.response_design(SIZE, DFE)
    pi = sm.GLM(R.astype(float), X, family=sm.families.Binomial()).fit().predict(X)
    expected = hajek(N, M, R, 1 / pi, 0.1)
    got = est.ipw(N, M, R, SIZE, DFE, alpha=0.1)
    assert [float(g[0]) for g in got] == pytest.approx(expected, rel=1e-6)


def test_ipw_statsmodels_by_the_sandwich_formula():
    # Intercept-only binomial GLM with var_weights v = n / pi: the fitted rate is sum(v y) / sum(v) with
    # y = m / n, and the HC0 variance of the logit is sum(v^2 (y - mu)^2) / (sum(v) mu (1 - mu))^2.
    X = est.response_design(SIZE, DFE)
    pi = sm.GLM(R.astype(float), X, family=sm.families.Binomial()).fit().predict(X)
    v, y = N[R] / pi[R], M[R] / N[R]
    mu = (v * y).sum() / v.sum()
    se = np.sqrt((v**2 * (y - mu) ** 2).sum()) / (v.sum() * mu * (1 - mu))
    z = norm.ppf(0.95)
    expected = (mu, expit(logit(mu) - z * se), expit(logit(mu) + z * se))
    assert ipw_statsmodels(N, M, R, SIZE, DFE, alpha=0.1) == pytest.approx(expected, rel=1e-6)
    z = norm.ppf(0.975)
    default = ipw_statsmodels(N, M, R, SIZE, DFE)
    assert default == pytest.approx((mu, expit(logit(mu) - z * se), expit(logit(mu) + z * se)), rel=1e-6)


def test_rubins_rules_by_hand():
    q = np.array([[0.30, 0.34, 0.32], [0.5, 0.5, 0.5]])
    w = np.array([[0.001, 0.002, 0.003], [0.004, 0.004, 0.004]])
    mean, total, df = est.rubin(q, w)
    between = ((0.30 - 0.32) ** 2 + (0.34 - 0.32) ** 2 + 0) / 2  # 0.0004
    assert mean.tolist() == pytest.approx([0.32, 0.5])
    assert total.tolist() == pytest.approx([0.002 + (1 + 1 / 3) * between, 0.004])
    # Rubin's df: (M - 1) (1 + W / ((1 + 1/M) B))^2; no spread between imputations gives infinite df
    assert df[0] == pytest.approx(2 * (1 + 0.002 / ((4 / 3) * between)) ** 2)
    assert df[1] == np.inf


@pytest.mark.parametrize("theta", [0.0, 0.04])
def test_binomial_glm_with_extra_variation_matches_statsmodels_var_weights(theta):
    X = est.response_design(SIZE, DFE)
    keep = np.vstack([R, np.ones(12, bool)])
    beta = est.fit_glm_batched(
        X, np.tile(M, (2, 1)), keep, family="binomial", trials=np.tile(N, (2, 1)), theta=[theta] * 2
    )
    for i, k in enumerate(keep):
        # the beta-binomial quasi-likelihood: a binomial GLM of proportions with variance weights n / (1 + (n - 1) theta)
        fit = sm.GLM(M[k] / N[k], X[k], family=sm.families.Binomial(), var_weights=N[k] / (1 + (N[k] - 1) * theta)).fit(
            tol=1e-12
        )
        assert beta[i].tolist() == pytest.approx(fit.params.tolist(), rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("theta", [0.0, 0.3])
def test_count_glm_with_extra_variation_matches_statsmodels_negative_binomial(theta):
    X = est.response_design(SIZE, DFE)
    beta = est.fit_glm_batched(X, N[None, :].astype(float), R[None, :], family="poisson", theta=[theta])
    family = sm.families.Poisson() if theta == 0 else sm.families.NegativeBinomial(alpha=theta)
    fit = sm.GLM(N[R], X[R], family=family).fit(tol=1e-12)
    assert beta[0].tolist() == pytest.approx(fit.params.tolist(), rel=1e-6, abs=1e-8)


def test_dispersion_solves_the_pearson_equation_by_hand():
    from scipy.optimize import brentq

    a = np.array([[4.0, 1.0, 9.0], [0.5, 0.5, 0.0]])
    c = np.array([[1.0, 3.0, 2.0], [1.0, 1.0, 1.0]])
    keep = np.array([[True, True, False], [True, True, True]])
    theta = est.solve_dispersion(a, c, keep, [2.0, 2.0])
    # 4 / (1 + t) + 1 / (1 + 3 t) = 2 (the third council did not answer); the second replicate's residuals
    # (0.5 + 0.5) never reach 2, so no extra variation
    root = brentq(lambda t: 4 / (1 + t) + 1 / (1 + 3 * t) - 2, 0, 10)
    assert theta.tolist() == pytest.approx([root, 0.0], abs=1e-9)


def test_beta_binomial_draws_keep_answering_councils_and_spread_like_the_model():
    rng = np.random.default_rng(0)
    k, reps, mid = 201, 2000, 100
    X = np.column_stack([np.ones(k), np.linspace(-1, 1, k)])
    n = np.full((reps, k), 30.0)
    p = expit(logit(0.3) + 0.5 * X[:, 1] + rng.normal(0, 0.5, (reps, k)))
    m = rng.binomial(n.astype(int), p).astype(float)
    keep = np.ones((reps, k), bool)
    keep[:, mid] = False  # one silent council per replicate, in the middle (x = 0), where the fit is surest
    model = est._CountModel("binomial", X, m, keep, trials=n)
    drawn = model.draw(rng, silent_trials=n)
    assert (drawn[keep] == m[keep]).all()

    def rate_spread(x):
        """Mean rate and intra-council correlation var(p) / (E p (1 - E p)) of these logit-normal rates."""
        rates = expit(logit(0.3) + 0.5 * x + rng.normal(0, 0.5, (4000, np.size(x))))
        return rates.mean(), (rates.var(axis=0) / (rates.mean(axis=0) * (1 - rates.mean(axis=0)))).mean()

    # the silent council's count: mean n E[p], variance n E[p] (1 - E[p]) (1 + (n - 1) rho), rho the fitted
    # intra-council correlation (common to all councils), plus a little from the drawn coefficients
    mean_p, silent = rate_spread(0.0)[0], drawn[:, mid]
    assert silent.mean() == pytest.approx(30 * mean_p, abs=4 * np.sqrt(silent.var() / reps))
    assert silent.var() == pytest.approx(30 * mean_p * (1 - mean_p) * (1 + 29 * np.median(model.theta)), rel=0.1)
    # Williams' estimate: the councils' average intra-council correlation
    assert np.median(model.theta) == pytest.approx(rate_spread(X[:, 1])[1], rel=0.1)


def test_mice_interval_is_rubins_t_interval(monkeypatch):
    seen = []
    real = est.rubin

    def spy(estimates, within):
        seen.append(real(estimates, within))
        assert np.asarray(estimates).shape == (2, 5)  # replicates x imputations
        assert ((np.asarray(estimates) > 0) & (np.asarray(estimates) < 1)).all()
        return seen[-1]

    monkeypatch.setattr(est, "rubin", spy)
    r2 = np.vstack([R, np.ones(12, bool)])
    e, low, high = est.mice(np.tile(N, (2, 1)), np.tile(M, (2, 1)), r2, SIZE, DFE, seed=5, imputations=5, alpha=0.2)
    q, total, df = seen[0]
    half = stats_t.ppf(0.9, df[0]) * np.sqrt(total[0])
    assert (e[0], low[0], high[0]) == pytest.approx((q[0], q[0] - half, q[0] + half), rel=1e-12)
    # every council answered: the truth, with no width
    assert (e[1], low[1], high[1]) == pytest.approx((M.sum() / N.sum(),) * 3)


def test_mice_is_seeded_defaults_to_40_imputations_and_checks_its_arguments(monkeypatch):
    a = est.mice(N, M, R, SIZE, DFE, seed=3, imputations=3)
    b = est.mice(N, M, R, SIZE, DFE, seed=3, imputations=3)
    assert [x.tolist() for x in a] == [x.tolist() for x in b]
    assert est.IMPUTATIONS == 40
    shapes = []
    real = est.rubin
    monkeypatch.setattr(est, "rubin", lambda q, w: shapes.append(np.shape(q)) or real(q, w))
    wide = est.mice(N, M, R, SIZE, DFE, seed=3)
    assert shapes == [(1, 40)]
    assert 0 <= wide[1][0] < wide[0][0] < wide[2][0] <= 1
    narrow = est.mice(N, M, R, SIZE, DFE, seed=3, alpha=0.5)
    assert narrow[2][0] - narrow[1][0] < wide[2][0] - wide[1][0]
    for bad in (1, True, 2.5, "3"):
        with pytest.raises(ValueError) as err:
            est.mice(N, M, R, SIZE, DFE, seed=3, imputations=bad)
        assert str(err.value) == f"imputations={bad!r} is not valid; it must be a whole number of at least 2"
    with pytest.raises(ValueError, match="alpha"):
        est.mice(N, M, R, SIZE, DFE, seed=2, alpha=-1)


def test_mice_clips_the_interval_to_zero_and_one():
    m = np.zeros(12, int)
    m[0] = 1
    e, low, high = est.mice(N, m, R, SIZE, DFE, seed=1, imputations=4)
    assert low[0] == 0.0 and high[0] <= 1


def test_the_estimator_names_and_labels_match():
    assert list(est.ESTIMATOR_LABELS) == est.ESTIMATORS
    assert est.ESTIMATOR_LABELS["ipw"] == "inverse-probability weighting"


def test_mice_broadcasts_one_row_of_counts_over_replicates_like_the_other_estimators():
    r2 = np.vstack([R, R])
    assert est.respondents_only(N, M, r2)[0].shape == (2,)  # the others accept it
    assert est.mice(N, M, r2, SIZE, DFE, seed=5, imputations=3)[0].shape == (2,)


# ---------------------------------------------------------------- found by mutation testing


def test_every_replicate_row_is_estimated_on_its_own():
    r2 = np.vstack([R, np.roll(R, 3)])
    n2, m2 = np.tile(N, (2, 1)), np.tile(M, (2, 1))
    classes = np.repeat([0, 1, 2], 4)
    w2 = np.vstack([np.linspace(0.5, 4.0, 12), np.linspace(4.0, 0.5, 12)])
    calls = {
        "weighted_ratio": (lambda n, m, r, w: est.weighted_ratio(n, m, r, w), True),
        "weighting_class": (lambda n, m, r, w: est.weighting_class(n, m, r, classes), False),
        "ratio": (lambda n, m, r, w: est.ratio(n, m, r, DFE, SIZE), False),
        "ipw": (lambda n, m, r, w: est.ipw(n, m, r, SIZE, DFE), False),
    }
    for name, (call, weighted) in calls.items():
        both = call(n2, m2, r2, w2)
        for i in range(2):
            one = call(N, M, r2[i], w2[i] if weighted else None)
            assert [float(b[i]) for b in both] == pytest.approx([float(o[0]) for o in one], rel=1e-6), name
    weights = est.class_weights(r2, classes)
    for i in range(2):
        assert weights[i].tolist() == pytest.approx(est.class_weights(r2[i], classes)[0].tolist())
        assert weights[i].sum() == pytest.approx(12)


def test_rubins_rules_on_one_set_of_imputations():
    mean, total, df = est.rubin([0.30, 0.34, 0.32], [0.001, 0.002, 0.003])
    between = 0.0004
    assert float(mean) == pytest.approx(0.32) and float(total) == pytest.approx(0.002 + 4 / 3 * between)
    assert float(df) == pytest.approx(2 * (1 + 0.002 / (4 / 3 * between)) ** 2)


def test_mice_has_no_within_variance_and_rubins_degrees_of_freedom_are_m_minus_1(monkeypatch):
    seen = []
    real = est.rubin
    monkeypatch.setattr(
        est, "rubin", lambda q, w: seen.append((np.asarray(q), np.asarray(w), real(q, w))) or seen[-1][2]
    )
    r2 = np.vstack([R, np.ones(12, bool)])
    est.mice(np.tile(N, (2, 1)), np.tile(M, (2, 1)), r2, SIZE, DFE, seed=5, imputations=3)
    q, w, (_, total, df) = seen[0]
    truth = M.sum() / N.sum()
    # every council answered in the second replicate: each imputation is the truth
    assert q[1].tolist() == pytest.approx([truth] * 3)
    # the estimand is the rate among all councils' children (a finite-population total): a completed data
    # set is the estimand itself, so no within-imputation variance, total (1 + 1/M) B on M - 1 = 2 df
    assert w.tolist() == [[0.0] * 3] * 2
    assert total[0] == pytest.approx(4 / 3 * q[0].var(ddof=1))
    assert df[0] == pytest.approx(2.0)
    # the first: whole numbers of children drawn, so each completed rate is a fraction of whole counts
    assert ((q[0] > 0) & (q[0] < 1)).all() and len(set(q[0].round(12))) > 1


def test_ipw_statsmodels_leaves_out_answering_councils_with_no_children():
    n, m = N.copy(), M.copy()
    n[0], m[0] = 0, 0
    got = ipw_statsmodels(n, m, R, SIZE, DFE)
    keep = R & (n > 0)
    X = est.response_design(SIZE, DFE)
    pi = sm.GLM(R.astype(float), X, family=sm.families.Binomial()).fit().predict(X)
    v = n[keep] / pi[keep]
    assert got[0] == pytest.approx((v * m[keep] / n[keep]).sum() / v.sum(), rel=1e-6)


def test_ratio_with_two_answering_councils_and_both_clips():
    r = np.array([True, True] + [False] * 10)
    got = est.ratio(N, M, r, DFE, SIZE, alpha=0.5)
    assert [float(g[0]) for g in got] == pytest.approx(ratio_by_hand(N, M, r, DFE, SIZE, 0.5), rel=1e-12)
    e, low, high = est.ratio(N, N, r, DFE, SIZE)  # all went missing, factor above 1: everything clips at 1
    assert (e[0], low[0], high[0]) == (1.0, 1.0, 1.0)
    m = np.zeros(12, int)
    m[1] = 1  # one child: the lower end falls below 0 and is clipped
    e, low, high = est.ratio(N, m, np.ones(12, bool) & (np.arange(12) < 6), DFE, SIZE)
    assert low[0] == 0.0 and e[0] > 0


def test_mice_clips_the_upper_end_at_one():
    m = N.copy()
    m[2] -= 3  # nearly every child went missing: the interval runs past 1 and is clipped there
    e, low, high = est.mice(N, m, R, SIZE, DFE, seed=0, imputations=2, alpha=0.01)
    assert high[0] == 1.0 and low[0] < e[0] < 1
