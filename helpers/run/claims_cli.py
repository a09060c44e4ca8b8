"""``mfc claims FILE [--out VERDICTS.csv]``: check claims in the interchange format and say what was found.

The checking itself (reading, verdicts, diagnoses, the verdict table, the ``--out`` file) lives in
:mod:`helpers.claims.check`; this module only prints and chooses the exit code.
"""

from __future__ import annotations

import sys


def claims_command(path, out=None, alternatives=None, stream=None, err_stream=None) -> int:
    """Check a claims CSV, print the verdict table to ``stream`` and write ``out`` if given.

    Returns 0 when the file was checked (inconsistent claims are findings, not errors) and 2 when it
    could not be: each problem goes to ``err_stream`` as one line and nothing is written.
    """
    from helpers.claims.check import check_claims, format_table, read_claims, write_verdicts
    from helpers.ledger.errors import DataError, ParameterError
    from helpers.ledger.files import check_output_path

    stream, err_stream = stream or sys.stdout, err_stream or sys.stderr
    try:
        if out is not None:
            check_output_path(out, inputs=[path])
        verdicts = check_claims(read_claims(path), alternatives)
    except ParameterError as error:
        print(f"mfc claims: {error}", file=err_stream)
        return 2
    except DataError as error:
        for problem in error.problems:
            print(problem, file=err_stream)
        return 2
    # The --out file is the user's product: it is written first, so a reader that closes standard
    # output early (``| head -1``) cannot stop it being written.
    if out is not None:
        try:
            write_verdicts(verdicts, out)
        except OSError as error:
            print(f"{out}: could not write the verdicts ({error.strerror or error})", file=err_stream)
            return 2
    print(format_table(verdicts), file=stream)
    inconsistent = int((verdicts["verdict"] == "inconsistent").sum())
    unchecked = int((verdicts["verdict"] == "not_checkable").sum())
    print(
        f"{len(verdicts)} claims checked, {inconsistent} inconsistent"
        + (f", {unchecked} not checkable" if unchecked else ""),
        file=stream,
    )
    if out is not None:
        print(f"verdicts written to {out}", file=stream)
    return 0


def cmd_claims(args) -> int:
    """The ``mfc claims`` subcommand: the ledger's other published denominators feed the diagnosis."""
    from helpers.claims.alternatives import ledger_alternatives

    return claims_command(args.file, out=args.out, alternatives=ledger_alternatives())


def add_parser(sub) -> None:
    """Register ``mfc claims`` on the subparsers of ``mfc``."""
    p = sub.add_parser("claims", help="check claims in the interchange format (see docs/claims-format.md)")
    p.add_argument("file")
    p.add_argument("--out", help="write verdicts as CSV to this path")
    p.set_defaults(func=cmd_claims)
