"""``mfc nonresponse REPORT_ID [--csv]``: bounds and estimators under scenarios for one report."""

from __future__ import annotations

import sys


def cmd_nonresponse(args) -> int:
    """Print the report's non-response table; exit 2 for an unknown id, 0 with one line if nothing to do."""
    from helpers.ledger.choices import check_report_id
    from helpers.ledger.tables import load_ledger
    from helpers.nonresponse.report import nonresponse_table
    from helpers.run.output import print_csv

    ledger = load_ledger(args.data_dir)
    check_report_id(args.report_id, ledger.reports)  # main() turns a ParameterError into one line, exit 2
    table = nonresponse_table(ledger, args.report_id, seed=args.seed, alpha=args.alpha)
    if table.empty:
        print(
            f"{args.report_id}: the ledger holds no pair of children who went missing and children in care "
            "for this report, so there is nothing to bound or estimate"
        )
        return 0
    if args.csv:
        print_csv(table)
    else:
        shown = table.copy()
        for col in ("estimate", "low", "high"):
            shown[col] = shown[col].map(lambda x: f"{x:.1%}")
        print(shown.to_string(index=False))
        sys.stdout.flush()  # a closed pipe is then handled by mfc's main()
    return 0


def add_parser(sub) -> None:
    """Register the subcommand on the ``mfc`` parser's subparsers."""
    from helpers.ledger.paths import DATA_DIR

    p = sub.add_parser("nonresponse", help="a report's rates under council non-response: bounds, estimators, scenarios")
    p.add_argument("report_id")
    p.add_argument("--csv", action="store_true", help="write CSV to standard output")
    p.add_argument("--alpha", type=float, default=0.05, help="1 - confidence level (default 0.05)")
    from helpers.run.params import add_declared_option  # the seed's range: declared once, with 40's

    add_declared_option(p, "--seed", "40_nonresponse", "seed", 20251124, "seed of the scenario draws")
    p.add_argument("--data-dir", default=str(DATA_DIR))
    p.set_defaults(func=cmd_nonresponse)
