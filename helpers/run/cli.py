"""The ``mfc`` command: check the data, rebuild headlines, check claims, run the notebooks.

Exit codes: 0 success; 1 the data (or a notebook run) failed; 2 bad usage (an unknown report id,
a malformed claims file, an unknown run name).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from helpers.ledger.errors import DataError, MfcError, ParameterError
from helpers.run.output import print_csv


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
    # interval on n / d for each design effect d, and for the one DfE's intra-council correlation implies.
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
            shown["implied d"] = table["deff"].map(lambda d: "-" if d != d else f"{d:.2f}")
            labels = {f"sens_low_deff_{deff_label(d)}": f"d={d:g}" for d in SENSITIVITY_DEFFS}
            for low in grid:
                name = labels.get(low, "d=implied")
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
    from helpers.stats.random_effects import trend_table
    from helpers.stats.series import SERIES_GROUPS

    check_choices("--group", args.group, SERIES_GROUPS)
    ledger = load_ledger(args.data_dir)
    table = trend_table(ledger.figures, ledger.reports, args.group, alpha=args.alpha, one_round=args.one_round)
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


def cmd_claims(args) -> int:
    from helpers.claims.alternatives import ledger_alternatives
    from helpers.claims.check import claims_command

    return claims_command(args.file, out=args.out, alternatives=ledger_alternatives())


def cmd_run(args) -> int:
    from helpers.ledger.paths import EXECUTED_DIR, PROJECT_ROOT
    from helpers.run.runner import load_catalogue, run_catalogue, select_runs

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
    except KeyboardInterrupt:
        print(
            f"mfc run: interrupted; workers and kernels stopped, unfinished notebooks left as they were "
            f"in {EXECUTED_DIR.relative_to(PROJECT_ROOT)}/",
            file=sys.stderr,
        )
        sys.stdout.flush()
        sys.stderr.flush()
        # Exit now: the pool's exit handler would wait on the management thread of workers that are gone.
        os._exit(130)
    failed = [r for r in results if not r.ok]
    for r in results:
        print(("ok      " if r.ok else "FAILED  ") + r.message, file=sys.stderr if not r.ok else sys.stdout)
    print(
        f"{len(results) - len(failed)} of {len(results)} notebook(s) executed"
        + (f"; failed: {', '.join(r.name for r in failed)}" if failed else "")
    )
    return 1 if failed else 0


def cmd_build_context(args) -> int:
    from helpers.ledger.context_build import build_context
    from helpers.ledger.tables import rehash

    written = build_context(args.raw_dir, args.out)
    for name, path in written.items():
        print(f"{name}: {path}")
    # Keep the descriptor's hashes in step when the tables land in a data package (the usual case).
    package = Path(args.out).resolve().parent
    if (package / "datapackage.yaml").is_file():
        for line in rehash(package):
            print(line)
    return 0


def build_parser() -> argparse.ArgumentParser:
    from helpers.ledger.paths import DATA_DIR, DEFAULT_RAW_DATA_DIR
    from helpers.run.runner import DEFAULT_TIMEOUT

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
    p.add_argument("--alpha", type=float, default=0.05, help="1 - confidence level (default 0.05)")
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
    p.add_argument("--alpha", type=float, default=0.05, help="1 - confidence level (default 0.05)")
    p.add_argument("--data-dir", default=str(DATA_DIR))
    p.set_defaults(func=cmd_trends)

    p = sub.add_parser("claims", help="check claims in the interchange format (see README)")
    p.add_argument("file")
    p.add_argument("--out", help="write verdicts as CSV to this path")
    p.set_defaults(func=cmd_claims)

    p = sub.add_parser("run", help="execute the notebook catalogue with papermill")
    p.add_argument("--list", action="store_true", help="print the catalogue and exit")
    p.add_argument("--only", nargs="+", metavar="NAME", help="run only these runs (or notebook stems)")
    p.add_argument("--jobs", type=int, default=1, help="notebooks to run in parallel (default 1)")
    p.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT, help="seconds allowed per cell")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--fresh-kernels",
        action="store_true",
        help="start a new kernel for every notebook (default: each worker reuses one kernel, reset between notebooks)",
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("build-context", help="derive data/context/ from the official raw files")
    p.add_argument(
        "raw_dir",
        nargs="?",
        default=str(DEFAULT_RAW_DATA_DIR),
        help="folder of official raw files (default: data/raw, as vendored)",
    )
    p.add_argument("--out", default=str(DATA_DIR / "context"), help="output folder (default: data/context)")
    p.set_defaults(func=cmd_build_context)

    from helpers.run.nonresponse_cli import add_parser as add_nonresponse

    add_nonresponse(sub)
    return parser


def _silence_stdout() -> None:
    """After a broken pipe, point standard output at /dev/null so the final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mfc`` console script.

    The one place where problems become messages: a DataError exits 1 with one line per problem; a
    ParameterError or another MfcError, an unreadable or unwritable file, exits 2 with one line; a
    reader that closes the pipe early (``mfc headlines ... --csv | head -1``) ends the command
    quietly; Ctrl-C exits 130. No traceback reaches the user (set MFC_DEBUG=1 to see one).
    """
    parser = build_parser()
    args = parser.parse_args(argv)  # argparse prints usage and exits 2 on bad options
    command = f"mfc {args.command}"
    try:
        return args.func(args)
    except DataError as exc:
        _print_problems(exc.problems)
        return 1
    except MfcError as exc:
        print(f"{command}: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except KeyboardInterrupt:
        print(f"{command}: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        if os.environ.get("MFC_DEBUG"):
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"{command}: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a defect: say so in one line rather than a traceback
        if os.environ.get("MFC_DEBUG"):
            raise
        print(f"{command}: unexpected error {type(exc).__name__}: {exc} (set MFC_DEBUG=1 for details)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
