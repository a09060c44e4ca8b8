"""One report's headline table, built once, and what the comparison, non-response and tipping code derive from it.

Callers build a :class:`ReportView` with :func:`report_view` at their boundary (a notebook, a command,
the explorer) and hand it down in place of ``(figures, report_id)``, so the headline table is not
rebuilt by every function that needs a rate of the report, and alpha is checked once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from helpers.stats.rates import check_alpha, headline_table


@dataclass(frozen=True, eq=False)
class ReportView:
    """A report's headline table at one alpha (:func:`helpers.stats.rates.headline_table`), and derived views.

    ``went_missing`` keeps the went-missing rates; ``pairs`` those of the latest year, by group then
    denominator; ``versions`` the versions with a went-missing rate, the one the report computed its rates
    with (the smallest denominator of the latest year) first; ``default_version`` that first one.
    """

    report_id: str
    alpha: float
    headlines: pd.DataFrame

    @cached_property
    def went_missing(self) -> pd.DataFrame:
        return self.headlines[self.headlines["measure"] == "went_missing"]

    @cached_property
    def latest_year(self) -> int | None:
        """The latest year with a went-missing rate (None without one)."""
        return None if self.went_missing.empty else int(self.went_missing["year"].max())

    @cached_property
    def pairs(self) -> pd.DataFrame:
        """The went-missing rates of the latest year, smallest denominator first per group."""
        head = self.went_missing
        if head.empty:
            return head
        return head[head["year"] == self.latest_year].sort_values(["group", "denominator"])

    @cached_property
    def versions(self) -> tuple[str, ...]:
        """Versions with a went-missing rate: those of the latest year by denominator, then the rest."""
        head = self.went_missing
        latest = head[head["year"] == self.latest_year]
        order = list(dict.fromkeys(latest.sort_values("denominator", kind="stable")["version"]))
        return tuple(order + [v for v in dict.fromkeys(head["version"]) if v not in order])

    @property
    def default_version(self) -> str | None:
        return self.versions[0] if self.versions else None


def report_view(figures: pd.DataFrame, report_id: str, alpha: float = 0.05) -> ReportView:
    """The :class:`ReportView` of one report: its headline table built once, alpha checked here."""
    alpha = check_alpha(alpha)
    return ReportView(report_id=report_id, alpha=alpha, headlines=headline_table(figures, report_id, alpha=alpha))
