#!/usr/bin/env bash
# Tests a built .deb without touching the system: checks what the package declares (name,
# version, dependencies, desktop entry, icons, both programs), unpacks it into a scratch root
# (dpkg -x), records data with the installed `palabre`, launches the installed desktop app under
# Xvfb and checks that its window opens, then installs NEW (default: the same package again, a
# reinstall) over it and checks that the data is still there and the version is NEW's.
#   scripts/test-package.sh [OLD.deb [NEW.deb]]
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-$PWD/target}
old=${1:-$(ls -t "$target"/release/bundle/deb/*.deb | head -n 1)}
new=${2:-$old}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "test-package: $*" >&2; exit 1; }

field() { dpkg-deb --field "$2" "$1"; }
[ "$(field Package "$old")" = palabre ] || fail "package name is $(field Package "$old")"
depends=$(field Depends "$old")
for dep in libwebkit2gtk-4.1-0 libgtk-3-0; do
  grep -q "$dep" <<<"$depends" || fail "Depends lacks $dep: $depends"
done
contents=$(dpkg-deb --contents "$old")
for path in usr/bin/palabre-desktop usr/bin/palabre usr/share/applications/Palabre.desktop \
            usr/share/icons/hicolor/16x16/apps/palabre-desktop.png \
            usr/share/icons/hicolor/32x32/apps/palabre-desktop.png \
            usr/share/icons/hicolor/256x256/apps/palabre-desktop.png \
            usr/share/doc/palabre/LICENSE-NotoSans.txt; do
  # dpkg-deb writes "./usr/…" (package.sh repacks with it), the bundler "usr/…".
  grep -qE " (\./)?$path\$" <<<"$contents" || fail "the package lacks /$path"
done

install_into() { dpkg -x "$1" "$work/root"; }
install_into "$old"
entry="$work/root/usr/share/applications/Palabre.desktop"
for line in 'Name=Palabre' 'Exec=palabre-desktop' 'Icon=palabre-desktop' 'Categories=Office'; do
  grep -q "^$line" "$entry" || fail "the desktop entry lacks $line"
done

# Data in the user's data folder, written by the installed command-line tool.
export HOME="$work/home"
unset XDG_DATA_HOME PALABRE_DB
# The database is encrypted; the command line reads its passphrase from here (full key
# stretching: the package is tested as it ships).
export PALABRE_PASSPHRASE="sable chaud de Mopti"
unset PALABRE_KDF_WORK_FACTOR
mkdir -p "$HOME"
cli="$work/root/usr/bin/palabre"
"$cli" init --device-name "Ségou-01" --facilitator "Mariam Sidibé" >/dev/null
"$cli" person add --name "Aïssata Traoré" >/dev/null
db="$HOME/.local/share/palabre/palabre.db"
[ -f "$db" ] || fail "the data is not in the user's data folder ($db)"
[ -f "$db.dbkey" ] || fail "the database has no key file beside it"
if grep -q "Traoré" "$db" "$db-wal" 2>/dev/null; then fail "a name is readable in the database files"; fi

# The installed app opens its window (no window manager under Xvfb: found by its title).
launch() {
  xvfb-run -a -s "-screen 0 1366x768x24" bash -c '
    "$1" >/dev/null 2>&1 &
    pid=$!
    if timeout 60 xdotool search --sync --onlyvisible --name "^Palabre$" >/dev/null; then ok=0; else ok=1; fi
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
    exit $ok' _ "$work/root/usr/bin/palabre-desktop"
}
launch || fail "the installed app did not open its window"

# Upgrade (or reinstall): the new files over the old ones; the data stays.
install_into "$new"
version=$("$cli" --version)
[ "$version" = "palabre $(field Version "$new")" ] || fail "installed version is '$version', expected $(field Version "$new")"
"$cli" person list | grep -q "Aïssata Traoré" || fail "the data did not survive the upgrade"
launch || fail "the upgraded app did not open its window"

# Uninstalling removes the program files, never the user's data folder.
rm -rf "$work/root"
[ -f "$db" ] || fail "the data folder went with the program"

size=$(stat -c %s "$old")
echo "package ok: $(basename "$old") — $((size / 1024)) KiB .deb, $(field Installed-Size "$old") KiB installed; window opened; data kept across $(field Version "$old") → $(field Version "$new")"
