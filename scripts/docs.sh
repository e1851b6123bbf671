#!/usr/bin/env bash
# Build the documentation site (`make docs`: the docs nox session, which sets VENV to its venv) from
# the plugins' own docs with antsibull-docs,
# plus the guides under docs/, into .build/docs/build/html. Fails on any Sphinx warning.
#
# The machines that build this have no internet, so the intersphinx inventories of
# docs.python.org / docs.ansible.com cannot be fetched: the site is built without intersphinx, and
# the few links antsibull-docs makes into the Ansible docs (common return values, configuration
# settings and their environment variables, ansible.builtin plugins) stay plain text instead of links
# ("ref.ref" and "ref.envvar" warnings suppressed).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
venv=${VENV:-$root/.venv}
case $venv in /*) ;; *) venv=$root/$venv ;; esac
export PATH=$venv/bin:$PATH
ANSIBLE_COLLECTIONS_PATH=$("$root/scripts/collection-path.sh")
export ANSIBLE_COLLECTIONS_PATH ANSIBLE_HOME=$root/.build/ansible-home
site=$root/.build/docs
rm -rf "$site"
mkdir -p "$site"

antsibull-docs sphinx-init --use-current --dest-dir "$site" --fail-on-error --project "Ubidots Industrial Collection" \
    --copyright "Ubidots Industrial collection maintainers" --title "ubidots.industrial" ubidots.industrial > /dev/null
cat >> "$site/conf.py" <<'PY'

# Offline build: no intersphinx inventories can be fetched (see scripts/docs.sh).
extensions = [e for e in extensions if e != 'sphinx.ext.intersphinx'] + ['myst_parser']
source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
myst_heading_anchors = 3
intersphinx_mapping = {}
suppress_warnings = ['ref.ref', 'ref.envvar']
PY

cd "$site"
mkdir -p rst
chmod og-w rst
antsibull-docs --config-file antsibull-docs.cfg collection --cleanup everything --fail-on-error --use-current \
    --dest-dir rst ubidots.industrial > "$site/antsibull.log"

# The guides under docs/ are Markdown pages, rendered with MyST.
mkdir -p rst/guides
cp "$root"/docs/*.md rst/guides/
{
    echo "Guides"
    echo "======"
    echo
    echo ".. toctree::"
    echo "   :maxdepth: 1"
    echo
    for guide in rst/guides/*.md; do
        echo "   $(basename "$guide" .md)"
    done
} > rst/guides/index.rst
cat >> rst/index.rst <<'RST'

.. toctree::
   :maxdepth: 1
   :caption: Guides

   guides/index
RST

sphinx-build -W --keep-going -q -b html -c . rst build/html
echo "docs: site built in $site/build/html (module pages under collections/ubidots/industrial/)"
