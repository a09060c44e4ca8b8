"""The ``mfc`` command: check the data, rebuild headlines, check claims, run the notebooks, build the documents.

Subcommands with more than a few lines of their own live beside this module and register themselves here:
``claims_cli`` (``mfc claims``), ``context_cli`` (``mfc build-context``, ``mfc cut-lait``), ``book_cli``
(``mfc site``, ``mfc readme``), ``nonresponse_cli`` (``mfc nonresponse``) and ``series_cli`` (``mfc series``).

Exit codes: 0 success; 1 the data (or a notebook run) failed; 2 bad usage (an unknown report id,
a malformed claims file, an unknown run name, an option out of its range); 130 after Ctrl-C (SIGINT),
143 after SIGTERM, 129 after SIGHUP.
"""

from __future__ import annotations

# Only light modules at import time (the standard library, the errors, the signal policy): a Ctrl-C
# during start-up must meet the policy's handler, installed first thing in main(), not a traceback.
import argparse
import os
import sys
from pathlib import Path

from helpers.ledger.errors import DataError, MfcError, ParameterError
from helpers.run.output import print_csv, stdout_closed
from helpers.run.signals import exit_code, received_stop, stop_policy


def _print_problems(problems: list[str]) -> None:
    for line in problems:
        print(line, file=sys.stderr)


def cmd_check_data(args) -> int:
    from helpers.ledger.tables import resource_names, validate_data_dir

    data_dir = Path(args.data_dir)
    problems = validate_data_dir(data_dir)
    if problems:
        _print_problems(problems)
        print(f"{data_dir}: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    names = resource_names(data_dir)
    print(f"{data_dir}: valid ({len(names)} tables: {', '.join(names)})")
    return 0


def cmd_rehash(args) -> int:
    from helpers.ledger.tables import rehash

    changed = rehash(args.data_dir)
    print("\n".join(changed) if changed else "all hashes already up to date")
    return 0


def cmd_headlines(args) -> int:
    from helpers.ledger.choices import check_report_id
    from helpers.ledger.tables import load_ledger
    from helpers.stats.clustering import SENSITIVITY_DEFFS, deff_label, with_sensitivity
    from helpers.stats.rates import headline_table

    ledger = load_ledger(args.data_dir)
    check_report_id(args.report_id, ledger.reports)  # main() turns a ParameterError into one line, exit 2
    table = headline_table(ledger.figures, args.report_id, alpha=args.alpha)
    # Clustering in councils as a sensitivity grid (wide form, documented in the README): a Wilson
    # interval on n / d for each design effect d, and the range of d DfE's council spread implies (its upper end).
    if "council_years" in ledger.tables:
        table = with_sensitivity(table, ledger.figures, ledger.council_years, alpha=args.alpha)
    if args.csv:
        print_csv(table)
    else:
        grid = [c for c in table.columns if c.startswith("sens_low_deff_")]
        shown = table[["version", "group", "period", "measure", "numerator", "denominator", "rate"]].copy()
        level = f"{1 - args.alpha:.0%}"
        shown[f"{level} CI (sampling only)"] = _interval_text(table["ci_low"], table["ci_high"])
        if grid:
            shown["implied d (derived range)"] = [
                "-" if hi != hi else f"{lo:.2f}-{hi:.2f}" for lo, hi in zip(table["deff_low"], table["deff_high"])
            ]
            labels = {f"sens_low_deff_{deff_label(d)}": f"d={d:g}" for d in SENSITIVITY_DEFFS}
            for low in grid:
                name = labels.get(low, "d=implied, upper end")
                shown[f"sensitivity ({name})"] = _interval_text(table[low], table[low.replace("_low_", "_high_")])
        shown["rate"] = shown["rate"].map(lambda x: "-" if x != x else f"{x:.1%}")
        shown["published_pct"] = table["published_pct"]
        shown["rounds_to_published"] = table["rounds_to_published"]
        shown["discrepancy_id"] = table["discrepancy_id"]
        print(shown.to_string(index=False))
        sys.stdout.flush()
    return 0


def _interval_text(low, high) -> list[str]:
    return ["-" if lo != lo else f"{lo:.1%}-{hi:.1%}" for lo, hi in zip(low, high)]


def cmd_trends(args) -> int:
    import pandas as pd

    from helpers.ledger.choices import check_choices
    from helpers.ledger.tables import load_ledger
    from helpers.ledger.versions import version_choices
    from helpers.stats.random_effects import trend_table
    from helpers.stats.series import SERIES_GROUPS

    check_choices("--group", args.group, SERIES_GROUPS)
    ledger = load_ledger(args.data_dir)
    choices = version_choices(ledger)  # every combination of the versions in data/versions.csv
    table = trend_table(
        ledger.figures, ledger.reports, args.group, alpha=args.alpha, one_round=args.one_round, choices=choices
    )
    if args.csv:
        print_csv(table)
    else:
        shown = table.copy()
        for col in ("estimate", "ci_low", "ci_high"):
            shown[col] = shown[col].map(lambda x: f"{x:.3f}")
        shown["p_value"] = shown["p_value"].map(lambda p: "<0.001" if p < 0.001 else f"{p:.3f}")
        shown["df"] = shown["df"].map(lambda d: "" if d is pd.NA else str(d))
        shown["tau2"] = shown["tau2"].map(lambda x: "" if x != x else f"{x:.4f}")
        shown["dispersion"] = shown["dispersion"].map(lambda x: "" if x != x else f"{x:.2f}")
        print(shown.to_string(index=False))
        sys.stdout.flush()  # inside the command, so a closed pipe is handled by main()
    return 0


def _interrupted_run(exc: BaseException, where: str) -> None:
    """One line after a stop signal during a run, then exit at once with the policy's code."""
    reason = "interrupted" if exit_code(exc) == 130 else f"stopped by {exc}"
    print(
        f"mfc run: {reason}; workers and kernels stopped, unfinished notebooks left as they were in {where}/",
        file=sys.stderr,
    )
    sys.stdout.flush()
    sys.stderr.flush()
    # Exit now: the pool's exit handler would wait on the management thread of workers that are gone.
    os._exit(exit_code(exc))


def cmd_run(args) -> int:
    from helpers.ledger.paths import EXECUTED_DIR, PROJECT_ROOT
    from helpers.run.runner import load_catalogue, run_catalogue, select_runs

    if args.notebook or args.parameters or args.parameter_file or args.output_dir or args.force:
        return cmd_run_one(args)
    runs = load_catalogue()
    if args.list:
        for run in runs:
            params = ", ".join(f"{k}={v}" for k, v in run.parameters.items())
            print(f"{run.name:45s} {run.notebook:22s} {params}")
        return 0
    try:
        runs = select_runs(runs, args.only)
    except ParameterError as exc:
        print(f"mfc run: {exc}", file=sys.stderr)
        return 2
    from helpers.ledger.tables import validate_once

    # The data are validated once here, not once per notebook: invalid data stop the run before any
    # notebook starts, and valid data leave a stamp that each notebook's load_ledger checks cheaply.
    problems = validate_once()
    if problems:
        _print_problems(problems)
        print(f"mfc run: {len(problems)} data problem(s); no notebook was run (see `mfc check-data`)", file=sys.stderr)
        return 1
    try:
        results = run_catalogue(
            runs, jobs=args.jobs, timeout=args.timeout, progress=not args.quiet, fresh_kernels=args.fresh_kernels
        )
    except KeyboardInterrupt as exc:
        _interrupted_run(exc, str(EXECUTED_DIR.relative_to(PROJECT_ROOT)))
    return _report_results(results)


def _report_results(results) -> int:
    failed = [r for r in results if not r.ok]
    for r in results:
        print(("ok      " if r.ok else "FAILED  ") + r.message, file=sys.stderr if not r.ok else sys.stdout)
    print(
        f"{len(results) - len(failed)} of {len(results)} notebook(s) executed"
        + (f"; failed: {', '.join(r.name for r in failed)}" if failed else "")
    )
    return 1 if failed else 0


def cmd_run_one(args) -> int:
    """``mfc run NOTEBOOK -p name=value ... [-f params.yaml] --output-dir DIR``: one notebook, chosen values."""
    from helpers.ledger.tables import validate_once
    from helpers.run.one_run import prepare_run
    from helpers.run.runner import run_catalogue

    run, output_dir = prepare_run(args.notebook, args.parameters, args.parameter_file, args.output_dir, args.force)
    problems = validate_once()
    if problems:
        _print_problems(problems)
        print(
            f"mfc run: {len(problems)} data problem(s); the notebook was not run (see `mfc check-data`)",
            file=sys.stderr,
        )
        return 1
    try:
        results = run_catalogue(
            [run], jobs=1, timeout=args.timeout, progress=False, fresh_kernels=True, executed_dir=output_dir
        )
    except KeyboardInterrupt as exc:
        _interrupted_run(exc, str(output_dir))
    return _report_results(results)


def build_parser() -> argparse.ArgumentParser:
    from helpers.ledger.paths import DATA_DIR
    from helpers.run.params import add_declared_option

    DEFAULT_TIMEOUT = 600  # seconds per cell (helpers.run.runner.DEFAULT_TIMEOUT, not imported: it is slow)

    parser = argparse.ArgumentParser(prog="mfc", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check-data", help="validate a data directory against its descriptor")
    p.add_argument("data_dir", nargs="?", default=str(DATA_DIR))
    p.set_defaults(func=cmd_check_data)

    p = sub.add_parser("rehash", help="update the sha256 and byte counts in the descriptor after an edit")
    p.add_argument("data_dir", nargs="?", default=str(DATA_DIR))
    p.set_defaults(func=cmd_rehash)

    p = sub.add_parser("headlines", help="a report's published rates rebuilt with Wilson intervals")
    p.add_argument("report_id")
    p.add_argument("--csv", action="store_true", help="write CSV to standard output")
    add_declared_option(p, "--alpha", "10_report", "alpha", 0.05, "1 - confidence level")
    p.add_argument("--data-dir", default=str(DATA_DIR))
    p.set_defaults(func=cmd_headlines)

    p = sub.add_parser("trends", help="odds ratio per year of the reports' series: every model and version")
    p.add_argument("--csv", action="store_true", help="write CSV to standard output")
    p.add_argument("--group", nargs="+", default=["trafficked", "unaccompanied"], help="groups (default both)")
    p.add_argument(
        "--one-round",
        default="headline",
        choices=["headline", "separate"],
        help="When Harm Remains's two unaccompanied years from one FOI round: keep the headline "
        "year only (default) or both as if separate rounds",
    )
    add_declared_option(p, "--alpha", "30_trends", "alpha", 0.05, "1 - confidence level")
    p.add_argument("--data-dir", default=str(DATA_DIR))
    p.set_defaults(func=cmd_trends)

    from helpers.run.claims_cli import add_parser as add_claims

    add_claims(sub)

    p = sub.add_parser(
        "run",
        help="execute the notebook catalogue with papermill, or one notebook with chosen parameters",
        description="Without NOTEBOOK: execute the catalogue into notebooks/executed/. With NOTEBOOK: execute "
        "that notebook once with the values given by -p and -f into --output-dir (never notebooks/executed/).",
    )
    p.add_argument("notebook", nargs="?", help="one notebook to run with chosen parameters (e.g. 40_nonresponse)")
    p.add_argument(
        "-p",
        "--parameter",
        dest="parameters",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter value, read as YAML (-p report_id=still-in-harms-way -p 'mechanisms=[mnar]'); repeatable",
    )
    p.add_argument("-f", "--parameter-file", metavar="PARAMS.yaml", help="a YAML file of name: value (papermill's -f)")
    p.add_argument("--output-dir", metavar="DIR", help="the folder the executed notebook is written to")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an earlier copy of the same run in --output-dir (never by default)",
    )
    p.add_argument("--list", action="store_true", help="print the catalogue and exit")
    p.add_argument("--only", nargs="+", metavar="NAME", help="run only these runs (or notebook stems)")
    add_declared_option(p, "--jobs", "run", "jobs", 1, "notebooks to run in parallel", command=True)
    add_declared_option(p, "--timeout", "run", "timeout", DEFAULT_TIMEOUT, "seconds allowed per cell", command=True)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--fresh-kernels",
        action="store_true",
        help="start a new kernel for every notebook (default: each worker reuses one kernel, reset between notebooks)",
    )
    p.set_defaults(func=cmd_run)

    from helpers.run.book_cli import add_parsers as add_book
    from helpers.run.context_cli import add_parsers as add_context

    add_context(sub)
    add_book(sub)
    from helpers.run.nonresponse_cli import add_parser as add_nonresponse

    add_nonresponse(sub)
    from helpers.run.series_cli import add_parser as add_series

    add_series(sub)
    return parser


def _silence_stdout() -> None:
    """After a broken pipe, point standard output at /dev/null so the final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _report_stop(command: str, exc: KeyboardInterrupt) -> int:
    """One line for a stop (Ctrl-C or a stop signal) and its exit code."""
    reason = "interrupted" if exit_code(exc) == 130 else f"stopped by {exc}"
    print(f"{command}: {reason}; nothing was left half-written", file=sys.stderr)
    return exit_code(exc)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mfc`` console script.

    The one place where problems become messages: a DataError exits 1 with one line per problem; a
    ParameterError or another MfcError, an unreadable or unwritable file, exits 2 with one line; a
    reader that closes the pipe early (``mfc headlines ... --csv | head -1``) ends the command
    quietly; SIGINT (Ctrl-C) exits 130, SIGTERM 143 and SIGHUP 129, each with one line, whenever it
    arrives (start-up imports and data validation included). No traceback reaches the user (set
    MFC_DEBUG=1 to see one).
    """
    # first, before any heavy import; run as the mfc program (no argv given), a signal after the command
    # has finished is ignored: the process is only exiting
    with stop_policy(ignore_after=argv is None):
        words = [w for w in (sys.argv[1:] if argv is None else argv) if not w.startswith("-")]
        command = f"mfc {words[0]}" if words else "mfc"  # known before parsing, for a signal during imports
        try:
            parser = build_parser()
            args = parser.parse_args(argv)  # argparse prints usage and exits 2 on bad options
            command = f"mfc {args.command}"
            return args.func(args)
        except KeyboardInterrupt as exc:
            return _report_stop(command, exc)
        except DataError as exc:
            _print_problems(exc.problems)
            return 1
        except MfcError as exc:
            print(f"{command}: {exc}", file=sys.stderr)
            return 2
        except BrokenPipeError as exc:
            if stdout_closed():  # the reader went early: the command ends quietly
                _silence_stdout()
                return 0
            if os.environ.get("MFC_DEBUG"):
                raise
            print(f"{command}: a pipe to another process broke ({exc}); nothing more was done", file=sys.stderr)
            return 1
        except OSError as exc:
            if os.environ.get("MFC_DEBUG"):
                raise
            where = f"{exc.filename}: " if exc.filename else ""
            print(f"{command}: {where}{exc.strerror or exc}", file=sys.stderr)
            return 2
        except Exception as exc:  # a defect: say so in one line rather than a traceback
            if received_stop() is not None:  # a stop that a library turned into another error
                return _report_stop(command, received_stop())
            if os.environ.get("MFC_DEBUG"):
                raise
            print(
                f"{command}: unexpected error {type(exc).__name__}: {exc} (set MFC_DEBUG=1 for details)",
                file=sys.stderr,
            )
            return 1


if __name__ == "__main__":
    sys.exit(main())
