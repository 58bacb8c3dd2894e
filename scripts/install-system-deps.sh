#!/usr/bin/env bash
# Installs what building, running and testing Palabre needs on Debian 12 / Ubuntu 22.04+, when
# something is missing: Debian packages (with apt-get as root, or through sudo), and tauri-driver
# (with cargo). Says what to install when it cannot.
set -euo pipefail

packages=(
  build-essential pkg-config          # C compiler for SQLite (rusqlite bundles it)
  libwebkit2gtk-4.1-dev libssl-dev    # the Tauri 2 desktop window
  libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  xvfb xauth                          # a virtual display for the desktop end-to-end tests
  webkit2gtk-driver                   # WebKitWebDriver, driven by tauri-driver in those tests
  dbus-daemon xdotool                 # a session bus and window lookup for the single-instance test
  python3-xlib                        # asks the window to close (WM_DELETE_WINDOW) in the e2e test
  minisign                            # the standard tool checks our bundle signatures
  age                                 # the standard tool decrypts bundles encrypted to HQ
  python3 python3-openpyxl            # a real XLSX reader checks the exported report
  poppler-utils                       # pdftotext and pdftoppm read the attendance sheets back
  libxml2-utils                       # xmllint checks the IATI export against the official schema
  imagemagick                         # photographs a printed sheet (tilt, blur, noise) for the QR test
  postgresql                          # HQ on PostgreSQL: a throwaway server for the tests (scripts/with-postgres.sh)
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

cargo_bin=${CARGO_HOME:-$HOME/.cargo}/bin
if ! command -v tauri-driver >/dev/null && [ ! -x "$cargo_bin/tauri-driver" ]; then
  echo "Installing tauri-driver (WebDriver for the desktop end-to-end tests)"
  cargo install tauri-driver --locked --version 2.1.0
fi
