"""Mutation testing of the statistics core: each module against its own tests, one module at a time.

mutmut 3 reads its settings from the pyproject.toml of the folder it runs in and copies that folder's
sources into ``mutants/``. To give every module its own tests (and its own results), this driver builds
a small folder per module under ``.mutation/<module>/`` (git-ignored): links to helpers/, tests/, data/
and notebooks/ (tests read the ledger and the notebook parameters) and a pyproject.toml that names the one file to mutate and the test files that judge it. It then
runs ``mutmut run`` there and reads the verdicts mutmut stores beside each mutated file.

Survivors listed in tests/mutation/equivalent.yaml (mutants that cannot change behaviour, each keyed by
its function and the mutated line before and after, with one line of reasoning) are counted apart, so the
score is killed / (mutants - equivalent). Every run re-checks them: an entry that matches no mutant
(stale) or names a killed mutant fails the run.

Each finished run is recorded in .mutation/<module>/done.json and every start and result in
.mutation/log.txt, so a long run can be resumed and says which modules ran when.

Usage (from the project root; ``make mutation`` runs every module, resuming)::

    python tests/mutation/run.py                        # every module
    python tests/mutation/run.py rates bounds           # some modules
    python tests/mutation/run.py --max-children 1 rates # one core
    python tests/mutation/run.py --resume               # skip modules unchanged since their last finished run
    python tests/mutation/run.py --changed-since REF    # only modules whose source or tests changed since REF
    python tests/mutation/run.py --sample 40 trends     # a seeded sample of 40 mutants: a quick estimate
    python tests/mutation/run.py --show rates           # also print the change of every real survivor
    python tests/mutation/run.py --changes rates        # every mutant of the last run, keyed as equivalents are
    python tests/mutation/run.py --report               # recount the last run (after editing equivalent.yaml)
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
EQUIVALENT_FILE = Path(__file__).with_name("equivalent.yaml")
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
    "two_sided": (
        "helpers/nonresponse/two_sided.py",
        ["tests/nonresponse/test_two_sided.py", "tests/test_properties.py"],
    ),
    "evalues": ("helpers/nonresponse/evalues.py", ["tests/nonresponse/test_evalues.py", "tests/test_properties.py"]),
    "clustering": (
        "helpers/stats/clustering.py",
        ["tests/stats/test_design_effect.py", "tests/stats/test_clustering.py", "tests/test_properties.py"],
    ),
    "heterogeneity": (
        "helpers/stats/heterogeneity.py",
        ["tests/stats/test_trend_sensitivity.py", "tests/stats/test_heterogeneity.py"],
    ),
    "bayes": ("helpers/stats/bayes.py", ["tests/stats/test_trend_sensitivity.py", "tests/stats/test_bayes.py"]),
    "trends": ("helpers/stats/trends.py", ["tests/stats/test_trends.py"]),
    # the simulation's draws are marked "pragma: no mutate" (a changed draw is another synthetic world,
    # not a wrong answer); its estimators' summaries are judged by the fast tests, not the CLI ones
    "simulation": (
        "helpers/nonresponse/simulation.py",
        [
            "tests/nonresponse/test_simulation.py",
            "tests/nonresponse/test_nonresponse.py::test_simulation_is_identical_for_one_seed",
            "tests/nonresponse/test_nonresponse.py::test_estimators_are_unbiased_on_average_under_mcar",
            "tests/nonresponse/test_nonresponse.py::test_simulation_findings_ignore_rows_with_few_replicates",
            "tests/nonresponse/test_nonresponse.py::test_simulation_summary_keeps_the_numbers_below_the_words",
            "tests/nonresponse/test_nonresponse.py::test_impossible_parameters_name_the_value_and_range",
            "tests/nonresponse/test_two_sided.py",
        ],
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
pythonpath = ["tests/oracles"]
"""


def equivalents() -> dict[str, list[dict]]:
    """Module -> its equivalent mutants, from tests/mutation/equivalent.yaml, each keyed by its change.

    An entry names the function, the mutated line's text before and after (stripped; several lines are
    joined by a newline) and one line of reasoning. mutmut's running numbers are not used: they shift
    whenever a line is added above, and then point at other mutants.
    """
    import yaml

    data = yaml.safe_load(EQUIVALENT_FILE.read_text(encoding="utf-8")) or {}
    problems = [m for m in data if m not in MODULES]
    out = {}
    for module, entries in data.items():
        for number, entry in enumerate(entries or [], 1):
            if not isinstance(entry, dict) or set(entry) != {"function", "before", "after", "reason"}:
                problems.append(f"{module} entry {number}: give exactly function, before, after and reason")
            elif not str(entry["reason"]).strip():
                problems.append(f"{module} entry {number}: the reason is empty")
        out[module] = list(entries or [])
    if problems:
        sys.exit(f"{EQUIVALENT_FILE.name}: " + "; ".join(str(p) for p in problems))
    return out


def function_of(name: str, source: str) -> str:
    """The function a mutant name belongs to: ``x_ratio__mutmut_3`` -> ``ratio``, a method -> ``Class.method``."""
    mangled = name.removeprefix(source.removesuffix(".py").replace("/", ".") + ".").rpartition("__mutmut_")[0]
    if mangled.startswith("x\u01c1"):
        return ".".join(part for part in mangled[2:].split("\u01c1") if part)
    return mangled.removeprefix("x_")


def change_of(diff: str) -> tuple[str, str]:
    """The removed and the added lines of a mutant's diff, each stripped and joined by newlines."""
    body = [line for line in diff.splitlines() if not line.startswith(("---", "+++", "@@"))]
    before = "\n".join(line[1:].strip() for line in body if line.startswith("-"))
    after = "\n".join(line[1:].strip() for line in body if line.startswith("+"))
    return before, after


def changes(folder: Path, source: str, names) -> dict[str, tuple[str, str, str]]:
    """Mutant name -> (function, line before, line after), read from the mutants mutmut wrote in folder."""
    import os

    from mutmut.mutation.diff_apply import get_diff_for_mutant

    here = Path.cwd()
    os.chdir(folder)  # mutmut reads its mutants relative to the working folder
    try:
        return {n: (function_of(n, source), *change_of(get_diff_for_mutant(n, path=source))) for n in names}
    finally:
        os.chdir(here)


def match_equivalents(entries: list[dict], change: dict[str, tuple], status: dict[str, str]) -> tuple[set, list]:
    """The mutants the entries excuse, and a line for every entry that is stale or killed.

    An entry is stale when no mutant makes its change (the line was edited or removed: re-check the
    reasoning against the new code) and wrong when a mutant it names was killed (so it was not equivalent).
    """
    by_key: dict[tuple, list[str]] = {}
    for name, key in change.items():
        by_key.setdefault(key, []).append(name)
    excused, problems = set(), []
    for entry in entries:
        key = (entry["function"], str(entry["before"]).strip(), str(entry["after"]).strip())
        names = by_key.get(key, [])
        shown = f"{key[0]}: {key[1]!r} -> {key[2]!r}"
        if not names:
            problems.append(f"stale equivalent (no mutant makes this change): {shown}")
        killed = [n for n in names if status.get(n) in KILLED + ("timeout",)]
        if killed:
            problems.append(f"equivalent that was killed ({', '.join(killed)}): {shown}")
        excused.update(n for n in names if n not in killed)
    return excused, problems


def fingerprint(module: str) -> str:
    """A hash of the module's source and the test files that judge it: a run is stale once either changes."""
    import hashlib

    source, tests = MODULES[module]
    digest = hashlib.sha256()
    for path in [source, *sorted({t.partition("::")[0] for t in tests}), "tests/conftest.py"]:
        file = ROOT / path
        digest.update(path.encode() + b"\0" + (file.read_bytes() if file.exists() else b"") + b"\0")
    return digest.hexdigest()


def finished(module: str) -> dict | None:
    """What .mutation/<module>/done.json says of the module's last complete run, if there was one."""
    done = WORK / module / "done.json"
    return json.loads(done.read_text(encoding="utf-8")) if done.exists() else None


def prepare(module: str, resume: bool) -> Path:
    """The module's folder: links to the sources, tests and data, and its mutmut settings.

    With resume, an unfinished run whose source and tests are unchanged is kept, so mutmut carries on
    from the verdicts it has stored; otherwise the folder is made afresh (stale verdicts would survive a
    change to the tests).
    """
    source, tests = MODULES[module]
    folder = WORK / module
    started = folder / "started.json"
    if (
        resume
        and started.exists()
        and json.loads(started.read_text(encoding="utf-8")).get("fingerprint") == fingerprint(module)
    ):
        return folder
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name in ("helpers", "tests", "data", "notebooks"):
        (folder / name).symlink_to(ROOT / name, target_is_directory=True)
    existing = [t for t in tests if (ROOT / t.partition("::")[0]).exists()]
    (folder / "pyproject.toml").write_text(CONFIG.format(source=source, tests=json.dumps(existing)), encoding="utf-8")
    started.write_text(json.dumps({"fingerprint": fingerprint(module)}), encoding="utf-8")
    return folder


def verdicts(folder: Path, source: str) -> dict[str, str]:
    """Mutant name -> mutmut's verdict (killed, survived, timeout, no tests, ...)."""
    from mutmut.stats import status_by_exit_code

    meta = json.loads((folder / "mutants" / (source + ".meta")).read_text(encoding="utf-8"))
    return {name: status_by_exit_code[code] for name, code in meta["exit_code_by_key"].items()}


def log(line: str) -> None:
    """Append one line to .mutation/log.txt, the record of which modules ran and when."""
    WORK.mkdir(exist_ok=True)
    stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    with (WORK / "log.txt").open("a", encoding="utf-8") as out:
        out.write(f"{stamp}  {line}\n")


GENERATE = """\
from pathlib import Path
from mutmut.__main__ import copy_src_dir, create_mutants
Path("mutants").mkdir(exist_ok=True)
copy_src_dir()
create_mutants(1)
"""


def sample_of(folder: Path, source: str, size: int, seed: int) -> list[str]:
    """A seeded random sample of the module's mutants (mutmut writes them all first, without testing any)."""
    import random

    subprocess.run([sys.executable, "-c", GENERATE], cwd=folder, capture_output=True, check=True)
    meta = json.loads((folder / "mutants" / (source + ".meta")).read_text(encoding="utf-8"))
    names = sorted(meta["exit_code_by_key"])
    return sorted(random.Random(seed).sample(names, min(size, len(names))))


def run_mutmut(module: str, max_children: int, resume: bool, sample: int | None = None, seed: int = 1) -> bool:
    """Run mutmut on one module in its folder (on every mutant, or on a seeded sample); True when it finished."""
    folder = prepare(module, resume)
    mutmut = Path(sys.executable).with_name("mutmut")
    log(f"{module}: started" + (f" on a sample of {sample} mutants (seed {seed})" if sample else ""))
    names = []
    (folder / "done.json").unlink(missing_ok=True)
    (folder / "sample.json").unlink(missing_ok=True)  # a full run counts every mutant
    if sample:
        names = sample_of(folder, MODULES[module][0], sample, seed)
        (folder / "sample.json").write_text(json.dumps(names), encoding="utf-8")
    start = time.monotonic()
    done = subprocess.run(
        [str(mutmut), "run", "--max-children", str(max_children), *names], cwd=folder, capture_output=True, text=True
    )
    seconds = time.monotonic() - start
    (folder / "mutmut.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
        print(f"mutmut failed on {module} (see {folder / 'mutmut.log'}):\n" + "\n".join(tail), file=sys.stderr)
        log(f"{module}: mutmut failed after {seconds:.0f} s")
        return False
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    record = {"finished": stamp, "seconds": round(seconds), "fingerprint": fingerprint(module), "sample": len(names)}
    (folder / "done.json").write_text(json.dumps(record), encoding="utf-8")
    return True


def count(module: str, show: bool, equivalent: dict[str, list[dict]]) -> dict | None:
    """Count the verdicts of the module's last run, with its equivalents checked against the mutants."""
    source, _ = MODULES[module]
    folder = WORK / module
    record = finished(module)
    if record is None or not (folder / "mutants" / (source + ".meta")).exists():
        print(f"{module}: no finished run to report", file=sys.stderr)
        return None
    status = verdicts(folder, source)
    change = changes(folder, source, status)
    sampled = folder / "sample.json"
    if sampled.exists():  # a sampled run: count the sample only
        keep = set(json.loads(sampled.read_text(encoding="utf-8")))
        status = {n: s for n, s in status.items() if n in keep}
    excused, problems = match_equivalents(equivalent.get(module, []), change, status)
    excused &= set(status)  # in a sampled run, only the sampled mutants count
    # mutants no test reaches count against the score as survivors do
    live = sorted(n for n, s in status.items() if s not in KILLED + ("timeout",) and n not in excused)
    row = {
        "module": module,
        "mutants": len(status),
        "killed": sum(s in KILLED for s in status.values()),
        "survived": sum(s == "survived" and n not in excused for n, s in status.items()),
        "timeout": sum(s == "timeout" for s in status.values()),
        "equivalent": len(excused),
        "other": sum(s not in KILLED + ("survived", "timeout") and n not in excused for n, s in status.items()),
        "seconds": record["seconds"],
        "finished": record["finished"],
        "survivors": live,
        "problems": problems,
    }
    # Timeouts count as killed (the mutant made the tests hang); equivalents leave the denominator.
    counted = row["mutants"] - row["equivalent"]
    row["score"] = (row["killed"] + row["timeout"]) / counted if counted else 1.0
    row["sampled"] = sampled.exists()
    row["interval"] = wilson(row["killed"] + row["timeout"], counted)
    if show:
        for name in live:
            print(f"# {name} ({status[name]}) in {change[name][0]}")
            print(f"-  {change[name][1]}\n+  {change[name][2]}\n")
    return row


def wilson(killed: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson interval of a score, which says how far a sampled score can be trusted."""
    if not total:
        return (float("nan"), float("nan"))
    p = killed / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * (p * (1 - p) / total + z * z / (4 * total * total)) ** 0.5 / (1 + z * z / total)
    return (max(0.0, centre - half), min(1.0, centre + half))


def table(rows: list[dict]) -> str:
    head = (
        f"{'module':<16}{'mutants':>8}{'killed':>8}{'survived':>9}{'no test':>8}{'timeout':>8}{'equiv.':>7}"
        f"{'score':>7}{'time':>7}  finished"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r['module']:<16}{r['mutants']:>8}{r['killed']:>8}{r['survived']:>9}{r['other']:>8}{r['timeout']:>8}"
            f"{r['equivalent']:>7}{r['score']:>7.1%}{r['seconds']:>6.0f}s  {r['finished']}"
            + (f"  (sample; 95% CI {r['interval'][0]:.0%}-{r['interval'][1]:.0%})" if r.get("sampled") else "")
        )
    return "\n".join(lines)


def changed_since(ref: str | None) -> list[str]:
    """Modules whose source or tests differ from ref (default: the last tag, else origin/main, else main)."""

    def git(*args) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)

    if ref is None:
        tag = git("describe", "--tags", "--abbrev=0")
        remote = git("rev-parse", "--verify", "--quiet", "origin/main").returncode == 0
        ref = tag.stdout.strip() if tag.returncode == 0 else ("origin/main" if remote else "main")
    diff = git("diff", "--name-only", ref, "--")
    if diff.returncode != 0:
        sys.exit(f"git cannot compare with {ref!r}: {diff.stderr.strip()}")
    paths = set(diff.stdout.split()) | set(git("ls-files", "--others", "--exclude-standard").stdout.split())
    print(f"modules changed since {ref}:", end=" ")
    picked = [
        m
        for m, (source, tests) in MODULES.items()
        if source in paths or any(t.partition("::")[0] in paths for t in tests)
    ]
    print(", ".join(picked) or "none")
    return picked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"modules to test (default all): {', '.join(MODULES)}")
    parser.add_argument("--max-children", type=int, default=2, help="mutants tested at once (default 2)")
    parser.add_argument("--show", action="store_true", help="print the change of every real survivor")
    parser.add_argument(
        "--report",
        action="store_true",
        help="do not run mutmut: count the last run's verdicts again (after editing equivalent.yaml)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="skip modules whose last finished run had the same source and tests; carry on an unfinished one",
    )
    parser.add_argument(
        "--sample",
        type=int,
        metavar="N",
        help="test a seeded random sample of N mutants per module (a quick estimate, with its 95%% interval)",
    )
    parser.add_argument("--seed", type=int, default=1, help="the seed of --sample (default 1)")
    parser.add_argument(
        "--changes",
        action="store_true",
        help="print every mutant of the last run as function, before and after (to key an equivalent)",
    )
    parser.add_argument(
        "--changed-since",
        metavar="REF",
        nargs="?",
        const="",
        help="only the modules whose source or tests changed since REF (default: the last tag, else origin/main)",
    )
    args = parser.parse_args(argv)
    unknown = [m for m in args.modules if m not in MODULES]
    if unknown:
        parser.error(f"unknown module {', '.join(unknown)}; valid modules: {', '.join(MODULES)}")
    equivalent = equivalents()
    modules = args.modules or list(MODULES)
    if args.changed_since is not None:
        modules = [m for m in changed_since(args.changed_since or None) if m in modules]
    if args.changes:
        for module in modules:
            source = MODULES[module][0]
            folder = WORK / module
            status = verdicts(folder, source)
            for name, (function, before, after) in changes(folder, source, status).items():
                print(f"# {name} ({status[name]})\n- function: {function}\n  before: {before!r}\n  after: {after!r}")
        return 0
    rows, failed = [], []
    for module in modules:
        if not args.report:
            record = finished(module)
            # only a finished full run is kept (a sample is an estimate)
            if args.resume and record and not record.get("sample") and record["fingerprint"] == fingerprint(module):
                print(f"{module}: unchanged since its run of {record['finished']}; not run again")
                log(f"{module}: skipped, unchanged since {record['finished']}")
            elif not run_mutmut(module, args.max_children, args.resume, args.sample, args.seed):
                failed.append(module)
                continue
        row = count(module, args.show, equivalent)
        if row is None:
            failed.append(module)
            continue
        rows.append(row)
        if not args.report:
            log(f"{module}: {row['mutants']} mutants, score {row['score']:.1%}, {row['seconds']} s")
        print(table(rows[-1:]).splitlines()[-1], flush=True)
    print()
    print(table(rows))
    for r in rows:
        if r["survivors"]:
            print(f"\n{r['module']}: {len(r['survivors'])} survivors: " + " ".join(r["survivors"]))
        for problem in r["problems"]:
            print(f"\n{r['module']}: {problem}")
    WORK.mkdir(exist_ok=True)
    (WORK / "results.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    if failed:
        print(f"\nmutmut could not run on (or has no finished run of): {', '.join(failed)}")
    below = [r["module"] for r in rows if r["score"] < TARGET] + failed
    if below:
        print(f"\nbelow {TARGET:.0%} killed: {', '.join(below)}")
    wrong = [r["module"] for r in rows if r["problems"]]
    if wrong:
        print(f"\nequivalents to re-check (stale or killed): {', '.join(wrong)}")
    return 1 if below or wrong else 0


if __name__ == "__main__":
    sys.exit(main())
