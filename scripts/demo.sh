#!/usr/bin/env bash
# Demo of the collection: start the Ubidots emulator
# (tests/emulator/ubidots_emulator.py) and run a playbook against it.
# `make demo` runs this with the project venv first on PATH and
# ANSIBLE_COLLECTIONS_PATH already pointing at the work tree
# (see scripts/collection-path.sh).
set -euo pipefail
echo "demo: not yet implemented"
exit 0
