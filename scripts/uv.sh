#!/usr/bin/env bash
# Print the path of the pinned uv (scripts/requirements-uv.txt), installing it into .venv-uv with pip
# on first use; exit 1 (and say why on stderr) when it cannot be installed.
#
#   scripts/uv.sh          UV=/path/to/uv overrides (it must report the pinned version)
#
# uv builds a venv in seconds where pip takes a minute or more on 2 cores (it installs from its cache
# and skips byte-compiling). Several venvs may be built at once (make test runs two lanes), so the
# bootstrap holds a lock.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
want=$(sed -n 's/^uv==//p' "$root/scripts/requirements-uv.txt")
version_of() { "$1" --version 2>/dev/null | awk '{print $2}'; }

if [ -n "${UV:-}" ]; then
    [ "$(version_of "$UV")" = "$want" ] || { echo "uv: UV=$UV is not uv $want" >&2; exit 1; }
    printf '%s\n' "$UV"
    exit 0
fi
venv=$root/.venv-uv
uv=$venv/bin/uv
mkdir -p "$root/.build"
exec 9> "$root/.build/uv.lock"
flock 9
if [ "$(version_of "$uv")" != "$want" ]; then
    rm -rf "$venv"
    { "${PYTHON:-python3}" -m venv "$venv" \
        && "$venv/bin/python" -m pip install --disable-pip-version-check --no-input --progress-bar off -q --no-compile \
            -r "$root/scripts/requirements-uv.txt" \
        && printf '*\n' > "$venv/.gitignore"; } >&2 || { echo "uv: could not install uv $want into $venv" >&2; exit 1; }
fi
printf '%s\n' "$uv"
