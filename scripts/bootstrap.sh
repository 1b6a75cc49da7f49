# Shared bootstrap for ./demo.sh, ./test.sh and .ci/run. Source it, then call
#
#     mkr_bootstrap [EXTRA_DEBIAN_PACKAGE ...]
#
# It makes sure that:
#   1. the Debian packages WeasyPrint needs (plus the extra ones given) are installed:
#      installed with apt-get when running as root, otherwise a clear error names them;
#   2. a virtualenv exists ($MKR_VENV, default .venv) made with Python >= 3.11;
#   3. the project is installed in it (`pip install -e '.[dev]' -c constraints.txt`), again
#      only when pyproject.toml, constraints.txt or the Python version changed since the last
#      install (a stamp file in the venv remembers);
#   4. the venv is activated (PATH, VIRTUAL_ENV) for the rest of the calling script.
#
# Environment:
#   PYTHON               interpreter used to create the venv (default: python3)
#   MKR_VENV             where the venv lives (default: <repo>/.venv)
#   MKR_SKIP_SYSTEM_PACKAGES=1  do not check Debian packages (non-Debian machines)
#
# This file is sourced: it defines functions and variables only, and runs nothing itself.

MKR_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MKR_VENV="${MKR_VENV:-$MKR_ROOT/.venv}"
MKR_WEASYPRINT_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)

_mkr_say() { printf '[bootstrap] %s\n' "$*"; }
_mkr_die() { printf '[bootstrap] ERROR: %s\n' "$*" >&2; exit 1; }

_mkr_missing_packages() {
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
            || printf '%s\n' "$pkg"
    done
}

_mkr_apt_install() {
    local apt=(apt-get -o DPkg::Lock::Timeout=300 -y -q --no-install-recommends)
    # The package lists may be missing or stale on a fresh machine: update once and retry.
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" install "$@" \
        || { apt-get -o DPkg::Lock::Timeout=300 -q update \
             && DEBIAN_FRONTEND=noninteractive "${apt[@]}" install "$@"; }
}

mkr_system_packages() {
    if [ "${MKR_SKIP_SYSTEM_PACKAGES:-0}" = 1 ]; then
        return 0
    fi
    if ! command -v dpkg-query >/dev/null 2>&1; then
        _mkr_say "not a Debian system: make sure these (or your system's equivalents) are" \
            "installed: $*"
        return 0
    fi
    local missing
    missing="$(_mkr_missing_packages "$@" | tr '\n' ' ')"
    missing="${missing% }"
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        _mkr_die "missing system packages: $missing
    Install them as root:  sudo apt-get install -y $missing
    (or set MKR_SKIP_SYSTEM_PACKAGES=1 to skip this check)"
    fi
    _mkr_say "installing system packages: $missing"
    # shellcheck disable=SC2086
    _mkr_apt_install $missing || _mkr_die "apt-get could not install: $missing"
}

_mkr_python_ok() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null
}

mkr_venv() {
    local python="${PYTHON:-python3}"
    if [ -x "$MKR_VENV/bin/python" ] && ! _mkr_python_ok "$MKR_VENV/bin/python"; then
        _mkr_die "$MKR_VENV uses Python < 3.11: remove it and run again"
    fi
    if [ ! -x "$MKR_VENV/bin/python" ]; then
        command -v "$python" >/dev/null 2>&1 || _mkr_die "$python not found: install Python 3.11"
        _mkr_python_ok "$python" || _mkr_die "$python is older than 3.11 (set PYTHON=python3.11)"
        _mkr_say "creating virtualenv $MKR_VENV"
        if ! "$python" -m venv "$MKR_VENV" 2>/dev/null; then
            rm -rf "$MKR_VENV"
            # Debian's python3 has no ensurepip without python3-venv.
            local venv_pkg
            venv_pkg="python$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv"
            mkr_system_packages "$venv_pkg"
            "$python" -m venv "$MKR_VENV" || _mkr_die "could not create $MKR_VENV"
        fi
    fi
}

mkr_install() {
    local stamp="$MKR_VENV/.mkr-install-stamp" want
    want="$(cat "$MKR_ROOT/pyproject.toml" "$MKR_ROOT/constraints.txt" | sha256sum | cut -d' ' -f1)"
    want="$want $("$MKR_VENV/bin/python" -c 'import sys; print(sys.version.split()[0])')"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    _mkr_say "installing Python packages into $MKR_VENV (pyproject.toml or constraints.txt changed)"
    # pip's "Location 'file:///...' is ignored" warnings (a local index that is absent) are noise.
    if ! (cd "$MKR_ROOT" && "$MKR_VENV/bin/python" -m pip install -q --disable-pip-version-check \
            -e '.[dev]' -c constraints.txt) 2>&1 \
            | { grep -v "is ignored: it is neither a file nor a directory" || true; }; then
        _mkr_die "pip install failed"
    fi
    printf '%s\n' "$want" > "$stamp"
}

mkr_activate() {
    export VIRTUAL_ENV="$MKR_VENV"
    export PATH="$MKR_VENV/bin:$PATH"
    hash -r
}

mkr_bootstrap() {
    mkr_system_packages "${MKR_WEASYPRINT_PACKAGES[@]}" "$@"
    mkr_venv
    mkr_install
    mkr_activate
}
