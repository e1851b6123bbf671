#!/usr/bin/env bash
# Release hygiene, run by `make test` between sanity and pytest. Each check prints one line:
#   docs lint      antsibull-docs lint-collection-docs --plugin-docs (every plugin's DOCUMENTATION/EXAMPLES/RETURN)
#   changelog      antsibull-changelog lint (fragments, changelog.yaml) and CHANGELOG.md equal to what
#                  `antsibull-changelog generate` writes
#   ansible-lint   production profile on roles/, playbooks/ and examples/ (.ansible-lint)
#   build          tarball, install, ansible-doc of every plugin, one playbook from the installed copy
#   docs site      antsibull-docs + Sphinx with warnings as errors (scripts/docs.sh)
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
venv=${VENV:-$root/.venv}
case $venv in /*) ;; *) venv=$root/$venv ;; esac
cd "$root" || exit 1
export PATH=$venv/bin:$PATH
ANSIBLE_COLLECTIONS_PATH=$("$root/scripts/collection-path.sh") || exit 1
export ANSIBLE_COLLECTIONS_PATH ANSIBLE_HOME=$root/.build/ansible-home ANSIBLE_NOCOLOR=1 NO_COLOR=1
logs=$root/.build/release-checks
mkdir -p "$logs"
failed=()

check() {
    local name=$1
    shift
    local log=$logs/${name// /-}.log
    local start=$SECONDS
    if "$@" > "$log" 2>&1; then
        echo "release-checks: $name: ok ($((SECONDS - start)) s)"
    else
        echo "release-checks: $name: FAILED ($((SECONDS - start)) s); its output:"
        tail -40 "$log" | sed 's/^/    /'
        failed+=("$name")
    fi
}

changelog() {
    antsibull-changelog lint || return 1
    antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml || return 1
    rm -rf "$logs/changelog-copy"
    mkdir -p "$logs/changelog-copy"
    cp -r galaxy.yml changelogs "$logs/changelog-copy/"
    (cd "$logs/changelog-copy" && antsibull-changelog generate) || return 1
    diff -u CHANGELOG.md "$logs/changelog-copy/CHANGELOG.md" \
        || { echo "CHANGELOG.md is not what 'antsibull-changelog generate' writes: run it and commit the result"; return 1; }
}

check "docs lint" antsibull-docs lint-collection-docs --plugin-docs .
check "changelog" changelog
check "ansible-lint" ansible-lint --nocolor roles playbooks examples
check "build" "$root/scripts/build.sh"
check "docs site" "$root/scripts/docs.sh"

if [ ${#failed[@]} -ne 0 ]; then
    echo "release-checks: failed: ${failed[*]} (logs in $logs)"
    exit 1
fi
