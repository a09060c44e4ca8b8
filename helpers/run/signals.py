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
def stop_policy(ignore_after: bool = False):
    """Install the policy for the duration of a command, then put the previous handlers back.

    With ``ignore_after`` (the ``mfc`` process itself, which ends with the command) the stop signals are
    ignored once the command has finished instead: a signal during the interpreter's last moments would
    otherwise kill a process whose work is done (exit -15 rather than the command's own code).
    """
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
            signal.signal(signum, signal.SIG_IGN if ignore_after else handler)


def worker_policy(on_stop) -> None:
    """In a pool worker: leave SIGINT and SIGHUP to the parent, which stops every worker in one place;
    on SIGTERM (the parent's, or anyone's) call ``on_stop`` (stop this worker's kernel, remove a file
    half-written) and exit 143.

    A worker starts with the stop signals blocked (see :func:`held_while_starting`), so a Ctrl-C during
    its start-up cannot interrupt its imports with a traceback; they are unblocked here, once the policy
    is in place: a pending SIGINT or SIGHUP is dropped, a pending SIGTERM stops the worker at once.
    """
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
    signal.pthread_sigmask(signal.SIG_UNBLOCK, set(POLICY))


@contextmanager
def held_while_starting():
    """Hold the stop signals while child processes start: a child inherits the blocked mask, so it
    meets a signal only once it has installed its own policy (``worker_policy``). This process handles
    a signal that arrived meanwhile as soon as the block ends (a few milliseconds)."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, set(POLICY))
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with SIGHUP ignored, before any pool needs it.

    The tracker ignores SIGINT and SIGTERM itself, but not SIGHUP: a SIGHUP to the process group (a
    closed terminal) killed it, and the tracker started in its place printed a KeyError traceback for
    every semaphore the first one had recorded. An ignored signal stays ignored across ``exec``, so the
    tracker started here outlives the SIGHUP and exits by itself once this process has gone.

    After a stop, ``mfc run`` exits at once (``os._exit``) and the tracker removes the pool's semaphores
    itself; its warning that it found them ("leaked semaphore objects") is expected then, and silenced.
    """
    import os
    from multiprocessing import resource_tracker

    saved = os.environ.get("PYTHONWARNINGS")
    with held_while_starting():  # no SIGHUP is lost: one arriving now is handled once the block ends
        previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
        os.environ["PYTHONWARNINGS"] = ",".join(filter(None, [saved, "ignore:resource_tracker:UserWarning"]))
        try:
            resource_tracker.ensure_running()
        finally:
            signal.signal(signal.SIGHUP, previous)
            if saved is None:
                del os.environ["PYTHONWARNINGS"]
            else:
                os.environ["PYTHONWARNINGS"] = saved
