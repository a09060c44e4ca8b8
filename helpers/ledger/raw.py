"""The official raw files in ``data/raw/``: their provenance descriptor, their hashes, and the one cut.

``data/raw/`` holds exactly the official files that :mod:`helpers.ledger.context_build` reads, kept as
received (never edited). ``data/raw/datapackage.yaml`` names each file's publisher, release, URL,
licence, byte count and sha256. :func:`raw_problems` recomputes the hashes, so ``mfc check-data``
names any raw file that was edited, removed or added without a descriptor entry.

One file is too large to keep whole: the DfE LAIT extract, of which the build reads two measures.
:func:`cut_rows` keeps its header and the lines whose first column is one of those measures, byte
for byte (no re-encoding, line endings untouched), so anyone can cut it again from the full file::

    mfc cut-lait FULL_LAIT.csv data/raw/dfe_lait_selected_la_indicators_2016_2025.csv
"""

from __future__ import annotations

import csv
from pathlib import Path

from helpers.ledger.descriptor import load_descriptor_file, sha256_of
from helpers.ledger.errors import DataError
from helpers.ledger.paths import DATA_DIR, DESCRIPTOR_NAME

RAW_DIR_NAME = "raw"
# Files in data/raw/ that are documentation, not data.
RAW_DOCS = {"README.md", DESCRIPTOR_NAME}
# The LAIT measures (column 'Short Desc') that helpers.ledger.context_build reads.
LAIT_KEPT_MEASURES = ("LACnum", "Unacc_Asylmn_Seek_Childn")


def raw_problems(data_dir: Path | str | None = None) -> list[str]:
    """One line per raw file that is missing, edited (sha256 or size differs) or undeclared.

    Returns an empty list when every file in ``data/raw/`` matches its descriptor entry. A data
    folder without a ``raw/`` subfolder (a copy of the ledger tables alone) has nothing to check.
    """

    data_dir = Path(data_dir or DATA_DIR)
    raw_dir = data_dir / RAW_DIR_NAME
    if not raw_dir.is_dir():
        return []
    return raw_folder_problems(raw_dir, where=f"{data_dir.name}/{RAW_DIR_NAME}", required=True)


def raw_folder_problems(raw_dir: Path | str, where: str | None = None, required: bool = False) -> list[str]:
    """:func:`raw_problems` for any folder of raw files with its own ``datapackage.yaml``.

    ``mfc build-context`` calls it first, so an edited file is refused (named) before any table is
    built. A folder without a descriptor (files a user downloaded) has no hashes to check, unless
    ``required``.
    """
    raw_dir = Path(raw_dir)
    where = where or str(raw_dir)
    if not required and not (raw_dir / DESCRIPTOR_NAME).exists():
        return []
    try:
        descriptor = load_descriptor_file(raw_dir / DESCRIPTOR_NAME, "raw-file descriptor")
    except DataError as exc:
        return exc.problems
    problems, declared = [], set()
    for res in descriptor["resources"]:
        declared.add(res["path"])
        path = raw_dir / res["path"]
        if not path.is_file():
            problems.append(f"{where}/{res['path']}: file not found (declared by raw resource '{res['name']}')")
            continue
        if (
            str(res.get("hash", "")).removeprefix("sha256:") != sha256_of(path)
            or res.get("bytes") != path.stat().st_size
        ):
            problems.append(
                f"{where}/{res['path']}: sha256 differs from {raw_dir.name}/{DESCRIPTOR_NAME}: an official raw file "
                "must stay as received (restore it with `git checkout -- data/raw`)"
            )
    for path in sorted(raw_dir.iterdir()):
        if path.is_file() and path.name not in RAW_DOCS and path.name not in declared:
            problems.append(f"{where}/{path.name}: not declared in {RAW_DIR_NAME}/{DESCRIPTOR_NAME}")
    return problems


def cut_rows(src: Path | str, dst: Path | str, keep: tuple[str, ...] = LAIT_KEPT_MEASURES) -> int:
    """Copy the header and the lines of ``src`` whose first CSV field is in ``keep`` to ``dst``.

    Lines are copied as bytes, so each kept line is identical to the publisher's. Returns the
    number of data lines kept. Raises DataError if ``src`` is missing or a kept value never occurs.
    """
    src, dst = Path(src), Path(dst)
    if not src.is_file():
        raise DataError(f"{src}: file not found")
    lines = src.read_bytes().splitlines(keepends=True)
    if not lines:
        raise DataError(f"{src}: empty file")
    kept, seen = [lines[0]], set()
    for line in lines[1:]:
        text = line.decode("utf-8").rstrip("\r\n")
        first = next(csv.reader([text]), [""])[0]
        if first in keep:
            kept.append(line)
            seen.add(first)
    absent = [k for k in keep if k not in seen]
    if absent:
        raise DataError(f"{src}: column 1: no rows for {absent} (valid: values of the file's first column)")
    dst.write_bytes(b"".join(kept))
    return len(kept) - 1
