"""Read and write files safely: never from a special file, never over an input, never half-written.

Every file the collection writes is meant to go through :func:`write_atomically` (or
:func:`write_all_atomically` for a set that must change together, :func:`write_text_atomically` and
:func:`write_bytes_atomically` for text and bytes): context tables, the descriptor, ``--out`` files,
executed notebooks, and the site's pages and images. It writes into a temporary file in the target's folder, gives it the
permissions a new file would get from the user's umask (``tempfile`` would leave 0600), and moves it
into place with ``os.replace`` only once complete; on any failure (a full disk, an I/O error, a signal)
the temporary file is removed and the target is left as it was.

:func:`check_output_path` refuses a path that is a symbolic link, a folder, a FIFO, a device or a
socket, or one of the command's own inputs. :func:`check_input_path` refuses a folder or a special file
before it is opened (opening a FIFO with no writer would wait for ever).
CSV files are written with :mod:`helpers.ledger.csv_out`, which quotes and neutralises their cells.
"""

from __future__ import annotations

import os
import signal
import stat
import tempfile
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from pathlib import Path

from helpers.ledger.errors import DataError, ParameterError

STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
# Temporary files this process is writing now. A write removes its own on any exception; a process that
# must stop without unwinding (a pool worker's SIGTERM handler ends in os._exit) calls remove_partial_files.
_PARTIAL: set[str] = set()


def remove_partial_files() -> None:
    """Remove every temporary file this process is still writing (for a stop that skips clean-up)."""
    for name in list(_PARTIAL):
        Path(name).unlink(missing_ok=True)
        _PARTIAL.discard(name)


@contextmanager
def signals_held():
    """Hold stop signals for a few instructions that must not be split (create and record a temporary
    file; rename a set of files): a signal arriving meanwhile is handled right after."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def current_umask() -> int:
    """The process's umask (read by setting it and putting it straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_file_mode() -> int:
    """The permission bits ``open(path, "w")`` would give a new file: 0o666 less the umask."""
    return 0o666 & ~current_umask()


def check_output_path(out: Path | str, inputs: Iterable[Path | str] = (), option: str = "--out") -> Path:
    """Return ``out`` as a Path if it is safe to replace; otherwise raise ParameterError naming why."""
    out = Path(out)
    if out.is_symlink():
        raise ParameterError(
            f"{option} {out}: is a symbolic link; give the path of a regular file (the link is not replaced)"
        )
    if out.exists():
        mode = out.stat().st_mode
        if stat.S_ISDIR(mode):
            raise ParameterError(f"{option} {out}: is a folder; give a file name")
        if not stat.S_ISREG(mode):
            raise ParameterError(
                f"{option} {out}: is a special file (FIFO, device or socket), not a regular file; nothing was written"
            )
        for given in inputs:
            given = Path(given)
            if given.exists() and os.path.samefile(out, given):
                raise ParameterError(f"{option} {out}: is the input file {given}; write to another path")
    if not out.parent.is_dir():
        raise ParameterError(f"{option} {out}: folder {out.parent} does not exist")
    return out


def write_atomically(
    target: Path | str, write: Callable, *, encoding: str = "utf-8", newline: str | None = None
) -> Path:
    """Call ``write(stream)`` on a temporary file beside ``target``, then move it into place.

    The file gets the umask's permissions. On any failure (an exception, Ctrl-C) the temporary file is
    removed and ``target`` is left exactly as it was.
    """
    target = Path(target)
    created: list[str] = []
    try:
        os.replace(_write_temporary(target, write, encoding=encoding, newline=newline, created=created), target)
    except BaseException as exc:
        for tmp_name in created:
            Path(tmp_name).unlink(missing_ok=True)
        _name_the_file(exc, target)
        raise
    finally:
        _PARTIAL.difference_update(created)
    return target


def _name_the_file(exc: BaseException, target: Path) -> None:
    """Give an OSError raised while writing ``target`` the file's name, if it has none.

    A write or fsync that fails for want of space raises an OSError without a file name (it acts on an
    open descriptor); ``mfc`` prints the name, so the user learns which file and folder were affected.
    """
    if isinstance(exc, OSError) and not exc.filename:
        exc.filename = str(target)


def _write_temporary(
    target: Path, write: Callable, *, encoding: str | None, newline: str | None, created: list[str]
) -> str:
    """Write a complete temporary file beside ``target`` and return its name (removed on failure).

    Its name is added to ``created`` as soon as it exists, so a caller interrupted at any point (even
    by a signal between this function's return and its next line) knows what to remove.
    ``encoding=None`` opens it in binary mode (for images and other bytes).
    """
    with signals_held():
        handle, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
        created.append(tmp_name)
        _PARTIAL.add(tmp_name)
    try:
        os.fchmod(handle, new_file_mode())
        mode = "wb" if encoding is None else "w"
        kwargs = {} if encoding is None else {"encoding": encoding, "newline": newline}
        with os.fdopen(handle, mode, **kwargs) as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())  # the bytes are on disk before the rename makes them the file
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return tmp_name


def write_text_atomically(target: Path | str, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``target`` atomically (newlines as given)."""
    return write_atomically(target, lambda stream: stream.write(text), encoding=encoding, newline="")


def write_bytes_atomically(target: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically."""
    return write_atomically(target, lambda stream: stream.write(data), encoding=None)


def write_all_atomically(writers: Mapping[Path | str, Callable], *, encoding: str = "utf-8", newline=None) -> list:
    """Write several files so that either all of them change or none does.

    Every file is first written whole to its temporary; only when all succeeded are they renamed into
    place, one after another (each rename is atomic and cannot fail for want of space). A failure before
    that leaves every target as it was and no temporary file behind.
    """
    created: list[str] = []
    targets = [Path(target) for target in writers]
    try:
        for target, write in zip(targets, writers.values()):
            _write_temporary(target, write, encoding=encoding, newline=newline, created=created)
        with signals_held():  # all renamed or none: a signal waits for the last rename
            for tmp_name, target in zip(list(created), targets):
                os.replace(tmp_name, target)
    except BaseException as exc:
        for tmp_name in created:
            Path(tmp_name).unlink(missing_ok=True)  # one already renamed is gone: nothing to remove
        _name_the_file(exc, targets[len(created) - 1] if created else targets[0])
        raise
    finally:
        _PARTIAL.difference_update(created)
    return targets


def check_input_path(path: Path | str, what: str = "file") -> Path:
    """Return ``path`` if it is a regular file that can be read without blocking; else one-line DataError.

    Checked with ``stat`` before opening: a FIFO with no writer would block ``open`` for ever, and a
    device could be read without end.
    """
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(mode):
        raise DataError(f"{path}: is a folder, not a {what}")
    if not stat.S_ISREG(mode):
        raise DataError(f"{path}: is a special file (FIFO, device or socket), not a {what}; it was not opened")
    return path
