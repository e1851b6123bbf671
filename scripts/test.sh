#!/usr/bin/env bash
# `make test` (and so .ci/run): every check; each runs even when an earlier one failed, and the exit
# status is non-zero if any failed. Each step prints its time.
#   First, two lanes at once (each of these steps keeps one core busy; the machine has two):
#     lane 1: ansible-test sanity on the oldest ansible-core (scripts/matrix.sh sanity 2.16), then the
#             release checks docs lint, changelog and ansible-lint (scripts/release-checks.sh)
#     lane 2: sanity on the newest (2.21; the series come from scripts/matrix.txt), the release checks
#             build, galaxy-importer, actionlint and docs site, and the live contract suite against
#             the emulator run as an external server (scripts/live.sh)
#   Then, one at a time (pytest-xdist keeps both cores busy):
#     the integration tests on the other ansible-core versions (scripts/matrix.sh integration): unit
#     and integration tests on the oldest and the newest, the `core` subset on the middle series;
#     pytest on the main venv (ansible-core 2.19): unit and emulator tests, the `core` subset.
# then .build/compatibility.md from what passed (scripts/compat_table.py; `make release-docs` puts it
# in README.md, and .build/reliability.md, from the newest series' full run, in docs/). pytest's summary
# of the last step is the last test output.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$root" || exit 1
venv=${VENV:-.venv}
mkdir -p .build/matrix
rm -f .build/matrix/results.tsv
began=$SECONDS
failures=.build/test-failures
: > "$failures"

step() {
    local name=$1 start=$SECONDS
    shift
    "$@" || echo "$name" >> "$failures"
    echo "test: $name took $((SECONDS - start)) s"
}

main_pytest() {
    local start=$SECONDS core python rc summary
    core=$("$venv/bin/python" -c 'from ansible.release import __version__; print(__version__)')
    python=$("$venv/bin/python" -c 'import platform; print(platform.python_version())')
    UBIDOTS_INTEGRATION_SUBSET=core scripts/pytest.sh tests/unit tests/emulator tests/integration tests/docs 2>&1 | tee .build/matrix/main-pytest.log
    rc=${PIPESTATUS[0]}
    summary=$(grep -E '^=*.*(passed|failed|error).* in [0-9.]+s' .build/matrix/main-pytest.log | tail -1 | tr -d '=' | sed 's/^ *//; s/ *$//')
    printf '%s\t%s\t%s\tpytest\t%s\t%s\t%s\n' "${core%.*}" "$core" "$python" "$([ "$rc" -eq 0 ] && echo passed || echo failed)" \
        "$((SECONDS - start))" "$summary" >> .build/matrix/results.tsv
    "$venv/bin/python" scripts/compat_table.py > /dev/null || true
    return "$rc"
}

# The series scripts/matrix.txt runs sanity on: the first in lane 1, the others in lane 2.
read -r -a sanity_series <<< "$(awk '$1 !~ /^#/ && NF && / sanity( |$)/ {printf "%s ", $1}' scripts/matrix.txt)"
lane1=.build/matrix/lane-1.log
: > "$lane1"
if [ ${#sanity_series[@]} -gt 0 ]; then
    echo "test: lane 1 (sanity on ${sanity_series[0]}, then three release checks) runs beside lane 2; its output follows lane 2's"
    lane_1() {
        step "sanity (${sanity_series[0]})" scripts/matrix.sh sanity "${sanity_series[0]}"
        step "release checks (docs lint, changelog, ansible-lint)" scripts/release-checks.sh docs-lint changelog ansible-lint
    }
    lane_1 > "$lane1" 2>&1 &
fi
lane1_pid=${!:-}
for series in "${sanity_series[@]:1}"; do
    step "sanity ($series)" scripts/matrix.sh sanity "$series"
done
step "release checks (build, galaxy-importer, actionlint, docs site)" scripts/release-checks.sh build galaxy-importer actionlint docs-site
step "live contract suite" scripts/live.sh --emulator
[ -z "$lane1_pid" ] || wait "$lane1_pid"
cat "$lane1"
step "integration (other ansible-core)" scripts/matrix.sh integration
step "pytest (main venv)" main_pytest
if [ -s "$failures" ]; then
    echo "test: FAILED: $(paste -sd ';' "$failures" | sed 's/;/; /g') (total $((SECONDS - began)) s)"
    exit 1
fi
echo "test: all steps passed in $((SECONDS - began)) s"
