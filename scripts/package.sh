#!/usr/bin/env bash
# Builds the Debian package with the Tauri bundler (npm's prebuilt @tauri-apps/cli, pinned in
# package-lock.json; nothing is downloaded from elsewhere). Prints the .deb's path.
# Extra arguments go to `tauri build` (e.g. --config '{"version":"0.1.1"}').
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-$PWD/target}
[ -x node_modules/.bin/tauri ] || npm ci --no-audit --no-fund >&2
# The command-line tool (HQ uses it) is the same program: /usr/bin/palabre is
# packaging/palabre, which runs `palabre-desktop --cli`.
(cd src-tauri && ../node_modules/.bin/tauri build --bundles deb "$@" >&2)
deb=$(ls -t "$target"/release/bundle/deb/*.deb | head -n 1)
# The bundler compresses with gzip; Debian's own packages use xz, which takes the .deb from
# 11.1 to 7.8 MiB (the binary is most of it). Same files, modes and control data.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -R "$deb" "$work/pkg"
dpkg-deb --root-owner-group -Zxz -z9 --build "$work/pkg" "$work/palabre.deb" >&2
mv "$work/palabre.deb" "$deb"
echo "$deb"
