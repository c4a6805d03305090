#!/usr/bin/env bash
# Renders an HTML report with headless Chromium to a PNG, as a person would see it:
#   scripts/report-screenshot.sh REPORT.html OUT.png [WIDTH] [HEIGHT]
# Fails on a blank page (a PNG hardly larger than an empty page's) or on console errors.
set -euo pipefail
html=$(realpath "$1"); out=$2; width=${3:-1150}; height=${4:-2200}
log=$(mktemp); blank=$(mktemp --suffix=.png); empty=$(mktemp --suffix=.html)
trap 'rm -f "$log" "$blank" "$empty"' EXIT
echo '<!doctype html><html><body></body></html>' > "$empty"
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --enable-logging=stderr --v=0 "--window-size=$width,$height")
chromium "${flags[@]}" "--screenshot=$blank" "file://$empty" >/dev/null 2>&1
chromium "${flags[@]}" "--screenshot=$out" "file://$html" >/dev/null 2>"$log"
if grep -E 'CONSOLE|Uncaught' "$log"; then echo "console errors while rendering $html" >&2; exit 1; fi
size=$(stat -c %s "$out"); blank_size=$(stat -c %s "$blank")
if [ "$size" -le $((blank_size * 4)) ]; then echo "$out looks blank ($size bytes; an empty page is $blank_size)" >&2; exit 1; fi
echo "$out: $size bytes (an empty page: $blank_size)"
