#!/usr/bin/env bash
# `make test` (and so .ci/run): every check, in this order; each runs even when an earlier one failed,
# and the exit status is non-zero if any failed. Each step prints its time.
#   1. ansible-test sanity on the oldest and newest ansible-core (scripts/matrix.sh sanity)
#   2. release checks (scripts/release-checks.sh: docs lint, changelog, ansible-lint, build,
#      galaxy-importer, actionlint, docs site)
#   3. the live contract suite against the emulator run as an external server (scripts/live.sh)
#   4. the integration tests on the other ansible-core versions (scripts/matrix.sh integration)
#   5. pytest tests/unit tests/emulator tests/integration on the main venv (ansible-core 2.19)
# then .build/compatibility.md from what passed (scripts/compat_table.py; `make release-docs` puts it
# in README.md). pytest's summary of step 5 is the last test output.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$root" || exit 1
venv=${VENV:-.venv}
mkdir -p .build/matrix
rm -f .build/matrix/results.tsv
failed=()
began=$SECONDS

step() {
    local name=$1 start=$SECONDS
    shift
    "$@" || failed+=("$name")
    echo "test: $name took $((SECONDS - start)) s"
}

main_pytest() {
    local start=$SECONDS core python rc summary
    core=$("$venv/bin/python" -c 'from ansible.release import __version__; print(__version__)')
    python=$("$venv/bin/python" -c 'import platform; print(platform.python_version())')
    scripts/pytest.sh tests/unit tests/emulator tests/integration 2>&1 | tee .build/matrix/main-pytest.log
    rc=${PIPESTATUS[0]}
    summary=$(grep -E '^=*.*(passed|failed|error).* in [0-9.]+s' .build/matrix/main-pytest.log | tail -1 | tr -d '=' | sed 's/^ *//; s/ *$//')
    printf '%s\t%s\t%s\tpytest\t%s\t%s\t%s\n' "${core%.*}" "$core" "$python" "$([ "$rc" -eq 0 ] && echo passed || echo failed)" \
        "$((SECONDS - start))" "$summary" >> .build/matrix/results.tsv
    "$venv/bin/python" scripts/compat_table.py > /dev/null || true
    return "$rc"
}

step "sanity (2.16, 2.21)" scripts/matrix.sh sanity
step "release checks" scripts/release-checks.sh
step "live contract suite" scripts/live.sh --emulator
step "integration (other ansible-core)" scripts/matrix.sh integration
step "pytest (main venv)" main_pytest
if [ ${#failed[@]} -ne 0 ]; then
    echo "test: FAILED: ${failed[*]} (total $((SECONDS - began)) s)"
    exit 1
fi
echo "test: all steps passed in $((SECONDS - began)) s"
