#!/usr/bin/env bash
# Run `ansible-test sanity` on the collection.
#
#   scripts/sanity.sh [EXTRA ansible-test sanity ARGS...]    (the sanity-2.NN nox sessions: nox -s sanity-2.19 -- ARGS)
#
# Environment:
#   VENV         venv holding ansible-core/ansible-test (the sanity-2.NN nox session's own)
#   SANITY_HOME  HOME for ansible-test (default: .build/home); its
#                .ansible/test/venv holds one cached venv per sanity test.
#
# Why the detours (see docs/development.md):
# * ansible-test only works when the cwd is .../ansible_collections/NS/NAME/,
#   and resolves symlinks, so the collection is copied (scripts/export-tree.sh)
#   to .build/sanity/ansible_collections/ubidots/industrial/.
# * ansible-test asks git for the file list if it finds a .git on the way up.
#   The copy lives under .build/ (git-ignored in this repo), so the outer repo
#   would list nothing: the copy gets its own throw-away git index instead.
# * Each sanity test runs in its own venv, bootstrapped by a get-pip.py that
#   ansible-test downloads from a host we cannot reach. We pre-seed its cache
#   with scripts/get_pip_standin.py, which uses ensurepip + the package index.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
venv=${VENV:-$root/.venv}
case $venv in /*) ;; *) venv=$root/$venv ;; esac
python=$venv/bin/python
sanity_home=${SANITY_HOME:-$root/.build/home}
sanity_dir=${SANITY_DIR:-$root/.build/sanity}
copy=$sanity_dir/ansible_collections/ubidots/industrial

if [ ! -x "$venv/bin/ansible-test" ]; then
    echo "sanity: $venv/bin/ansible-test not found (run it through nox: nox -s sanity-2.19)" >&2
    exit 1
fi

# ansible-test writes venvs under $HOME/.ansible/test/venv/<test>/<py>/<hash>/;
# Linux limits shebang lines to 127 bytes, so pip-installed entry points break
# if that path is too long.
longest="$sanity_home/.ansible/test/venv/sanity.validate-modules/3.11/12345678/bin/python"
if [ ${#longest} -gt 120 ]; then
    echo "sanity: $sanity_home is too deep for ansible-test's venv shebangs; set SANITY_HOME to a shorter directory" >&2
    exit 1
fi

pyver=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')

# Pre-seed ansible-test's get-pip cache with the offline stand-in, under the
# name this ansible-test version looks for (get_pip_<pip version with _>.py).
pip_version=$("$python" - "$pyver" <<'PY'
import re, types
try:
    from ansible_test._internal.python_requirements import get_venv_packages
    print(get_venv_packages(types.SimpleNamespace(version=__import__("sys").argv[1]))["pip"])
except Exception:  # fall back to reading the pin out of the source
    import ansible_test, os
    src = open(os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")).read()
    print(re.search(r"pip='([0-9.]+)'", src).group(1))
PY
)
pip_version=${pip_version//$'\n'/}
mkdir -p "$sanity_home/.ansible/test/cache"
cp "$root/scripts/get_pip_standin.py" "$sanity_home/.ansible/test/cache/get_pip_${pip_version//./_}.py"

# Refresh the copy. ansible-test's controller venv (tests/output/.tmp/delegation)
# is kept between runs, unless the venv that created it changed.
controller_id=$("$python" -c 'import sys, ansible; print(sys.version, sys.prefix, ansible.__version__)')
marker=$sanity_dir/.controller
if [ ! -f "$marker" ] || [ "$(cat "$marker")" != "$controller_id" ]; then
    rm -rf "$sanity_dir"
fi
mkdir -p "$copy"
printf '%s\n' "$controller_id" > "$marker"
"$root/scripts/export-tree.sh" "$copy"
(
    cd "$copy"
    [ -d .git ] || git init -q .
    rm -f .git/index
    git add -A
)

color=yes
[ -t 1 ] || color=no

cd "$copy"
# The venv's bin/ first: ansible-test finds tools such as shellcheck on PATH.
export PATH=$venv/bin:$PATH
set -- "$venv/bin/ansible-test" sanity --venv --python "$pyver" --color "$color" "$@"
echo "sanity: (cd ${copy#"$root"/} && HOME=$sanity_home $*)"
HOME=$sanity_home exec "$@"
