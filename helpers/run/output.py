"""Tables written to standard output for the ``mfc`` commands."""

from __future__ import annotations

import sys


def print_csv(table) -> None:
    """Write a table to standard output as CSV (six decimals, Unix line ends) and flush, so that a reader
    closing the pipe early is seen here and handled by ``main``."""
    from helpers.ledger.csv_out import write_csv

    write_csv(table, sys.stdout, float_format="%.6f")  # quoted and neutralised as every CSV the project writes
    sys.stdout.flush()


def stdout_closed() -> bool:
    """Whether the reader of standard output has gone (``mfc ... | head -1`` after its line).

    Only then is a BrokenPipeError the reader's doing and the command's end a quiet one: a broken pipe
    to a worker process that failed to start is an error. A pipe whose reading end is closed polls as
    POLLERR on its writing end; a file, a terminal or an open pipe does not. Standard output without a
    file descriptor (replaced in a test) cannot have been closed by a reader.
    """
    import select

    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return False
    try:
        poller = select.poll()
        poller.register(fd, select.POLLOUT)
        return any(events & select.POLLERR for _, events in poller.poll(0))
    except (OSError, ValueError):
        return False
