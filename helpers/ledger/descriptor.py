"""Reading a frictionless descriptor file and hashing the files it declares."""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

from helpers.ledger.errors import DataError


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_descriptor_file(path: Path, what: str = "data package descriptor") -> dict:
    """Parse a descriptor YAML file that must hold a ``resources`` list; otherwise raise DataError naming
    the file (``what`` says which descriptor, for the message)."""
    if not path.is_file():
        raise DataError(f"{path}: {what} not found")
    try:
        descriptor = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DataError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise DataError(f"{path}: descriptor has no 'resources' list")
    return descriptor
