"""Write an index page for the HTML copies of the executed notebooks (``make site``)."""

from __future__ import annotations

import html
import sys
from pathlib import Path

from helpers.runner import load_catalogue


def write_index(site_dir: Path | str) -> Path:
    """An index.html listing every catalogue run whose HTML copy is in ``site_dir``."""
    site_dir = Path(site_dir)
    items = []
    for run in load_catalogue():
        page = site_dir / f"{run.name}.html"
        if page.is_file():
            params = ", ".join(f"{k}={v}" for k, v in run.parameters.items())
            label = html.escape(run.name + (f" ({params})" if params else ""))
            note = f" - {html.escape(run.description)}" if run.description else ""
            items.append(f'<li><a href="{page.name}">{label}</a>{note}</li>')
    index = site_dir / "index.html"
    index.write_text(
        "<!doctype html><meta charset='utf-8'><title>Missing from care: notebooks</title>"
        "<h1>Missing from care: the executed notebooks</h1><ul>" + "".join(items) + "</ul>\n",
        encoding="utf-8",
    )
    return index


if __name__ == "__main__":
    print(write_index(sys.argv[1] if len(sys.argv) > 1 else "build/site"))
