"""Helpers for the missing-from-care notebook collection.

Data flows one way: data/ -> helpers -> notebooks -> executed copies. Each module has one job:
``data`` loads and validates the ledger, ``rates`` rebuilds rates with intervals, ``claims`` checks
claims made in words, ``trends`` wraps statsmodels, ``context_build`` derives the official-statistics
tables, ``runner`` executes the notebook catalogue, ``cli`` is the ``mfc`` command. For readers: ``labels``
(readable version labels, sources as links), ``glossary`` (links to the glossary notebook), ``findings``
(key findings in words), ``plots`` (the one chart theme and a readability check), ``site`` (the HTML
site) and ``readme`` (the README's generated blocks).
"""

__version__ = "0.1.0"
