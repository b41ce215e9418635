#!/usr/bin/env bash
# Create .venv, install the pinned requirements and the package itself, editable (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if ! cat requirements.txt pyproject.toml | cmp -s - .venv/.requirements.installed 2>/dev/null; then
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt 2>&1 | grep -v "is ignored" || true
  # The package, editable: `phm-profile` and `python -m phm_profile` work from anywhere, no PYTHONPATH needed.
  .venv/bin/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . 2>/dev/null \
    || .venv/bin/pip install --quiet --disable-pip-version-check --no-deps -e .
  .venv/bin/python -c "import streamlit, duckdb, geopandas, plotly, phm_profile"  # fail loudly if the install did not work
  cat requirements.txt pyproject.toml > .venv/.requirements.installed
fi
