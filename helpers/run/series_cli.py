"""``mfc series``: the series model's headline quantities (posterior medians, 95% credible intervals)."""

from __future__ import annotations

import sys


def cmd_series(args) -> int:
    """Fit the series model and print each group's slope, the gap's trend and each year's gap."""
    from helpers.ledger.tables import load_ledger
    from helpers.run.output import print_csv
    from helpers.stats.series_data import default_series_data
    from helpers.stats.series_model import SamplerSettings, SeriesPriors, fit_series_model, headline_quantities

    ledger = load_ledger(args.data_dir)
    data = default_series_data(ledger)
    settings = SamplerSettings(chains=args.chains, warmup=args.warmup, draws=args.draws, seed=args.seed)
    post = fit_series_model(data, SeriesPriors(rho=args.rho), settings)  # bad diagnostics: one line, exit 2
    table = headline_quantities(post)
    if args.csv:
        print_csv(table)
    else:
        shown = table.assign(
            median=table["median"].map(lambda x: f"{x:.3f}"),
            credible_interval=[f"{lo:.3f} to {hi:.3f}" for lo, hi in zip(table["cri_low"], table["cri_high"])],
            p_rise=table["p_rise"].map(lambda x: f"{x:.1%}"),
        )[["quantity", "median", "credible_interval", "p_rise"]]
        shown.columns = ["quantity", "posterior median", "95% credible interval", "P(above 1)"]
        print(shown.to_string(index=False))
        worst = post.diagnostics["r_hat"].max()
        print(
            f"NumPyro NUTS, {settings.chains} chains x {settings.draws} draws, rho = {args.rho:g}: "
            f"largest R-hat {worst:.3f}, smallest ESS {post.diagnostics['ess'].min():.0f}, "
            f"{post.divergences} divergences. Odds ratios per year; gap = trafficked odds / unaccompanied odds."
        )
        sys.stdout.flush()  # a closed pipe is then handled by mfc's main()
    return 0


def add_parser(sub) -> None:
    """Register the subcommand on the ``mfc`` parser's subparsers."""
    from helpers.ledger.paths import DATA_DIR
    from helpers.stats.series_model import SamplerSettings

    defaults = SamplerSettings()
    p = sub.add_parser(
        "series", help="the series as one Bayesian model: slopes, the gap's trend, P(widening), 95% credible intervals"
    )
    p.add_argument("--csv", action="store_true", help="write CSV to standard output")
    p.add_argument(
        "--rho", type=float, default=0.5, help="fixed correlation of the groups' report effects (default 0.5)"
    )
    p.add_argument("--chains", type=int, default=defaults.chains, help=f"chains (default {defaults.chains})")
    p.add_argument(
        "--warmup", type=int, default=defaults.warmup, help=f"warm-up draws per chain (default {defaults.warmup})"
    )
    p.add_argument("--draws", type=int, default=defaults.draws, help=f"kept draws per chain (default {defaults.draws})")
    p.add_argument("--seed", type=int, default=defaults.seed, help=f"sampler seed (default {defaults.seed})")
    p.add_argument("--data-dir", default=str(DATA_DIR))
    p.set_defaults(func=cmd_series)
