"""Tables written to standard output for the ``mfc`` commands."""

from __future__ import annotations

import sys


def print_csv(table) -> None:
    """Write a table to standard output as CSV (six decimals, Unix line ends) and flush, so that a reader
    closing the pipe early is seen here and handled by ``main``."""
    from helpers.ledger.csv_out import write_csv

    write_csv(table, sys.stdout, float_format="%.6f")  # quoted and neutralised as every CSV the project writes
    sys.stdout.flush()
