"""The signal policy of every mfc command (helpers/run/signals.py), in this process and deterministic:
the signal is sent from inside the command at a chosen moment."""

from __future__ import annotations

import os
import signal

import pytest

from helpers.run import cli


@pytest.mark.parametrize(("name", "code"), [("SIGINT", 130), ("SIGTERM", 143), ("SIGHUP", 129)])
def test_a_stop_that_a_library_turns_into_another_error_still_exits_with_its_code(monkeypatch, capsys, name, code):
    """pandas catches what numpy's import raised and raises ImportError instead: the command was still
    stopped by the signal, and says so in one line with the policy's exit code."""

    def importing(args):
        try:
            os.kill(os.getpid(), getattr(signal, name))  # arrives during "an import"
        except KeyboardInterrupt as exc:
            raise ImportError("Unable to import required dependency numpy") from exc
        return 0

    monkeypatch.setattr(cli, "cmd_check_data", importing)
    assert cli.main(["check-data"]) == code
    err = capsys.readouterr().err.strip().splitlines()
    reason = "interrupted" if name == "SIGINT" else f"stopped by {name}"
    assert err == [f"mfc check-data: {reason}; nothing was left half-written"]


def test_a_later_command_in_the_same_process_does_not_inherit_an_old_stop(monkeypatch, capsys):
    def failing(args):
        raise RuntimeError("a defect")

    monkeypatch.setattr(cli, "cmd_check_data", failing)
    assert cli.main(["check-data"]) == 1
    assert "unexpected error RuntimeError: a defect" in capsys.readouterr().err
