"""``mfc nonresponse REPORT_ID [--csv] [scenario settings]``: bounds, estimators, tipping points for one report.

The scenario settings are those of notebook 40's parameters: ``--mechanisms``, ``--strength MECH=VALUE``
(repeatable), ``--imputations``, ``--seeds`` (draws per scenario) and ``--seed``. ``--bias-draws`` (0 leaves
them out) and ``--bias-seed`` set the probabilistic bias analysis, whose rows give each headline rate's
bias-adjusted interval and each conclusion's probability of holding.
"""

from __future__ import annotations

import sys

# The bias analysis's defaults (helpers.nonresponse.bias_analysis DRAWS and SEED; a test keeps them equal),
# written here so that building the parser imports nothing heavy.
BIAS_DRAWS = 10_000
BIAS_SEED = 20251206


def parse_strengths(items) -> dict:
    """['mnar=-1', 'mar_size=0.5'] -> {'mnar': -1.0, 'mar_size': 0.5}; a bad item raises ParameterError
    naming it and the valid mechanisms."""
    from helpers.ledger.errors import ParameterError
    from helpers.nonresponse.scenarios import MECHANISMS

    out = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or name not in MECHANISMS:
            raise ParameterError(
                f"--strength {item!r} is not valid; write MECHANISM=NUMBER with MECHANISM one of {', '.join(MECHANISMS)}"
            )
        try:
            out[name] = float(value)
        except ValueError:
            raise ParameterError(f"--strength {item!r}: {value!r} is not a number") from None
    return out


def cmd_nonresponse(args) -> int:
    """Print the report's non-response table; exit 2 for an unknown id or setting, 0 with one line if nothing to do."""
    from helpers.ledger.choices import check_report_id
    from helpers.ledger.tables import load_ledger
    from helpers.nonresponse.report import nonresponse_table
    from helpers.nonresponse.two_sided import two_sided_table
    from helpers.present.nonresponse_findings import with_tipping_notes
    from helpers.run.output import print_csv
    from helpers.stats.report_view import report_view

    ledger = load_ledger(args.data_dir)
    check_report_id(args.report_id, ledger.reports)  # main() turns a ParameterError into one line, exit 2
    view = report_view(ledger.figures, args.report_id, args.alpha)  # the report's rates, built once
    two_sided = two_sided_table(ledger, view)
    table = nonresponse_table(
        ledger,
        view,
        mechanisms=[m.strip() for m in args.mechanisms.split(",") if m.strip()],
        strengths=parse_strengths(args.strength),
        seed=args.seed,
        n_seeds=args.seeds,
        imputations=args.imputations,
        two_sided=two_sided,
    )
    if table.empty:
        print(
            f"{args.report_id}: the ledger holds no pair of children recorded as missing and children in care "
            "for this report, so there is nothing to bound or estimate"
        )
        return 0
    table = with_tipping_notes(table, two_sided)  # what each conclusion rests on, in words
    if args.bias_draws:
        from helpers.nonresponse.bias_analysis import bias_analysis
        from helpers.present.bias_analysis_words import bias_adjusted_rows

        analysis = bias_analysis(ledger, view, draws=args.bias_draws, seed=args.bias_seed)
        rows = bias_adjusted_rows(analysis)
        if len(rows):
            import pandas as pd

            table = pd.concat([table, rows], ignore_index=True)
    if args.csv:
        print_csv(table)
    else:
        shown = table.copy()
        for col in ("estimate", "low", "high"):
            shown[col] = [
                "" if v != v else (f"{v:.2f}" if m.startswith("selection_evalue") else f"{v:.1%}")
                for v, m in zip(shown[col], shown["method"])
            ]
        print(shown.drop(columns="note").to_string(index=False))
        notes = table.loc[table["method"] == "two_sided_threshold", ["group", "note"]].drop_duplicates()
        for row in notes.itertuples(index=False):
            print(f"{row.group}: {row.note}")
        sys.stdout.flush()  # a closed pipe is then handled by mfc's main()
    return 0


def add_parser(sub) -> None:
    """Register the subcommand on the ``mfc`` parser's subparsers."""
    from helpers.ledger.paths import DATA_DIR
    from helpers.nonresponse.estimators import IMPUTATIONS
    from helpers.nonresponse.report import DEFAULT_SEEDS
    from helpers.run.params import add_declared_option

    p = sub.add_parser(
        "nonresponse", help="a report's rates under council non-response: bounds, estimators, scenarios, tipping points"
    )
    p.add_argument("report_id")
    p.add_argument("--csv", action="store_true", help="write CSV to standard output")
    # ranges are declared once, with 40's parameters (notebooks/parameters.yaml)
    add_declared_option(p, "--alpha", "40_nonresponse", "alpha", 0.05, "1 - confidence level")
    add_declared_option(p, "--seed", "40_nonresponse", "seed", 20251124, "first seed of the scenario draws")
    p.add_argument(
        "--seeds",
        type=int,
        default=DEFAULT_SEEDS,
        help=f"synthetic draws per scenario, 2 or more (default {DEFAULT_SEEDS})",
    )
    p.add_argument(
        "--mechanisms",
        default="mcar,mar_size,mnar",
        help="comma-separated response mechanisms: mcar, mar_size, mar_dfe, mnar (default mcar,mar_size,mnar)",
    )
    p.add_argument(
        "--strength",
        action="append",
        metavar="MECH=VALUE",
        help="log-odds slope of a mechanism, e.g. --strength mnar=-1 (repeatable; defaults mar_size=1, mar_dfe=-2, mnar=-2)",
    )
    p.add_argument(
        "--imputations",
        type=int,
        default=IMPUTATIONS,
        help=f"completed data sets per MICE run, 2 or more (default {IMPUTATIONS})",
    )
    p.add_argument(
        "--bias-draws",
        type=int,
        default=BIAS_DRAWS,
        help=f"draws of the probabilistic bias analysis per headline rate, 100 or more; 0 leaves it out (default {BIAS_DRAWS})",
    )
    p.add_argument("--bias-seed", type=int, default=BIAS_SEED, help=f"seed of the bias analysis (default {BIAS_SEED})")
    p.add_argument("--data-dir", default=str(DATA_DIR))
    p.set_defaults(func=cmd_nonresponse)
