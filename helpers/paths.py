"""Where the project's folders are, whatever the working directory."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
EXECUTED_DIR = NOTEBOOKS_DIR / "executed"
CATALOGUE_PATH = NOTEBOOKS_DIR / "catalogue.yaml"
DESCRIPTOR_NAME = "datapackage.yaml"
# The read-only official files sit beside the repository, as in the research brief.
DEFAULT_RAW_DATA_DIR = PROJECT_ROOT.parent / "shared" / "raw-data"
