#!/usr/bin/env bash
# Start the bundled Ubidots API emulator in the background and print the shell exports that make a
# playbook of your own run against it from this checkout (`make emulator`, docs/emulator.md):
#
#   eval "$(scripts/emulator.sh)"
#   ansible-playbook your-playbook.yml --check --diff
#
# Prints UBIDOTS_API_URL, UBIDOTS_TOKEN (the emulator's demo token), ANSIBLE_COLLECTIONS_PATH
# (.build/collections, where ansible_collections/ubidots/industrial points at this checkout:
# scripts/collection-path.sh) and, when VENV names a venv (`make emulator` runs this in the emulator nox
# session, whose venv has ansible-core, requests and jsonschema), PATH with its bin/ first. Everything
# else goes to stderr.
# The emulator stops by itself after UBIDOTS_EMULATOR_IDLE_TIMEOUT seconds without a request (default
# 1800), or at once with: curl -X POST "$UBIDOTS_API_URL/_emulator/shutdown".
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
idle=${UBIDOTS_EMULATOR_IDLE_TIMEOUT:-1800}
venv=${VENV:-}
python=${PYTHON:-python3}
[ -n "$venv" ] && python=$venv/bin/python
collections=$("$root/scripts/collection-path.sh")
work=$root/.build/emulator
mkdir -p "$work"
run=$(mktemp -d "$work/run.XXXXXX")

# Detached from this shell: no terminal, its output in a file (so that "$(...)" does not wait for it).
nohup "$python" "$root/tests/emulator/ubidots_emulator.py" --port 0 --port-file "$run/url" --idle-timeout "$idle" \
    < /dev/null > "$run/emulator.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
    [ -s "$run/url" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if [ ! -s "$run/url" ]; then
    echo "emulator: it did not start; see $run/emulator.log" >&2
    kill "$pid" 2>/dev/null || true
    exit 1
fi
url=$(cat "$run/url")

echo "emulator: listening at $url (pid $pid, log $run/emulator.log); it stops after $idle idle seconds," >&2
echo "emulator: or now with: curl -X POST $url/_emulator/shutdown" >&2
printf 'export UBIDOTS_API_URL=%q\n' "$url"
printf 'export UBIDOTS_TOKEN=%q\n' "BBUS-emulator-admin-token-000000"
printf 'export ANSIBLE_COLLECTIONS_PATH=%q\n' "$collections"
if [ -n "$venv" ] && [ -x "$venv/bin/ansible-playbook" ]; then
    # shellcheck disable=SC2016  # $PATH is for the shell that evaluates the line, not for this one
    printf 'export PATH=%q:"$PATH"\n' "$venv/bin"
fi
