#!/usr/bin/env bash
# Run MKR locally with the demo tenant: ./demo.sh   (PORT=8080 ./demo.sh for another port;
# MKR_DEMO_PASSWORD=... sets the demo users' password, default demo-password)
#
# Sets up .venv and system packages (scripts/bootstrap.sh), migrates the database (default:
# SQLite in instance/mkr.db), loads the demo tenant "tomsk", prints its logins and serves the
# app on http://127.0.0.1:${PORT:-5000}. Configuration: see README.md (DATABASE_URL, ...).
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=scripts/bootstrap.sh
source scripts/bootstrap.sh
mkr_bootstrap

port="${PORT:-5000}"
export MKR_BASE_URL="${MKR_BASE_URL:-http://127.0.0.1:${port}}"
flask --app mkr_web db upgrade
demo_args=()
if [ -n "${MKR_DEMO_PASSWORD:-}" ]; then demo_args=(--password "$MKR_DEMO_PASSWORD"); fi
flask --app mkr_web mkr demo "${demo_args[@]}"
echo
echo "MKR: http://127.0.0.1:${port}/   (Ctrl+C stops it)"
exec flask --app mkr_web run --host 127.0.0.1 --port "$port"
