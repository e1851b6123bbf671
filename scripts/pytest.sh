#!/usr/bin/env bash
# Run pytest on the given test directories (default: tests/unit tests/emulator
# tests/integration), skipping those that do not exist.
#
#   scripts/pytest.sh [DIR...]        VENV=.venv  PYTEST_ARGS="-x ..." (default: -n 2, the tests are independent)
#
# The collection is exposed through scripts/collection-path.sh:
# ANSIBLE_COLLECTIONS_PATH and PYTHONPATH point at .build/collections, so both
# ansible-playbook/ansible-doc and `import ansible_collections.ubidots.industrial`
# work; the venv's bin/ is first on PATH.
# pytest's exit code 5 ("no tests collected") counts as success; every other
# non-zero code is passed on. pytest's summary line is the last thing printed.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
venv=${VENV:-$root/.venv}
case $venv in /*) ;; *) venv=$root/$venv ;; esac
cd "$root" || exit 1

if [ ! -x "$venv/bin/python" ]; then
    echo "pytest: $venv/bin/python not found (run 'make venv' first)" >&2
    exit 1
fi

[ $# -gt 0 ] || set -- tests/unit tests/emulator tests/integration tests/docs
dirs=()
for d in "$@"; do
    case $d in
        -*) dirs+=("$d") ;;  # an option such as --ignore=PATH goes through
        *) [ -e "$d" ] && dirs+=("$d") ;;
    esac
done
if [ ${#dirs[@]} -eq 0 ]; then
    # Nothing to test yet: let pytest say so ("no tests ran") instead of
    # letting it wander over the whole repository.
    mkdir -p .build/no-tests
    dirs=(.build/no-tests)
fi

collections=$("$root/scripts/collection-path.sh") || exit 1
export ANSIBLE_COLLECTIONS_PATH=$collections
export PYTHONPATH=$collections${PYTHONPATH:+:$PYTHONPATH}
export PATH=$venv/bin:$PATH

# shellcheck disable=SC2086
set -- "$venv/bin/python" -m pytest --rootdir . ${PYTEST_ARGS:--n 2} "${dirs[@]}"
echo "pytest: $*"
"$@"
rc=$?
if [ $rc -eq 5 ]; then
    rc=0
fi
exit $rc
