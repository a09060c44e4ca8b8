"""The mutation driver's bookkeeping, without running mutmut: equivalents keyed by change, stale and killed ones.

tests/mutation/run.py is a script, not a package module, so it is loaded from its path.
"""

import importlib.util
from pathlib import Path

import pytest

RUN = Path(__file__).parent / "mutation" / "run.py"


@pytest.fixture(scope="module")
def run():
    spec = importlib.util.spec_from_file_location("mutation_run", RUN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_equivalent_names_a_module_of_the_set_and_gives_its_change(run):
    equivalent = run.equivalents()  # exits with the problem when an entry is malformed
    assert set(equivalent) <= set(run.MODULES)
    for entries in equivalent.values():
        for entry in entries:
            assert entry["function"] and str(entry["before"]).strip() and str(entry["reason"]).strip()
            assert str(entry["before"]).strip() != str(entry["after"]).strip()


def test_the_two_wrong_entries_are_gone(run):
    equivalent = run.equivalents()
    # the MICE within-variance squared, and the points check's 0 <= a (both real survivors, not equivalents)
    assert not any("** 3" in str(e["after"]) for e in equivalent["estimators"])
    assert not any("1 <= a <= 100" in str(e["after"]) for e in equivalent["check"])


def test_a_mutant_name_gives_its_function(run):
    assert run.function_of("helpers.stats.rates.x__published__mutmut_27", "helpers/stats/rates.py") == "_published"
    assert run.function_of(
        "helpers.stats.bayes.x\u01c1GridPosterior\u01c1mean__mutmut_3", "helpers/stats/bayes.py"
    ) == ("GridPosterior.mean")


def test_change_of_a_diff_keeps_the_removed_and_added_lines_only(run):
    diff = "--- a.py\n+++ a.py\n@@ -1,3 +1,3 @@\n def f(x):\n-    return x + 1\n+    return x - 1\n"
    assert run.change_of(diff) == ("return x + 1", "return x - 1")


def test_equivalents_that_are_stale_or_killed_are_reported(run):
    entries = [
        {"function": "f", "before": "return x + 1", "after": "return x - 1", "reason": "r"},
        {"function": "f", "before": "return x + 1", "after": "return x * 1", "reason": "r"},
        {"function": "g", "before": "y = 2", "after": "y = 3", "reason": "r"},
    ]
    change = {
        "m.x_f__mutmut_1": ("f", "return x + 1", "return x - 1"),
        "m.x_f__mutmut_2": ("f", "return x + 1", "return x * 1"),
        "m.x_f__mutmut_3": ("f", "return x + 1", "return None"),
    }
    status = {"m.x_f__mutmut_1": "survived", "m.x_f__mutmut_2": "killed", "m.x_f__mutmut_3": "survived"}
    excused, problems = run.match_equivalents(entries, change, status)
    assert excused == {"m.x_f__mutmut_1"}
    assert len(problems) == 2
    assert problems[0].startswith("equivalent that was killed (m.x_f__mutmut_2)")
    assert problems[1].startswith("stale equivalent (no mutant makes this change): g:")


def test_the_wilson_interval_of_a_sampled_score(run):
    # by hand: centre (0.9 + 1.96²/80) / (1 + 1.96²/40) = 0.8650, half-width 1.96 sqrt(0.09/40 + 1.96²/6400) / 1.0960 = 0.0955
    low, high = run.wilson(36, 40)
    assert low == pytest.approx(0.7694, abs=1e-4) and high == pytest.approx(0.9604, abs=1e-4)
