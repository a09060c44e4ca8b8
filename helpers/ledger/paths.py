"""Where the project's folders are, whatever the working directory."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
EXECUTED_DIR = NOTEBOOKS_DIR / "executed"
CATALOGUE_PATH = NOTEBOOKS_DIR / "catalogue.yaml"
DESCRIPTOR_NAME = "datapackage.yaml"
# The official files the context build reads, kept as received (see data/raw/README.md).
DEFAULT_RAW_DATA_DIR = DATA_DIR / "raw"
