#!/usr/bin/env bash
# Measures a desktop app's cold start (launch → window mapped, which for Palabre is its first
# screen, the passphrase's) and idle memory (RSS of the app and its WebKit processes after 10 s)
# under Xvfb, on a demo database. Run it inside a display:
#   xvfb-run -a -s "-screen 0 1366x768x24" scripts/measure-desktop.sh [APP [WINDOW-TITLE]]
# APP defaults to target/debug/palabre-desktop, WINDOW-TITLE to Palabre; the benchmark also runs
# it on the hello-world window (benches/hello-tauri, title Hello) to compare.
set -euo pipefail
app=${1:-target/debug/palabre-desktop}
title=${2:-Palabre}
palabre=$(dirname "$app")/palabre
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PALABRE_PASSPHRASE=${PALABRE_PASSPHRASE:-demo-palabre}
if [ -x "$palabre" ]; then "$palabre" --db "$work/p.db" demo >/dev/null; fi

runs=${RUNS:-5}
total=0
for i in $(seq "$runs"); do
  start=$(date +%s%N)
  PALABRE_DB="$work/p.db" "$app" >/dev/null 2>&1 &
  pid=$!
  xdotool search --sync --onlyvisible --name "^$title\$" >/dev/null
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  total=$((total + ms))
  echo "cold start $i: ${ms} ms"
  if [ "$i" = "$runs" ]; then
    sleep 10
    rss() { ps -o rss= -p "$1" 2>/dev/null || echo 0; }
    app_kb=$(rss "$pid")
    web_kb=0
    for child in $(pgrep -f WebKitWebProcess || true) $(pgrep -f WebKitNetworkProcess || true); do
      web_kb=$((web_kb + $(rss "$child")))
    done
    echo "idle RSS: app $((app_kb / 1024)) MiB + WebKit processes $((web_kb / 1024)) MiB = $(((app_kb + web_kb) / 1024)) MiB"
  fi
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
echo "mean cold start: $((total / runs)) ms over $runs runs"
