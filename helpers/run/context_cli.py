"""``mfc build-context`` and ``mfc cut-lait``: the official statistics of ``data/context/`` from ``data/raw/``.

The work is done in :mod:`helpers.ledger.context_build` (the derived tables) and :mod:`helpers.ledger.raw`
(the raw files and the one cut); this module prints what was written.
"""

from __future__ import annotations

from pathlib import Path


def cmd_build_context(args) -> int:
    """Derive the context tables, then bring the descriptor's hashes up to date when they land in a package."""
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


def cmd_cut_lait(args) -> int:
    """Cut the DfE LAIT extract that ``data/raw/`` keeps from the publisher's full file, byte for byte."""
    from helpers.ledger.raw import LAIT_KEPT_MEASURES, cut_rows

    kept = cut_rows(args.full_file, args.out_file)  # a DataError becomes one line per problem, exit 1
    print(f"{args.out_file}: {kept} rows kept ({', '.join(LAIT_KEPT_MEASURES)})")
    return 0


def add_parsers(sub) -> None:
    """Register ``mfc build-context`` and ``mfc cut-lait`` on the subparsers of ``mfc``."""
    from helpers.ledger.paths import DATA_DIR, DEFAULT_RAW_DATA_DIR

    p = sub.add_parser("build-context", help="derive data/context/ from the official raw files")
    p.add_argument(
        "raw_dir",
        nargs="?",
        default=str(DEFAULT_RAW_DATA_DIR),
        help="folder of official raw files (default: data/raw, as vendored)",
    )
    p.add_argument("--out", default=str(DATA_DIR / "context"), help="output folder (default: data/context)")
    p.set_defaults(func=cmd_build_context)

    p = sub.add_parser(
        "cut-lait",
        help="cut data/raw/'s LAIT extract again from DfE's full LAIT file (header and the two measures read)",
    )
    p.add_argument("full_file", metavar="FULL_LAIT_CSV", help="the full LAIT file as downloaded from DfE")
    p.add_argument("out_file", metavar="OUT_CSV", help="where the cut goes")
    p.set_defaults(func=cmd_cut_lait)
