#!/usr/bin/env bash
# Make the work tree importable as the ubidots.industrial collection and print
# the collections path to use:
#
#   export ANSIBLE_COLLECTIONS_PATH=$(scripts/collection-path.sh)
#
# ansible-doc / ansible-playbook (and python imports of
# ansible_collections.ubidots.industrial.*) only find a collection as
# <path>/ansible_collections/<namespace>/<name>. This creates
# .build/collections/ansible_collections/ubidots/industrial -> <repo root>
# (a symlink, so edits are live) and prints the absolute .build/collections.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
collections=$root/.build/collections
link=$collections/ansible_collections/ubidots/industrial

mkdir -p "$(dirname "$link")"
if [ -e "$link" ] && [ ! -L "$link" ]; then
    rm -rf "$link"
fi
if [ "$(readlink "$link" 2>/dev/null || true)" != "$root" ]; then
    ln -sfn "$root" "$link"
fi
printf '%s\n' "$collections"
