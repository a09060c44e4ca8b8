"""Helpers for the missing-from-care notebook collection: six layered subpackages.

Data flows one way: data/ -> helpers -> notebooks -> executed copies. Each subpackage imports only the ones
below it (import-linter enforces it; the contracts are in pyproject.toml), and each ``__init__`` is its
public face, with a table of contents of its modules (``help(helpers.stats)``).

    ledger        the ground: load and validate data/, cross-table checks, the official raw files and the
                  context tables built from them, the catalogue, vocabulary, atomic files, errors, paths
    stats         rounding, rates and Wilson intervals, comparisons, the reports' series, trend and count
                  models, random effects, clustering (design effects)
    claims        claims made in words checked against their own numbers, with the likeliest slip
    nonresponse   councils that did not answer: bounds, scenarios, estimators, tipping points, simulation
                  (claims and nonresponse are independent of each other)
    present       what readers see: labels, the table formatter, chart theme and plots, findings in words,
                  the glossary, the key chart and the site
    run           the top: the notebook runner and parameter checks, and every command (``mfc``)

``helpers.__version__`` is the installed package's version, read from its metadata: pyproject.toml is the
one place it is written.
"""

from __future__ import annotations

DISTRIBUTION = "missing-from-care"


def _version() -> str:
    """The version pyproject.toml declares: from the installed metadata, else (a clone run without installing,
    ``PYTHONPATH=.``) from pyproject.toml itself."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        import tomllib
        from pathlib import Path

        with (Path(__file__).resolve().parent.parent / "pyproject.toml").open("rb") as handle:
            return tomllib.load(handle)["project"]["version"]


def __getattr__(name: str):
    # Computed on first use, so `import helpers.ledger.errors` does not pay for importlib.metadata.
    if name == "__version__":
        return _version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
