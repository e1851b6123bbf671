#!/usr/bin/env bash
# The live contract suite (tests/live): our assumptions about the Ubidots API, checked through its
# public API only.
#
#   scripts/live.sh              against UBIDOTS_API_URL with UBIDOTS_TOKEN (`make test-live`);
#                                one line and exit 0 when either is missing
#   scripts/live.sh --emulator   against the emulator started here as an external process
#                                (what `make test` runs: the suite needs nothing but a URL and a token)
# UBIDOTS_LIVE_PREFIX (default ansible-test-) starts the name of every object the suite creates.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
venv=${VENV:-$root/.venv}
case $venv in /*) ;; *) venv=$root/$venv ;; esac
cd "$root" || exit 1
run() {
    PYTEST_ARGS="-q -p no:cacheprovider -rs" "$root/scripts/pytest.sh" tests/live
}

if [ "${1:-}" != "--emulator" ]; then
    if [ -z "${UBIDOTS_API_URL:-}" ] || [ -z "${UBIDOTS_TOKEN:-}" ]; then
        echo "test-live: skipped: set UBIDOTS_API_URL and UBIDOTS_TOKEN (a sandbox account; see docs/development.md)"
        exit 0
    fi
    echo "test-live: against $UBIDOTS_API_URL, objects named ${UBIDOTS_LIVE_PREFIX:-ansible-test-}*"
    run
    exit $?
fi

work=$(mktemp -d "$root/.build/live.XXXXXX")
"$venv/bin/python" tests/emulator/ubidots_emulator.py --port 0 --port-file "$work/url" --idle-timeout 300 > "$work/emulator.log" 2>&1 &
emulator=$!
trap 'kill $emulator 2>/dev/null; wait $emulator 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/url" ] && break; sleep 0.1; done
[ -s "$work/url" ] || { echo "live: the emulator did not start:"; cat "$work/emulator.log"; exit 1; }
UBIDOTS_API_URL=$(cat "$work/url") UBIDOTS_TOKEN=BBUS-emulator-admin-token-000000 run
