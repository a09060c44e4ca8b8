"""Time the probabilistic bias analysis of one report; `make bench` runs this.

Target (issue 24): 10,000 or more draws per headline rate in under 30 seconds for a report. Times
*Until Harm Ends* (four headline rates, three conclusions, one of them against another report) at 10,000
and at 100,000 draws: the analysis itself (silent shares of children, design-effect ranges from DfE's
yearly ICCs, every draw), then the tornado and the widened priors on top. Prints the seconds taken and exits
1 if the 10,000-draw analysis misses the target. Not a test: timings vary.
"""

from __future__ import annotations

import sys
import time

from helpers.ledger.tables import load_ledger
from helpers.nonresponse.bias_analysis import bias_analysis, run_draws, tornado, widened
from helpers.stats.report_view import report_view

TARGET_SECONDS = 30.0
REPORT = "until-harm-ends"


def timed(draws: int, ledger) -> tuple[float, float, float, object]:
    """(seconds for the analysis, for its draws alone, for the tornado and widened priors; the analysis)."""
    view = report_view(ledger.figures, REPORT)
    start = time.perf_counter()
    analysis = bias_analysis(ledger, view, draws=draws)
    middle = time.perf_counter()
    run_draws(analysis.rates, analysis.conclusion_specs, analysis.priors, draws=draws, seed=analysis.seed)
    drawn = time.perf_counter()
    tornado(analysis)
    widened(analysis)
    return middle - start, drawn - middle, time.perf_counter() - drawn, analysis


def main() -> int:
    ledger = load_ledger()
    first = None
    for draws in (10_000, 100_000):
        analysis_s, draws_s, sensitivity_s, analysis = timed(draws, ledger)
        first = first if first is not None else analysis_s
        print(
            f"bias analysis of {REPORT}: {len(analysis.headlines)} headline rates and {len(analysis.conclusions)} "
            f"conclusions at {draws:,} draws each in {analysis_s:.2f} s (the draws alone {draws_s:.2f} s); tornado and widened priors "
            f"(15 more runs) in {sensitivity_s:.2f} s"
        )
    print(analysis.conclusions[["conclusion", "difference", "low", "high", "p_holds"]].to_string(index=False))
    print(f"target: 10,000 draws per headline in under {TARGET_SECONDS:.0f} s")
    return 0 if first < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
