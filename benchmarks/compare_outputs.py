"""Compare the outputs of the executed notebooks at two git revisions, cell by cell, sources ignored.

    python benchmarks/compare_outputs.py REV_BEFORE REV_AFTER

Prints one line per executed copy present at both revisions ("identical outputs" or the cells that
differ) and exits 1 if any output differs. It shows that a change which should only move code (a
restructuring, a rename, a reformat) left every result the reader sees as it was.
"""

from __future__ import annotations

import json
import subprocess
import sys

EXECUTED = "notebooks/executed"


def executed_copies(rev: str) -> dict[str, dict]:
    """Every executed notebook at ``rev``, parsed, by file name."""
    names = subprocess.run(
        ["git", "ls-tree", "--name-only", f"{rev}:{EXECUTED}"], capture_output=True, text=True, check=True
    ).stdout.split()
    out = {}
    for name in names:
        if name.endswith(".ipynb"):
            text = subprocess.run(
                ["git", "show", f"{rev}:{EXECUTED}/{name}"], capture_output=True, text=True, check=True
            )
            out[name] = json.loads(text.stdout)
    return out


def outputs_and_metadata(nb: dict) -> list:
    """Each cell without its source: what a reader sees, and the metadata nbval and the runner rely on."""
    return [{k: v for k, v in cell.items() if k != "source"} for cell in nb["cells"]]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    before, after = (executed_copies(rev) for rev in argv)
    differ = 0
    for name in sorted(set(before) & set(after)):
        a, b = outputs_and_metadata(before[name]), outputs_and_metadata(after[name])
        cells = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
        if len(a) != len(b) or cells:
            differ += 1
            print(f"DIFFERENT  {name}: cells {cells} ({len(a)} against {len(b)} cells)")
        else:
            print(f"identical outputs  {name} ({len(a)} cells)")
    for name in sorted(set(before) ^ set(after)):
        print(f"only at {'the first' if name in before else 'the second'} revision: {name}")
    print(f"{len(set(before) & set(after)) - differ} identical, {differ} different")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
