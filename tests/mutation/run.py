"""Mutation testing of the statistics core: each module against its own tests, one module at a time.

mutmut 3 reads its settings from the pyproject.toml of the folder it runs in and copies that folder's
sources into ``mutants/``. To give every module its own tests (and its own results), this driver builds
a small folder per module under ``.mutation/<module>/`` (git-ignored): links to helpers/, tests/, data/
and notebooks/ (tests read the ledger and the notebook parameters) and a pyproject.toml that names the one file to mutate and the test files that judge it. It then
runs ``mutmut run`` there and reads the verdicts mutmut stores beside each mutated file.

Survivors listed in tests/mutation/equivalent.txt (mutants that cannot change behaviour, each with one
line of reasoning) are counted apart, so the score is killed / (mutants - equivalent).

Usage (from the project root; ``make mutation`` runs every module on two cores)::

    python tests/mutation/run.py                        # every module
    python tests/mutation/run.py rates bounds           # some modules
    python tests/mutation/run.py --max-children 1 rates # one core
    python tests/mutation/run.py --show rates           # also print the diff of every real survivor
    python tests/mutation/run.py --report               # recount the last run (after editing equivalent.txt)
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / ".mutation"
EQUIVALENT_FILE = Path(__file__).with_name("equivalent.txt")
TARGET = 0.90
KILLED = ("killed", "caught by type check")

# module -> (file to mutate, the test files that judge it)
MODULES = {
    "rates": ("helpers/stats/rates.py", ["tests/stats/test_rates.py", "tests/stats/test_edges_rates.py"]),
    "rounding": ("helpers/stats/rounding.py", ["tests/claims/test_check.py", "tests/stats/test_edges_rounding.py"]),
    "comparisons": (
        "helpers/stats/comparisons.py",
        ["tests/stats/test_comparisons.py", "tests/stats/test_edges_comparisons.py"],
    ),
    "bounds": (
        "helpers/nonresponse/bounds.py",
        ["tests/nonresponse/test_nonresponse.py", "tests/nonresponse/test_edges_bounds.py"],
    ),
    "estimators": (
        "helpers/nonresponse/estimators.py",
        ["tests/nonresponse/test_nonresponse.py", "tests/nonresponse/test_edges_estimators.py"],
    ),
    "check": ("helpers/claims/check.py", ["tests/claims/test_check.py", "tests/claims/test_edges_check.py"]),
    "tipping": (
        "helpers/nonresponse/tipping.py",
        ["tests/nonresponse/test_nonresponse.py", "tests/nonresponse/test_edges_tipping.py"],
    ),
    "random_effects": (
        "helpers/stats/random_effects.py",
        ["tests/stats/test_random_effects.py", "tests/stats/test_edges_random_effects.py"],
    ),
}

CONFIG = """\
# Written by tests/mutation/run.py for one module; not edited by hand.
[tool.mutmut]
source_paths = ["helpers"]
only_mutate = [{source!r}]
pytest_add_cli_args_test_selection = {tests}
pytest_add_cli_args = ["-p", "no:xdist", "-p", "no:cacheprovider", "-q"]
also_copy = ["data", "notebooks"]

[tool.pytest.ini_options]
filterwarnings = ["error::DeprecationWarning:helpers.*"]
"""


def equivalents() -> dict[str, str]:
    """Mutant name -> the reason it is equivalent, from tests/mutation/equivalent.txt."""
    out = {}
    for number, line in enumerate(EQUIVALENT_FILE.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, reason = line.partition(" ")
        if not sep or not reason.strip():
            sys.exit(f"{EQUIVALENT_FILE.name} line {number}: give the mutant name, a space, then one line of reasoning")
        out[name] = reason.strip()
    return out


def prepare(module: str) -> Path:
    """A fresh folder for one module: links to the sources, tests and data, and its mutmut settings."""
    source, tests = MODULES[module]
    folder = WORK / module
    if folder.exists():
        shutil.rmtree(folder)  # stale verdicts would survive a change to the tests
    folder.mkdir(parents=True)
    for name in ("helpers", "tests", "data", "notebooks"):
        (folder / name).symlink_to(ROOT / name, target_is_directory=True)
    existing = [t for t in tests if (ROOT / t).exists()]
    (folder / "pyproject.toml").write_text(CONFIG.format(source=source, tests=json.dumps(existing)), encoding="utf-8")
    return folder


def verdicts(folder: Path, source: str) -> dict[str, str]:
    """Mutant name -> mutmut's verdict (killed, survived, timeout, no tests, ...)."""
    from mutmut.stats import status_by_exit_code

    meta = json.loads((folder / "mutants" / (source + ".meta")).read_text(encoding="utf-8"))
    return {name: status_by_exit_code[code] for name, code in meta["exit_code_by_key"].items()}


def run_module(module: str, max_children: int, show: bool, equivalent: dict[str, str], again: bool = True) -> dict:
    """Run mutmut on one module (or, with again=False, read the verdicts of the last run) and count them."""
    source, _ = MODULES[module]
    folder = WORK / module
    mutmut = Path(sys.executable).with_name("mutmut")
    timing = folder / "seconds.txt"
    if again:
        prepare(module)
        start = time.monotonic()
        done = subprocess.run(
            [str(mutmut), "run", "--max-children", str(max_children)], cwd=folder, capture_output=True, text=True
        )
        timing.write_text(f"{time.monotonic() - start:.0f}\n", encoding="utf-8")
        (folder / "mutmut.log").write_text(done.stdout + done.stderr, encoding="utf-8")
        if done.returncode != 0:
            tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
            print(f"mutmut failed on {module} (see {folder / 'mutmut.log'}):\n" + "\n".join(tail), file=sys.stderr)
            return None
    elif not (folder / "mutants" / (source + ".meta")).exists():
        print(f"{module}: no earlier run to report (run without --report first)", file=sys.stderr)
        return None
    seconds = float(timing.read_text(encoding="utf-8")) if timing.exists() else float("nan")
    status = verdicts(folder, source)
    survivors = sorted(n for n, s in status.items() if s == "survived" and n not in equivalent)
    # mutants no test reaches count against the score as survivors do
    live = sorted(n for n, s in status.items() if s not in KILLED + ("timeout",) and n not in equivalent)
    row = {
        "module": module,
        "mutants": len(status),
        "killed": sum(s in KILLED for s in status.values()),
        "survived": len(survivors),
        "timeout": sum(s == "timeout" for s in status.values()),
        "equivalent": sum(s == "survived" and n in equivalent for n, s in status.items()),
        "other": sum(s not in KILLED + ("survived", "timeout") for s in status.values()),
        "seconds": seconds,
        "survivors": live,
    }
    # Timeouts count as killed (the mutant made the tests hang); equivalents leave the denominator.
    counted = row["mutants"] - row["equivalent"]
    row["score"] = (row["killed"] + row["timeout"]) / counted if counted else 1.0
    if show:
        for name in live:
            diff = subprocess.run([str(mutmut), "show", name], cwd=folder, capture_output=True, text=True).stdout
            print(diff)
    return row


def table(rows: list[dict]) -> str:
    head = f"{'module':<16}{'mutants':>8}{'killed':>8}{'survived':>9}{'no test':>8}{'timeout':>8}{'equiv.':>7}{'score':>7}{'time':>7}"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r['module']:<16}{r['mutants']:>8}{r['killed']:>8}{r['survived']:>9}{r['other']:>8}{r['timeout']:>8}"
            f"{r['equivalent']:>7}{r['score']:>7.0%}{r['seconds']:>6.0f}s"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"modules to test (default all): {', '.join(MODULES)}")
    parser.add_argument("--max-children", type=int, default=2, help="mutants tested at once (default 2)")
    parser.add_argument("--show", action="store_true", help="print the diff of every real survivor")
    parser.add_argument(
        "--report",
        action="store_true",
        help="do not run mutmut: count the last run's verdicts again (after editing equivalent.txt)",
    )
    args = parser.parse_args(argv)
    unknown = [m for m in args.modules if m not in MODULES]
    if unknown:
        parser.error(f"unknown module {', '.join(unknown)}; valid modules: {', '.join(MODULES)}")
    equivalent = equivalents()
    rows = []
    failed = []
    for module in args.modules or list(MODULES):
        row = run_module(module, args.max_children, args.show, equivalent, again=not args.report)
        if row is None:
            failed.append(module)
            continue
        rows.append(row)
        print(table(rows[-1:]).splitlines()[-1], flush=True)
    print()
    print(table(rows))
    for r in rows:
        if r["survivors"]:
            print(f"\n{r['module']}: {len(r['survivors'])} survivors: " + " ".join(r["survivors"]))
    WORK.mkdir(exist_ok=True)
    (WORK / "results.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    if failed:
        print(f"\nmutmut could not run on: {', '.join(failed)}")
    below = [r["module"] for r in rows if r["score"] < TARGET] + failed
    if below:
        print(f"\nbelow {TARGET:.0%} killed: {', '.join(below)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
