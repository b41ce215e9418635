"""Where things are. One place for paths and the few settings the product has."""

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
SQL_DIR = PACKAGE_DIR / "sql"
PROJECT_DIR = PACKAGE_DIR.parent.parent
DATA_DIR = PROJECT_DIR / "data"

#: The demo extracts and the database the app starts on (generated on first start, not committed).
DEMO_DATA_DIR = DATA_DIR / "demo"
DEMO_DB = DATA_DIR / "demo.duckdb"

#: The database the app shows; PHM_DB overrides it.
DEFAULT_DB = Path(os.environ.get("PHM_DB", DEMO_DB))

#: Small-number suppression: "switchable" (default: on, a user may switch it off on the Data page) or "always" (on
#: for every session, no switch: for a shared server). PHM_SUPPRESSION overrides it.
SUPPRESSION = os.environ.get("PHM_SUPPRESSION", "switchable").strip().lower()
SUPPRESSION_LOCKED = SUPPRESSION == "always"

#: Codes that mark synthetic data: every demo ICB code starts with this.
DEMO_ICB_PREFIX = "QZ"
