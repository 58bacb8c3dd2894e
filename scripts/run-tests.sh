#!/usr/bin/env bash
# Every test of the workspace, then HQ's tests again with HQ on PostgreSQL (issue 23): run by
# `make test` inside scripts/with-postgres.sh, which starts the throwaway server both runs use
# (tests/shared_hq.rs needs it in the first run too). Both runs always run; either failing fails.
set -uo pipefail
cargo=${CARGO:-cargo}

$cargo test --workspace --locked --no-fail-fast
sqlite=$?

# The HQ test files, unchanged: common::open_hq and common::memory_hq make each HQ they open a
# desk of a new HQ on the server.
hq_tests=(hq incoming sync registry duplicates erasure evidence report results)
args=()
for t in "${hq_tests[@]}"; do args+=(--test "$t"); done
echo "HQ's tests again, with HQ on PostgreSQL: ${hq_tests[*]}"
PALABRE_TEST_ENGINE=postgres $cargo test --locked --no-fail-fast -p palabre "${args[@]}"
postgres=$?

exit $((sqlite | postgres))
