#!/usr/bin/env bash
# Demo of the collection against the bundled Ubidots API emulator (`make demo`):
#   1. start the emulator (sample users and organizations) on 127.0.0.1,
#   2. run examples/demo/demo.yml with --check --diff (what would change; nothing is written),
#   3. run it for real,
#   4. run it again: changed=0.
# `make demo` puts the project venv first on PATH and sets ANSIBLE_COLLECTIONS_PATH.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
work=$root/.build/demo
mkdir -p "$work"
rm -f "$work/url"

python "$root/tests/emulator/ubidots_emulator.py" --port 0 --port-file "$work/url" --idle-timeout 300 \
    > "$work/emulator.log" 2>&1 &
emulator=$!
stop() {
    if [ -s "$work/url" ]; then
        python - "$(cat "$work/url")" <<'PY' || true
import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/_emulator/shutdown", method="POST"), timeout=5)
PY
    fi
    kill "$emulator" 2>/dev/null || true
    wait "$emulator" 2>/dev/null || true
}
trap stop EXIT

for _ in $(seq 100); do
    [ -s "$work/url" ] && break
    sleep 0.1
done
if [ ! -s "$work/url" ]; then
    echo "demo: the emulator did not start; see $work/emulator.log" >&2
    exit 1
fi

UBIDOTS_API_URL=$(cat "$work/url")
export UBIDOTS_API_URL
export UBIDOTS_TOKEN=BBUS-emulator-admin-token-000000   # the emulator's demo token, not a real one
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
export ANSIBLE_FORCE_COLOR=${ANSIBLE_FORCE_COLOR:-1}
cd "$root/examples/demo"

banner() { printf '\n\033[1m=== %s ===\033[0m\n' "$*"; }
play() { ansible-playbook -i inventory.ini demo.yml "$@"; }

banner "Emulator at $UBIDOTS_API_URL"
banner "1/3 Check mode with diff: what would change (nothing is written)"
play --check --diff
banner "2/3 Apply"
play --diff
banner "3/3 Apply again: nothing left to change (changed=0)"
play | tee "$work/last-run.txt"
grep -q "changed=0" "$work/last-run.txt"
banner "Done: the third run changed nothing"
