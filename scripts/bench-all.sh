#!/usr/bin/env bash
# Every performance target in one run (release builds), one line per target:
#   make bench            (or scripts/bench-all.sh)
# The desktop line needs a display: it runs under xvfb-run when there is none.
set -euo pipefail
cd "$(dirname "$0")/.."
line() { printf '%-12s %s\n' "$1" "$2"; }
for bench in sync_import search report sheet evidence export duplicates encryption; do
  out=$(cargo bench --locked --quiet --bench "$bench" 2>/dev/null)
  line "$bench" "$(printf '%s\n' "$out" | tail -n 1)"
done
cargo build --locked --quiet --release -p palabre-desktop -p palabre
desktop=$(xvfb-run -a -s "-screen 0 1366x768x24" scripts/measure-desktop.sh target/release/palabre-desktop)
line desktop "$(printf '%s\n' "$desktop" | grep -E 'mean cold start|idle RSS' | paste -sd ';' -)"
