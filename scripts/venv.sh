#!/usr/bin/env bash
# Create (or re-create) a virtual environment with pinned dependencies, outside nox: .venv-nox itself
# (the Makefile) and .venv-mutants (scripts/mutants.py). nox's sessions build their own (noxfile.py).
#
#   scripts/venv.sh VENV_DIR STAMP_FILE REQUIREMENTS [CONSTRAINTS...]
#
# The venv is always built from scratch: a stale or half-built one is removed first. STAMP_FILE is
# written last, so an interrupted install is redone on the next run. PYTHON selects the interpreter
# (default: python3, must be >= 3.11). The installer is the pinned uv of .venv-nox when it is there,
# else pip (which is how .venv-nox itself is built).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
venv=$1 stamp=$2 requirements=$3
shift 3
constraints=()
for file in "$@"; do constraints+=(-c "$file"); done
python=${PYTHON:-python3}

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "venv: $python is missing or older than Python 3.11 (set PYTHON=/path/to/python3.11+)" >&2
    exit 1
fi

start=$(date +%s)
echo "venv: building $venv with $("$python" -V 2>&1) from $requirements ${constraints[*]:-}"
rm -rf "$venv"
uv=$root/.venv-nox/bin/uv
if [ -x "$uv" ]; then
    # --seed: pip in the venv too, as `python -m venv` gives.
    UV_PYTHON_DOWNLOADS=never "$uv" venv -q --seed --python "$python" "$venv"
    UV_PYTHON_DOWNLOADS=never "$uv" pip install -q --python "$venv/bin/python" -r "$requirements" ${constraints[@]+"${constraints[@]}"}
else
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --disable-pip-version-check --no-input --progress-bar off -q \
        -r "$requirements" ${constraints[@]+"${constraints[@]}"}
fi
# Keep the venv out of `git status` / `git add -A` whatever its name.
printf '*\n' > "$venv/.gitignore"
touch "$stamp"
echo "venv: $venv ready in $(( $(date +%s) - start ))s"
