# The two commands a newcomer runs (see README): `make run` and `make test`.
CARGO ?= cargo

.PHONY: run test deps build

## Build and start Palabre on a demo programme.
run: deps
	$(CARGO) build --locked --bin palabre
	scripts/demo-tour.sh target/debug/palabre

## Install what is missing, then run every test.
test: deps
	$(CARGO) test --workspace --locked --no-fail-fast

deps:
	scripts/install-system-deps.sh

build: deps
	$(CARGO) build --workspace --locked
