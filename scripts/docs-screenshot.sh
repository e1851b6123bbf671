#!/usr/bin/env bash
# Screenshot of the built module page in headless Chromium (after `make docs`), to check with eyes
# that the site renders: writes docs/images/ubidots_users_bulk_module.png.
# Needs Debian's chromium (apt-get install chromium); not part of `make test`.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
page=$root/.build/docs/build/html/collections/ubidots/industrial/ubidots_users_bulk_module.html
out=${1:-$root/docs/images/ubidots_users_bulk_module.png}
browser=$(command -v chromium || command -v chromium-browser || true)
[ -f "$page" ] || { echo "docs-screenshot: $page not found; run 'make docs' first" >&2; exit 1; }
[ -n "$browser" ] || { echo "docs-screenshot: chromium not found (apt-get install chromium)" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# The options table sits below the synopsis and requirements: a tall window shows both.
timeout 60 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$profile" \
    --hide-scrollbars --window-size=1280,2600 --screenshot="$out" "file://$page" 2>/dev/null
[ -s "$out" ] || { echo "docs-screenshot: no screenshot written" >&2; exit 1; }
echo "docs-screenshot: $out"
