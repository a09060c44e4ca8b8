"""Write output files safely: never over an input or a special file, never half-written, with the umask.

:func:`check_output_path` refuses a path that is a symbolic link, a folder, a FIFO, a device or a
socket, or that is one of the command's own input files. :func:`write_atomically` writes into a
temporary file in the target's folder, gives it the permissions a new file would get from the user's
umask (``tempfile`` would leave 0600), and moves it into place with ``os.replace`` only once complete.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from helpers.ledger.errors import ParameterError


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
    handle, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    try:
        os.fchmod(handle, new_file_mode())
        with os.fdopen(handle, "w", encoding=encoding, newline=newline) as stream:
            write(stream)
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return target
