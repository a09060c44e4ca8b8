"""A test oracle, not part of the package: the IPW estimate of one data set computed with statsmodels.

:func:`helpers.nonresponse.estimators.ipw` fits the response model by its own batched Newton steps and
weights the answering councils' rates by hand; this computes the same estimate with statsmodels' GLMs, so
the tests can compare the two. (Test modules import it by name: the pytest setting ``pythonpath`` in
pyproject.toml puts ``tests/oracles/`` on the path.)
"""

from __future__ import annotations

import numpy as np
import statsmodels.api as sm
from scipy.special import expit
from scipy.stats import norm

from helpers.nonresponse.estimators import response_design


def ipw_statsmodels(n, m, r, size, dfe_rate, alpha: float = 0.05):
    """The IPW estimate of one data set with statsmodels: a Binomial GLM for answering, then a Binomial
    GLM of the answering councils' rates with ``var_weights`` = weight x children and HC0 errors."""
    n, m, r = (np.asarray(a) for a in (n, m, r))
    X = response_design(size, dfe_rate)
    pi = sm.GLM(r.astype(float), X, family=sm.families.Binomial()).fit().predict(X) if not r.all() else np.ones(len(r))
    keep = r & (n > 0)
    fit = sm.GLM(
        m[keep] / n[keep], np.ones((keep.sum(), 1)), family=sm.families.Binomial(), var_weights=n[keep] / pi[keep]
    ).fit(cov_type="HC0")
    b, se = fit.params[0], fit.bse[0]
    z = norm.ppf(1 - alpha / 2)
    return float(expit(b)), float(expit(b - z * se)), float(expit(b + z * se))
