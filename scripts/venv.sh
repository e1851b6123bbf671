#!/usr/bin/env bash
# Create (or re-create) a virtual environment with pinned dependencies.
#
#   scripts/venv.sh VENV_DIR STAMP_FILE REQUIREMENTS [CONSTRAINTS...] [-- EXTRA_PIP_ARGS...]
#
# The venv is always built from scratch: a stale or half-built one is removed
# first. STAMP_FILE is written last, so an interrupted install is redone on the
# next run. PYTHON selects the interpreter (default: python3, must be >= 3.11).
# The installer is the pinned uv (scripts/uv.sh: seconds instead of a minute or more); when uv cannot
# be had, pip, with one line saying so. EXTRA_PIP_ARGS go to either.
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
if uv=$("$(dirname "${BASH_SOURCE[0]}")/uv.sh"); then
    # --seed: pip in the venv too, as `python -m venv` gives (ansible-test and users expect it).
    UV_PYTHON_DOWNLOADS=never "$uv" venv -q --seed --python "$python" "$venv"
    UV_PYTHON_DOWNLOADS=never "$uv" pip install -q --python "$venv/bin/python" \
        -r "$requirements" ${constraints[@]+"${constraints[@]}"} "$@"
else
    echo "venv: installing with pip instead (slower)"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --disable-pip-version-check --no-input --progress-bar off -q --no-compile \
        -r "$requirements" ${constraints[@]+"${constraints[@]}"} "$@"
fi
# Keep the venv out of `git status` / `git add -A` whatever its name (.venv-2.16 ...).
printf '*\n' > "$venv/.gitignore"
touch "$stamp"
echo "venv: $venv ready in $(( $(date +%s) - start ))s"
