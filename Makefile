# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 4010
SPEC   ?= specs/petstore.yaml
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test check lint typecheck unit install dev clean bench browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Stamp files make re-runs instant while pyproject.toml is unchanged.
# The distribution was called `openmock` before it became `openmock-server`: a venv made
# then still holds that name, which would load the pytest plugin twice.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip uninstall -q -y openmock 2>/dev/null || true
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip uninstall -q -y openmock 2>/dev/null || true
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
dev: $(VENV)/.dev-installed

run: install
	$(BIN)/openmock from-spec $(SPEC) --port $(PORT)

lint: dev
	$(BIN)/ruff check openmock tests bench
	$(BIN)/ruff format --check openmock tests bench
	$(BIN)/lint-imports --no-cache

typecheck: dev
	$(BIN)/mypy openmock

unit: dev browser
	$(BIN)/pytest -q

# The inspector page's browser test drives Debian's Chromium (tests skip it only where
# Chromium cannot be installed, and say so).
browser:
	@command -v chromium >/dev/null || $(SUDO) apt-get install -y -q chromium >/dev/null 2>&1 \
		|| { $(SUDO) apt-get update -q >/dev/null 2>&1 && $(SUDO) apt-get install -y -q chromium >/dev/null 2>&1; } \
		|| echo "chromium could not be installed: the inspector's browser test is skipped"

test: lint typecheck unit

# The quick tier for a developer's loop: lint, types and every module's tests with a tenth of
# the property tests' examples, on two cores; the corpus end to end, fuzzing and the browser
# are left to `make test` (tests marked `slow`).
check: lint typecheck
	OPENMOCK_TEST_TIER=quick $(BIN)/pytest -q -n 2 -m "not slow"

# Benchmarks write their tables to bench/results/ (never timed unit tests: shared machines).
# The HTTP load tests need wrk (Debian's package), installed here where missing; bench/serving.py
# installs Prism from the npm registry into bench/.prism/ for the side-by-side, and
# bench/stateful.py json-server and Mockoon CLI into bench/.crud/.
bench: dev
	@command -v wrk >/dev/null || $(SUDO) apt-get install -y -q wrk >/dev/null 2>&1 \
		|| { $(SUDO) apt-get update -q >/dev/null 2>&1 && $(SUDO) apt-get install -y -q wrk >/dev/null 2>&1; } \
		|| echo "wrk could not be installed: the HTTP load tests are skipped"
	$(BIN)/python bench/generation.py
	$(BIN)/python bench/validation.py
	$(BIN)/python bench/calllog.py
	$(BIN)/python bench/serving.py
	$(BIN)/python bench/stateful.py
	$(BIN)/python bench/proxy.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
