#!/usr/bin/env bash
# Release hygiene, run by `make test` between sanity and pytest. Each check prints one line:
#   docs lint      antsibull-docs lint-collection-docs --plugin-docs (every plugin's DOCUMENTATION/EXAMPLES/RETURN)
#   changelog      antsibull-changelog lint (fragments, changelog.yaml) and CHANGELOG.md equal to what
#                  `antsibull-changelog generate` writes
#   ansible-lint   production profile on roles/, playbooks/ and examples/ (.ansible-lint)
#   build          tarball, install, ansible-doc of every plugin, one playbook from the installed copy
#   galaxy-importer  what Galaxy / Automation Hub run on upload, on that tarball (ansible-lint on, no
#                  ansible-test, offline); any ERROR or WARNING line fails
#   actionlint     .github/workflows/*.yml
#   docs site      antsibull-docs + Sphinx with warnings as errors (scripts/docs.sh)
# galaxy-importer and actionlint come from TOOLS_VENV (default .venv-tools, `make venv-tools`).
# Arguments name the checks to run (docs-lint changelog ansible-lint build galaxy-importer actionlint
# docs-site; galaxy-importer needs build's tarball); none: all of them, in this order.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
venv=${VENV:-$root/.venv}
case $venv in /*) ;; *) venv=$root/$venv ;; esac
tools=${TOOLS_VENV:-$root/.venv-tools}
case $tools in /*) ;; *) tools=$root/$tools ;; esac
cd "$root" || exit 1
export PATH=$venv/bin:$PATH
ANSIBLE_COLLECTIONS_PATH=$("$root/scripts/collection-path.sh") || exit 1
export ANSIBLE_COLLECTIONS_PATH ANSIBLE_HOME=$root/.build/ansible-home ANSIBLE_NOCOLOR=1 NO_COLOR=1
logs=$root/.build/release-checks
mkdir -p "$logs"
failed=()

only=" $* "
check() {
    local name=$1
    shift
    [ "$only" = "  " ] || [[ $only == *" ${name// /-} "* ]] || return 0
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

# The tarball scripts/build.sh made from the exported tree (what git would commit, no venvs or caches).
galaxy_importer() {
    local version tarball work
    version=$(python -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["version"])' galaxy.yml)
    tarball=$root/.build/ubidots-industrial-$version.tar.gz
    [ -f "$tarball" ] || { echo "no $tarball (the build check makes it)"; return 1; }
    [ -x "$tools/bin/python" ] || { echo "no $tools (make venv-tools)"; return 1; }
    work=$logs/galaxy-importer
    rm -rf "$work"
    mkdir -p "$work/tmp"
    # Its ansible-lint and ansible-doc must be the tools venv's own; HOME keeps their caches in .build/.
    # Its own ANSIBLE_HOME: ansible-lint keeps its mock collections there, and the ansible-lint check may run at
    # the same time (scripts/test.sh runs the release checks in two lanes).
    # It writes importer_result.json into its current directory: run it in $work, not in the work tree.
    (cd "$work" && HOME=$work ANSIBLE_HOME=$work/ansible-home PATH=$tools/bin:$PATH GALAXY_IMPORTER_CONFIG=$root/scripts/galaxy-importer.cfg \
        GALAXY_IMPORTER_TMP_ROOT_DIR=$work/tmp GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP=$work/tmp \
        "$tools/bin/python" -m galaxy_importer.main --output-path "$work" "$tarball" > "$work/importer.log" 2>&1)
    local rc=$?
    cat "$work/importer.log"
    [ $rc -eq 0 ] || return 1
    if grep -E '^(WARNING|ERROR)' "$work/importer.log"; then
        echo "galaxy-importer reported the lines above"
        return 1
    fi
}

actionlint_check() {
    [ -x "$tools/bin/actionlint" ] || { echo "no $tools/bin/actionlint (make venv-tools)"; return 1; }
    "$tools/bin/actionlint" -version | head -1
    "$tools/bin/actionlint" -no-color .github/workflows/*.yml
}

check "docs lint" antsibull-docs lint-collection-docs --plugin-docs .
check "changelog" changelog
check "ansible-lint" ansible-lint --nocolor roles playbooks examples
check "build" "$root/scripts/build.sh"
check "galaxy-importer" galaxy_importer
check "actionlint" actionlint_check
check "docs site" "$root/scripts/docs.sh"

if [ ${#failed[@]} -ne 0 ]; then
    echo "release-checks: failed: ${failed[*]} (logs in $logs)"
    exit 1
fi
