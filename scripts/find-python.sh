#!/usr/bin/env bash
# Print the path of a working CPython X.Y interpreter, or nothing (exit 1) when there is none.
#
#   scripts/find-python.sh 3.12
#
# Looked up in this order, without any machine-specific path:
#   1. the PYTHONXY environment variable (PYTHON312=/opt/python3.12/bin/python3.12), if set;
#   2. pyenv, when it is installed: `pyenv prefix 3.12` -> <prefix>/bin/python3.12;
#   3. `python3.12` on PATH, then `python3` on PATH if it is 3.12.
# A candidate counts only if it runs and reports that version (a pyenv shim of a version that is not
# activated fails to run, so it is skipped).
set -euo pipefail

want=${1:?usage: find-python.sh X.Y}
var=PYTHON${want//./}

works() {
    [ -n "$1" ] && [ -x "$1" ] || return 1
    [ "$("$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "$want" ]
}

candidates=()
if [ -n "${!var:-}" ]; then
    # An explicit override is the only candidate: a wrong one must not fall back silently.
    if works "${!var}"; then printf '%s\n' "${!var}"; exit 0; fi
    echo "find-python: $var=${!var} is not a working Python $want" >&2
    exit 1
fi
if command -v pyenv >/dev/null 2>&1; then
    prefix=$(pyenv prefix "$want" 2>/dev/null | head -1 || true)
    [ -n "$prefix" ] && candidates+=("$prefix/bin/python$want")
fi
candidates+=("$(command -v "python$want" || true)" "$(command -v python3 || true)")
for candidate in "${candidates[@]}"; do
    if works "$candidate"; then printf '%s\n' "$candidate"; exit 0; fi
done
exit 1
