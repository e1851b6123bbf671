#!/usr/bin/env bash
# Create (or re-create) a virtual environment with pinned dependencies.
#
#   scripts/venv.sh VENV_DIR STAMP_FILE REQUIREMENTS [CONSTRAINTS...] [-- EXTRA_PIP_ARGS...]
#
# The venv is always built from scratch: a stale or half-built one is removed
# first. STAMP_FILE is written last, so an interrupted install is redone on the
# next run. PYTHON selects the interpreter (default: python3, must be >= 3.11).
set -euo pipefail

venv=$1 stamp=$2 requirements=$3
shift 3
constraints=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    constraints+=(-c "$1")
    shift
done
[ "${1:-}" = "--" ] && shift
python=${PYTHON:-python3}

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "venv: $python is missing or older than Python 3.11 (set PYTHON=/path/to/python3.11+)" >&2
    exit 1
fi

start=$(date +%s)
echo "venv: building $venv with $("$python" -V 2>&1) from $requirements ${constraints[*]:-}"
rm -rf "$venv"
"$python" -m venv "$venv"
# Keep the venv out of `git status` / `git add -A` whatever its name (.venv-2.16 ...).
printf '*\n' > "$venv/.gitignore"
"$venv/bin/python" -m pip install --disable-pip-version-check --no-input --progress-bar off -q \
    -r "$requirements" ${constraints[@]+"${constraints[@]}"} "$@"
touch "$stamp"
echo "venv: $venv ready in $(( $(date +%s) - start ))s"
