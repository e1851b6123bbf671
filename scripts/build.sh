#!/usr/bin/env bash
# Build the collection tarball and check that it installs and documents.
#
#   scripts/build.sh       VENV=<a venv with requirements-dev.txt> (the build nox session passes its own)
#
# 1. export the source files (scripts/export-tree.sh: what git would commit,
#    so stray venvs or caches never end up in the tarball) to
#    .build/src/ansible_collections/ubidots/industrial
# 2. ansible-galaxy collection build  -> .build/ubidots-industrial-<version>.tar.gz
# 3. ansible-galaxy collection install -p <temporary dir under .build/> <tarball>
# 4. ansible-doc -t module ubidots.industrial.<name> for every module in the
#    installed copy; fails if any module has no parseable documentation.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
venv=${VENV:-$root/.venv}
case $venv in /*) ;; *) venv=$root/$venv ;; esac
out=$root/.build
src=$out/src/ansible_collections/ubidots/industrial
bin=$venv/bin

if [ ! -x "$bin/ansible-galaxy" ]; then
    echo "build: $bin/ansible-galaxy not found (run it through nox: make build)" >&2
    exit 1
fi

# Keep ansible's own state (~/.ansible: tmp, galaxy cache) out of the user's home.
export ANSIBLE_HOME=$out/ansible-home
export ANSIBLE_NOCOLOR=1

rm -rf "$out/src"
"$root/scripts/export-tree.sh" "$src"

version=$("$bin/python" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["version"])' "$src/galaxy.yml")
tarball=$out/ubidots-industrial-$version.tar.gz
(cd "$src" && "$bin/ansible-galaxy" collection build --force --output-path "$out")
[ -f "$tarball" ] || { echo "build: expected $tarball was not created" >&2; exit 1; }

install_dir=$(mktemp -d "$out/install.XXXXXX")
trap 'rm -rf "$install_dir"' EXIT
export ANSIBLE_COLLECTIONS_PATH=$install_dir
"$bin/ansible-galaxy" collection install --force -p "$install_dir" "$tarball"

installed=$install_dir/ansible_collections/ubidots/industrial
[ -f "$installed/MANIFEST.json" ] || { echo "build: collection did not install into $installed" >&2; exit 1; }

modules=()
if [ -d "$installed/plugins/modules" ]; then
    while IFS= read -r f; do
        name=$(basename "$f" .py)
        [ "$name" = __init__ ] || modules+=("$name")
    done < <(find "$installed/plugins/modules" -maxdepth 1 -name '*.py' | sort)
fi

if [ ${#modules[@]} -eq 0 ]; then
    echo "build: $tarball installs; it has no modules yet, nothing for ansible-doc to check"
    exit 0
fi

failed=0
for name in "${modules[@]}"; do
    fqcn=ubidots.industrial.$name
    if ! json=$("$bin/ansible-doc" -t module --json "$fqcn" 2>"$out/ansible-doc.err"); then
        echo "build: ansible-doc -t module $fqcn failed:" >&2
        cat "$out/ansible-doc.err" >&2
        failed=1
        continue
    fi
    if ! printf '%s' "$json" | "$bin/python" -c '
import json, sys
data = json.load(sys.stdin).get(sys.argv[1]) or {}
doc = data.get("doc") or {}
sys.exit(0 if doc.get("short_description") and doc.get("module") else 1)
' "$fqcn"; then
        echo "build: ansible-doc found no usable documentation for $fqcn:" >&2
        cat "$out/ansible-doc.err" >&2
        failed=1
        continue
    fi
    "$bin/ansible-doc" -t module "$fqcn" >/dev/null
    echo "build: ansible-doc -t module $fqcn: ok"
done
for plugin in "filter ubidots.industrial.desired_state" "filter ubidots.industrial.bulk_calls" "filter ubidots.industrial.drift_summary" "filter ubidots.industrial.access_review" "filter ubidots.industrial.validate_state" "callback ubidots.industrial.plan" "role ubidots.industrial.users" "role ubidots.industrial.organizations"; do
    read -r kind fqcn <<< "$plugin"
    if "$bin/ansible-doc" -t "$kind" "$fqcn" > "$out/ansible-doc.out" 2>"$out/ansible-doc.err" && [ -s "$out/ansible-doc.out" ]; then
        echo "build: ansible-doc -t $kind $fqcn: ok"
    else
        echo "build: ansible-doc -t $kind $fqcn failed:" >&2
        cat "$out/ansible-doc.err" >&2
        failed=1
    fi
done
if [ $failed -ne 0 ]; then
    exit 1
fi

# One playbook from the installed copy, against the emulator: the export playbook reads through both
# info modules and writes the YAML files, so a module_utils file missing from the tarball shows here.
export_dir=$install_dir/export
"$bin/python" "$root/tests/emulator/ubidots_emulator.py" --port 0 --port-file "$install_dir/url" --idle-timeout 120 \
    > "$install_dir/emulator.log" 2>&1 &
emulator=$!
trap 'kill $emulator 2>/dev/null; rm -rf "$install_dir"' EXIT
for _ in $(seq 100); do [ -s "$install_dir/url" ] && break; sleep 0.1; done
UBIDOTS_API_URL=$(cat "$install_dir/url") UBIDOTS_TOKEN=BBUS-emulator-admin-token-000000 \
    ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false ANSIBLE_PYTHON_INTERPRETER="$bin/python" \
    "$bin/ansible-playbook" -i localhost, -c local ubidots.industrial.export -e "export_dir=$export_dir" > "$out/installed-playbook.log" 2>&1 \
    || { echo "build: ansible-playbook ubidots.industrial.export from the installed copy failed:" >&2; cat "$out/installed-playbook.log" >&2; exit 1; }
grep -q "username: alice" "$export_dir/users/users.yml" \
    || { echo "build: the export playbook of the installed copy wrote no users" >&2; exit 1; }
echo "build: ansible-playbook ubidots.industrial.export from the installed copy: ok"
echo "build: $tarball installs; all ${#modules[@]} modules, the filter and the roles document cleanly"
