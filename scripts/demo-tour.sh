#!/usr/bin/env bash
# `make run` until the desktop window lands: builds a demo programme (once) and tours it with
# the CLI. Usage: scripts/demo-tour.sh PATH_TO_PALABRE_BINARY
set -euo pipefail
palabre=$1
data=${XDG_DATA_HOME:-$HOME/.local/share}/palabre
export PALABRE_DB=${PALABRE_DB:-$data/demo.db}
# The demo database is encrypted like any other; its passphrase, for this tour only.
export PALABRE_PASSPHRASE=${PALABRE_PASSPHRASE:-demo-palabre}

if [ ! -f "$PALABRE_DB" ]; then
  "$palabre" demo --seed 1
fi
echo
echo "== This laptop"; "$palabre" device show
echo
echo "== Sessions held in 2024 with security actors"
"$palabre" session list --status held --group security_actors --from 2024-01-01 --to 2024-12-31
echo
echo "== Searching the registry for 'aissata' (accents ignored)"; "$palabre" person find aissata --limit 5
echo
echo "== Action plans of the women's groups"; "$palabre" plan list
echo
echo "The demo database is $PALABRE_DB. Continue with, for example:"
echo "  export PALABRE_DB=$PALABRE_DB PALABRE_PASSPHRASE=$PALABRE_PASSPHRASE"
echo "  $palabre session list --search pelengana"
echo "  $palabre --help"
