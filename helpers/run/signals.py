"""One signal policy for every ``mfc`` command: SIGINT exits 130, SIGTERM 143, SIGHUP 129.

Each signal raises :class:`Stopped`, a ``KeyboardInterrupt``, in the main thread, so every clean-up
written for Ctrl-C (removing a temporary file, stopping workers and kernels) runs for a scheduler's
SIGTERM and a closed terminal's SIGHUP too. The handlers are installed before any heavy import, so a
signal during start-up or data validation is one line, never a traceback. Only the standard library is
imported here, for that reason.
"""

from __future__ import annotations

import signal
from contextlib import contextmanager

POLICY = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGHUP: 129}


class Stopped(KeyboardInterrupt):
    """A stop signal arrived; ``exit_code`` is 128 + the signal's number."""

    def __init__(self, signum: int = signal.SIGINT):
        self.signum = signum
        self.exit_code = POLICY.get(signum, 128 + signum)
        super().__init__(signal.Signals(signum).name)


def exit_code(exc: BaseException) -> int:
    """The exit code for an interruption (a plain KeyboardInterrupt is Ctrl-C: 130)."""
    return getattr(exc, "exit_code", 130)


#: The stop signals received while the policy was installed, first first. A library that catches the
#: ``Stopped`` raised inside its own import and raises something else (pandas turns it into "Unable to
#: import required dependency numpy") cannot hide that the command was stopped.
_received: list[int] = []


def received_stop() -> Stopped | None:
    """The stop that arrived during this command, if any, as a :class:`Stopped` (for its exit code)."""
    return Stopped(_received[0]) if _received else None


def _raise_stopped(signum, frame):
    # Further signals during clean-up are ignored: the first one decides the exit code.
    for other in POLICY:
        signal.signal(other, signal.SIG_IGN)
    _received.append(signum)
    raise Stopped(signum)


@contextmanager
def stop_policy():
    """Install the policy for the duration of a command, then put the previous handlers back."""
    previous = {}
    _received.clear()
    try:
        for signum in POLICY:
            previous[signum] = signal.signal(signum, _raise_stopped)
    except ValueError:  # not the main thread (a test runner's worker thread): leave signals alone
        previous = {}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def worker_policy(on_stop) -> None:
    """In a pool worker: leave SIGINT and SIGHUP to the parent, which stops every worker in one place;
    on SIGTERM (the parent's, or anyone's) call ``on_stop`` (stop this worker's kernel) and exit 143."""
    import os

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)

    def stop(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            on_stop()
        finally:
            os._exit(143)

    signal.signal(signal.SIGTERM, stop)
