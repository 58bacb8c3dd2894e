#!/usr/bin/env bash
# Every performance figure in one run (release builds), one line each with its target:
#   make bench            (or scripts/bench-all.sh)
# Each benchmark marks its figure lines with a leading "[name]"; this script prints them, adds
# the desktop's (under xvfb-run when there is no display), and writes them all into the README's
# table (between the bench-table markers) with the date, so that the README shows the last run.
# NO_README=1 leaves the README alone.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-$PWD/target}
figures=$(mktemp)
trap 'rm -f "$figures"' EXIT

figure() { printf '%s\n' "$1" | tee -a "$figures"; }

for bench in sync_import export search report hq_open duplicates sheet donor_report evidence encryption; do
  out=$(cargo bench --locked --quiet --bench "$bench" 2>/dev/null) || {
    figure "[$bench] FAILED: run \`cargo bench --bench $bench\` to see why"
    continue
  }
  while IFS= read -r line; do figure "$line"; done < <(printf '%s\n' "$out" | grep '^\[' || true)
done

# HQ on PostgreSQL against one SQLite file (issue 23), on a throwaway server with durable settings.
out=$(PALABRE_PG_DURABLE=1 scripts/with-postgres.sh cargo bench --locked --quiet --bench postgres 2>/dev/null) || {
  figure "[postgres] FAILED: run \`scripts/with-postgres.sh cargo bench --bench postgres\` to see why"
}
while IFS= read -r line; do figure "$line"; done < <(printf '%s\n' "$out" | grep '^\[' || true)

# The desktop against a hello-world Tauri 2 window (benches/hello-tauri), built the same way.
cargo build --locked --quiet --release -p palabre-desktop -p palabre
run_display() { if [ -n "${DISPLAY:-}" ]; then "$@"; else xvfb-run -a -s "-screen 0 1366x768x24" "$@"; fi; }
desktop=$(run_display scripts/measure-desktop.sh "$target/release/palabre-desktop")
hello_dir=benches/hello-tauri
cargo build --quiet --release --manifest-path "$hello_dir/Cargo.toml"
hello=$(run_display scripts/measure-desktop.sh "$target/release/hello-tauri" 'Hello')
ms() { printf '%s\n' "$1" | sed -n 's/^mean cold start: \([0-9]*\) ms.*/\1/p'; }
mib() { printf '%s\n' "$1" | sed -n 's/^idle RSS: .* = \([0-9]*\) MiB.*/\1/p'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
figure "[desktop start] cold start to the first screen, release, Xvfb: $(ms "$desktop") ms; hello-world Tauri window $(ms "$hello") ms: $(ratio "$(ms "$desktop")" "$(ms "$hello")")× (target ≤ 1.2×)"
figure "[desktop memory] idle memory, app + WebKit processes: $(mib "$desktop") MiB; hello-world $(mib "$hello") MiB: $(ratio "$(mib "$desktop")" "$(mib "$hello")")× (target ≤ 1.15×)"

# The release package, built with the distribution profile.
scripts/package.sh >/dev/null
deb=$(ls -t "$target"/release/bundle/deb/*.deb | head -n 1)
kib=$(( $(stat -c %s "$deb") / 1024 ))
figure "[deb size] $(basename "$deb"): $(awk -v k="$kib" 'BEGIN { printf "%.2f", k / 1024 }') MiB (target ≤ 8 MB)"

if [ -z "${NO_README:-}" ]; then
  {
    printf '| figure | measured (%s, `make bench`) |\n|---|---|\n' "$(date +%F)"
    sed -E 's/^\[([^]]*)\] (.*)$/| \1 | \2 |/' "$figures"
  } > "$figures.table"
  awk -v table="$figures.table" '
    /<!-- bench-table:end -->/ { while ((getline line < table) > 0) print line; skipping = 0 }
    !skipping { print }
    /<!-- bench-table:begin -->/ { skipping = 1 }
  ' README.md > README.md.new && mv README.md.new README.md
  rm -f "$figures.table"
  echo "README.md: benchmark table updated"
fi
