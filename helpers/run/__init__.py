"""The top layer: running notebooks, checking their parameters, and the ``mfc`` command.

May import every other layer; nothing imports it.

    notebook      setup: the first call of every notebook
    params        check_parameters (the validation cell), option_type (mfc options), reject_unknown_parameters
    runner        run_catalogue: papermill over the catalogue, safely and in parallel
    kernel_state  a reused kernel returned to a fresh one's state
    cli           main: the ``mfc`` command (check-data, rehash, headlines, trends, run)
    claims_cli    the ``mfc claims`` subcommand: verdicts printed, --out written
    context_cli   the ``mfc build-context`` and ``mfc cut-lait`` subcommands
    book_cli      the ``mfc site`` and ``mfc readme`` subcommands
    nonresponse_cli  the ``mfc nonresponse`` subcommand
    series_cli      the ``mfc series`` subcommand: the series model's headline quantities
    one_run       mfc run NOTEBOOK -p name=value: one notebook with chosen values, into a named folder
    signals       the signal policy: SIGINT 130, SIGTERM 143, SIGHUP 129, children stopped
    output        tables written to standard output as CSV
    readme        the generated blocks of README.md and docs/*.md
"""

import lazy_loader

# Names load on first use, so `import helpers.X.module` stays as fast as that one module.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "notebook": ["setup"],
        "params": [
            "add_declared_option",
            "check_choice",
            "check_choices",
            "check_parameters",
            "check_report_id",
            "option_type",
            "reject_unknown_parameters",
        ],
        "runner": ["run_catalogue"],
    },
)
