#!/usr/bin/env bash
# Run the whole test suite (unit, HTTP and browser tests): ./test.sh [pytest arguments]
#
# Sets up .venv and system packages (WeasyPrint's, plus chromium and poppler-utils for the
# browser and PDF tests), then runs pytest; the exit code is pytest's.
#   TEST_DATABASE_URL=postgresql://...  run on PostgreSQL (default: a temporary SQLite file)
#   CELERY_BROKER_URL=redis://...       send tasks to a real worker (default: run them eagerly)
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=scripts/bootstrap.sh
source scripts/bootstrap.sh
mkr_bootstrap chromium poppler-utils

exec python -m pytest "$@"
