"""The snippets of docs/explore.md (linked from the README) run as printed, and print what an independent
reading of data/ gives.

Each ```python block of the section runs in a fresh interpreter from the project's top folder, as a
reader would paste it. Expected values come from data/figures.csv read with the csv module and from the
Wilson formula written out, not from the helpers the snippets call.
"""

from __future__ import annotations

import csv
import json
import math
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from helpers.ledger.paths import PROJECT_ROOT

EXPLORE = PROJECT_ROOT / "docs" / "explore.md"


def explore_blocks() -> list[str]:
    text = EXPLORE.read_text(encoding="utf-8")
    assert text.startswith("# Explore\n"), "docs/explore.md is the Explore page"
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def wilson(k, n, z):
    p = k / n
    centre, half = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)


def test_three_snippets_of_five_lines_at_most():
    blocks = explore_blocks()
    assert len(blocks) == 3
    for block in blocks:
        statements = [line for line in block.splitlines() if line.strip()]
        assert len(statements) <= 5, block  # five lines, imports included


def test_loading_the_ledger_counts_the_figures_per_report():
    out = run(explore_blocks()[0])
    with (PROJECT_ROOT / "data" / "figures.csv").open(newline="", encoding="utf-8") as f:
        counts = Counter(row["report_id"] for row in csv.DictReader(f))
    for report_id, n in counts.items():
        assert re.search(rf"^{re.escape(report_id)}\s+{n}$", out, flags=re.M), (report_id, n)
    assert "'source_id'" in out and "'locator'" in out


def test_a_headline_with_another_alpha():
    out = run(explore_blocks()[1])
    lo, hi = wilson(864, 2335, 2.5758293035489004)  # z for a 99% interval
    assert f"guardian, trafficked: 37.0%, 99% CI (sampling only) {lo:.1%} to {hi:.1%}" in out
    lo, hi = wilson(1501, 12530, 2.5758293035489004)
    assert f"independent, unaccompanied: 12.0%, 99% CI (sampling only) {lo:.1%} to {hi:.1%}" in out


def test_a_notebook_with_another_version():
    out = run(explore_blocks()[2])
    path = Path(out.strip().rsplit("written to ", 1)[1])
    nb = json.loads(path.read_text(encoding="utf-8"))
    shutil.rmtree(path.parent)  # the snippet's own temporary folder
    assert nb["metadata"]["papermill"]["parameters"]["versions"] == {"until-harm-ends": "independent"}
    shown = "".join("".join(o.get("data", {}).get("text/plain", "")) for c in nb["cells"] for o in c.get("outputs", []))
    assert "all councils counted (Independent)" in shown  # the version the trend used, in words
    assert not [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]


def test_the_shell_variant_names_a_declared_notebook_and_parameter():
    import yaml

    from helpers.ledger.parameters import check_value, declared_parameters

    text = EXPLORE.read_text(encoding="utf-8")
    line = re.search(r"`mfc run (\S+) -p '(\w+)=(.+?)' --output-dir \S+`", text)
    assert line, "the Explore page shows the mfc run variant"
    notebook, name, value = line.groups()
    spec = declared_parameters(notebook)[name]
    assert check_value(name, yaml.safe_load(value), spec) == {"until-harm-ends": "independent"}
    assert (PROJECT_ROOT / "notebooks" / f"{notebook}.ipynb").is_file()
