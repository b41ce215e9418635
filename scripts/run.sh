#!/usr/bin/env bash
# Set up, build the demo database on first start, and start the app on http://localhost:8501.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
if [ ! -f data/demo.duckdb ]; then
  .venv/bin/python -m phm_profile demo --out data/demo
  .venv/bin/python -m phm_profile build --data data/demo --db data/demo.duckdb
fi
exec .venv/bin/python -m phm_profile serve "$@"
