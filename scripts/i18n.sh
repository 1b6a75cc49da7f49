#!/usr/bin/env bash
# Refresh the translations: extract the strings marked with _()/_l() from mkr_web/, merge them
# into each catalog in mkr_web/translations/ (English: en) and compile the .mo files.
#
#   scripts/i18n.sh            extract + update + compile
#   scripts/i18n.sh compile    compile only (after editing a .po file)
#
# Then translate the new or fuzzy entries in mkr_web/translations/*/LC_MESSAGES/messages.po,
# run `scripts/i18n.sh compile`, and commit both the .po and the .mo: the app reads the .mo
# and has no compile step of its own. tests/unit/test_i18n_catalog.py checks the .mo matches the .po.
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-$( [ -x .venv/bin/pybabel ] && echo .venv/bin/pybabel || echo pybabel )}"
DIR=mkr_web/translations
LANGS=(en ru)  # ru: the source language; its catalog holds only the plural forms (3 in Russian)

if [ "${1:-}" != compile ]; then
    pot="$(mktemp --suffix=.pot)"
    trap 'rm -f "$pot"' EXIT
    "$PYBABEL" -q extract -F babel.cfg -k _l -k lazy_gettext --project=MKR --no-location \
        --sort-output -o "$pot" . >/dev/null
    for lang in "${LANGS[@]}"; do
        if [ -f "$DIR/$lang/LC_MESSAGES/messages.po" ]; then
            "$PYBABEL" -q update -i "$pot" -d "$DIR" -l "$lang" --width=100 --no-fuzzy-matching --ignore-obsolete
        else
            "$PYBABEL" -q init -i "$pot" -d "$DIR" -l "$lang" --width=100
        fi
    done
fi
"$PYBABEL" compile -d "$DIR" --statistics
