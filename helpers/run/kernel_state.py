"""Return a reused Jupyter kernel to the state of a fresh one between notebooks (used by ``helpers.run.runner``).

Starting a kernel and importing pandas, matplotlib, seaborn and statsmodels costs several seconds per
notebook. ``mfc run`` therefore keeps one kernel per worker and, between notebooks, runs ``restore()``
in it. These functions run *inside* the kernel:

* ``snapshot()`` once, right after the kernel starts: it imports pandas and matplotlib's pyplot, loads
  the inline backend (as a notebook's first figure would), and records the process-wide state a
  notebook can change: warning filters, ``sys.path``, the working directory, environment variables,
  matplotlib's rcParams and pandas' options;
* ``restore()`` before each later notebook: it closes all figures, clears the IPython namespace and
  history (``In``/``Out``) with the execution counter back at 1, puts the recorded state back, and
  forgets which once-only warnings were already shown, so they are shown again.

Modules stay imported: that is the saving. The runner checks that a reused kernel writes the same
executed notebook as a fresh one (``tests/run/test_runner.py``; the whole catalogue is compared by
``benchmarks/compare_kernels.py``).
"""

from __future__ import annotations

import copy

_SNAPSHOT: dict = {}


def snapshot() -> None:
    """Record the state of a fresh kernel (after importing pandas and pyplot) for ``restore``."""
    import os
    import sys
    import warnings

    import matplotlib
    import matplotlib.pyplot as plt
    import pandas as pd

    # A fresh kernel loads the inline backend at its first figure, which switches matplotlib to
    # interactive mode (so figures are shown at the end of their cell). Load it now, so the recorded
    # rcParams are those every notebook's figures are drawn under.
    plt._get_backend_mod()

    _SNAPSHOT.clear()
    _SNAPSHOT.update(
        filters=list(warnings.filters),
        path=list(sys.path),
        cwd=os.getcwd(),
        environ=dict(os.environ),
        rc=copy.deepcopy(dict(matplotlib.rcParams)),
        pandas=copy.deepcopy(pd._config.config._global_config),
    )


def restore() -> None:
    """Put the kernel back to the state ``snapshot`` recorded, with an empty namespace and count 1."""
    import gc
    import os
    import sys
    import warnings

    import matplotlib
    import matplotlib.pyplot as plt
    import pandas as pd
    from IPython import get_ipython

    if not _SNAPSHOT:
        raise RuntimeError("kernel_state.restore() called before snapshot()")
    plt.close("all")
    get_ipython().reset(new_session=True)  # namespace, In/Out and the execution counter (back to 1)
    warnings.filters[:] = _SNAPSHOT["filters"]
    warnings._filters_mutated()  # invalidates every module's record of warnings already shown
    for module in list(sys.modules.values()):
        registry = getattr(module, "__warningregistry__", None)
        if isinstance(registry, dict):
            registry.clear()
    sys.path[:] = _SNAPSHOT["path"]
    os.chdir(_SNAPSHOT["cwd"])
    os.environ.clear()
    os.environ.update(_SNAPSHOT["environ"])
    # the recorded values were validated when set; writing them back directly avoids re-validation warnings
    dict.update(matplotlib.rcParams, copy.deepcopy(_SNAPSHOT["rc"]))
    config = pd._config.config._global_config
    config.clear()
    config.update(copy.deepcopy(_SNAPSHOT["pandas"]))
    gc.collect()
