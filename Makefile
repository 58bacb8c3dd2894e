# The two commands a newcomer runs (see README): `make run` and `make test`.
CARGO ?= cargo

.PHONY: run test deps build tour bench package

## Build the desktop app and open its window (the first screen offers the demo programme).
run: deps
	$(CARGO) build --locked -p palabre-desktop
	@if [ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
	  echo "No display: opening Palabre on a virtual one (xvfb-run). On a desktop it opens a window."; \
	  xvfb-run -a -s "-screen 0 1366x768x24" target/debug/palabre-desktop; \
	else target/debug/palabre-desktop; fi

## Install what is missing, then run every test (core, CLI, commands, the real window) and HQ's
## tests again with HQ on PostgreSQL (a throwaway server, stopped after), then build the .deb and
## test it (unpacked, launched under Xvfb, upgraded over).
# The tests open encrypted databases thousands of times: their passphrase copies of the key are
# made with a light scrypt work factor (2^10 instead of 2^18; the key file records it). Nothing
# outside the tests reads this variable's effect: the app and the .deb use the full factor.
test: deps
	PALABRE_KDF_WORK_FACTOR=10 CARGO=$(CARGO) scripts/with-postgres.sh scripts/run-tests.sh
	scripts/package.sh
	scripts/test-package.sh

## A tour of the command line on a demo database.
tour: deps
	$(CARGO) build --locked -p palabre-cli --bin palabre
	scripts/demo-tour.sh target/debug/palabre

## The Debian package (.deb) with the Tauri bundler, then its install-and-launch test.
package: deps
	scripts/package.sh
	scripts/test-package.sh

## Every performance target, one line each (release builds; takes a few minutes).
bench: deps
	scripts/bench-all.sh

deps:
	scripts/install-system-deps.sh

build: deps
	$(CARGO) build --workspace --locked
