"""Claims made in words, checked against their own numbers (like statcheck or GRIM).

Imports only :mod:`helpers.ledger` and :mod:`helpers.stats`.

    check         read_claims, check_claims: a verdict and the likeliest slip for each claim
    alternatives  alternatives_from: other published versions of a figure, for the diagnosis
"""

import lazy_loader

# Names load on first use, so `import helpers.X.module` stays as fast as that one module.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "check": ["check_claims", "read_claims"],
        "alternatives": ["alternatives_from", "ledger_alternatives"],
    },
)
