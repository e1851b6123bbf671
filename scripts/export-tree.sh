#!/usr/bin/env bash
# Copy the collection's source files into DEST (a directory that ansible-test or
# ansible-galaxy can work in), replacing what was there before.
#
#   scripts/export-tree.sh DEST
#
# "Source files" are what git would commit: tracked files plus untracked files
# that .gitignore does not exclude (`git ls-files -co --exclude-standard`),
# minus deleted files and anything under .git/, .venv*/, .nox/, .build/ or
# tests/output/. Outside a git checkout every file except those is taken.
# DEST/.git and DEST/tests/output survive the refresh: ansible-test keeps its
# controller venv in tests/output/.tmp, which makes warm sanity runs faster.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
dest=$1

list_candidates() {
    if [ "$(git -C "$root" rev-parse --show-toplevel 2>/dev/null || true)" = "$root" ]; then
        git -C "$root" ls-files -z --cached --others --exclude-standard
    else
        (cd "$root" && find . \( -name .git -o -name '.venv*' -o -name .nox -o -name .build -o -name .hypothesis -o -name .pytest_cache -o -name __pycache__ \) -prune \
            -o \( -type f -o -type l \) -print0 | sed -z 's|^\./||')
    fi
}

list_files() {
    local f
    while IFS= read -r -d '' f; do
        case $f in
            .git/*|.venv|.venv-*|.venv*/*|.nox/*|.build/*|.hypothesis/*|.pytest_cache/*|tests/output/*|*/__pycache__/*|*.pyc) continue ;;
        esac
        # tracked but deleted in the work tree
        [ -e "$root/$f" ] || [ -L "$root/$f" ] || continue
        printf '%s\0' "$f"
    done
}

mkdir -p "$dest"
find "$dest" -mindepth 1 -maxdepth 1 ! -name .git ! -name tests -exec rm -rf {} +
if [ -d "$dest/tests" ]; then
    find "$dest/tests" -mindepth 1 -maxdepth 1 ! -name output -exec rm -rf {} +
fi
list_candidates | list_files | tar -C "$root" --null -T - -cf - | tar -C "$dest" -xf -
