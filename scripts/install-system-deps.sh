#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages that building and testing Palabre needs, when some are
# missing. Runs apt-get as root, or through sudo when available; otherwise says what to install.
set -euo pipefail

packages=(
  build-essential   # cc for SQLite (rusqlite bundles it)
  pkg-config
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then apt=(apt-get); elif command -v sudo >/dev/null; then apt=(sudo apt-get); else
    echo "Missing system packages: ${missing[*]}. Install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing system packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" update -q
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null; then
  echo "Rust is missing: install it with rustup (https://rustup.rs), Rust 1.88 or newer." >&2
  exit 1
fi
