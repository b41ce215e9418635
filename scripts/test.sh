#!/usr/bin/env bash
# Set up (Python packages, and Debian's chromium and LibreOffice for the browser and slide tests) and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
if [ ! -x /usr/bin/chromium ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
# LibreOffice renders the slide pack for tests/test_slides.py (skipped, not failed, where it cannot be installed).
if ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null; then
  { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      libreoffice-impress poppler-utils fonts-dejavu-core >/dev/null; } \
    || echo "LibreOffice could not be installed: the slide-rendering test will be skipped." >&2
fi
exec .venv/bin/python -m pytest -q "$@"
