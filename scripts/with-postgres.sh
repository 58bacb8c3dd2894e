#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server (issue 23: HQ on PostgreSQL), then stops it.
#
#   scripts/with-postgres.sh cargo test …
#
# The server is Debian's `postgresql` package (installed by scripts/install-system-deps.sh; tested
# with PostgreSQL 15). Its data folder is a new temporary folder owned by an unprivileged user
# (the `postgres` account the package makes when run as root, else the caller), it listens on
# 127.0.0.1 on a free port and on a socket in that folder only, accepts the one role `palabre`
# without a password from this machine, and is stopped and deleted when the command ends, pass
# or fail. The command sees PALABRE_TEST_POSTGRES, the connection string of its `postgres`
# database (the tests make one database per HQ in it).
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "PostgreSQL's server programs are missing: run scripts/install-system-deps.sh (Debian package postgresql)." >&2
  exit 1
fi

dir=$(mktemp -d /tmp/palabre-pg.XXXXXX)
if [ "$(id -u)" = 0 ]; then
  owner=postgres
  id -u "$owner" >/dev/null 2>&1 || { echo "The postgres account is missing: reinstall the postgresql package." >&2; exit 1; }
  chown "$owner" "$dir"
  as_owner() { runuser -u "$owner" -- "$@"; }
else
  as_owner() { "$@"; }
fi
chmod 700 "$dir"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

stop() {
  as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

as_owner "$bin/initdb" -D "$dir/data" -U palabre --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
# Durability is not what the tests check: fsync off makes thousands of small commits quick. The
# benchmark (PALABRE_PG_DURABLE=1) keeps PostgreSQL's defaults, as a real server would.
options="-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200"
if [ -z "${PALABRE_PG_DURABLE:-}" ]; then
  options="$options -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
fi
as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$options" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }

export PALABRE_TEST_POSTGRES="postgres://palabre@127.0.0.1:$port/postgres"
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') for the tests at $PALABRE_TEST_POSTGRES (data in $dir)"
"$@"
