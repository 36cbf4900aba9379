# The two commands of README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# make test runs the suite in this many processes (pytest-xdist); 1 for a plain run.
TEST_WORKERS ?= 2

.PHONY: run test install lint typecheck messages lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when a lock file changed (they pin every package with its hashes).
$(STAMP): $(BIN)/python requirements.lock requirements-dev.lock requirements-ldap.lock scripts/install-deps
	scripts/install-deps $(BIN)/python
	touch $(STAMP)

install: $(STAMP)

## make run: migrate, load the demo municipality, serve on http://127.0.0.1:8000 with a
## Celery worker and beat on the embedded default (SQLite + SQLite broker). Ctrl-C stops all.
run: install
	scripts/run-dev

## make test: the whole suite. Tests needing PostgreSQL, Redis, slapd or Chromium skip
## with a reason when absent; TELEFONI_REQUIRE_SERVICES=1 turns such skips into failures.
test: install
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# mypy with django-stubs; what it checks and how strictly is in pyproject.toml [tool.mypy].
typecheck: install
	$(BIN)/mypy

messages: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemessages --locale sv --no-obsolete --no-location --ignore .venv --ignore var --ignore tests
	DJANGO_DEBUG=1 $(BIN)/python manage.py compilemessages --locale sv --ignore .venv --ignore var

## make lock: regenerate the lock files after changing a requirements*.txt (pip-tools, in a
## throwaway venv).
lock:
	PYTHON=$(PYTHON) scripts/lock

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache .mypy_cache
