# AICMO: `make run` to try it, `make test` to prove it.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/aicmo
# Environment of every test run: settings need a key with DEBUG off; jobs run at enqueue
# (tests that need a worker choose the database backend themselves).
TEST_ENV := SECRET_KEY=test-secret-key-not-for-production DEBUG=false STATIC_MANIFEST=false \
	TASKS_BACKEND=immediate
PYTEST_ARGS ?=
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/aicmo_bench
BENCH_ARGS ?=

.PHONY: install install-test run serve test lint test-pg test-embedded loadtest migrate clean bench

install:
	@./scripts/setup.sh

# The test targets also install the browser the end-to-end tests drive.
install-test:
	@WITH_TEST_PACKAGES=1 ./scripts/setup.sh

run: install
	@DEBUG=true $(BIN)/python manage.py migrate --no-input -v 0
	@DEBUG=true $(BIN)/python manage.py seed_demo --if-empty
	@echo "Demo logins (username, password, role):"; cat var/demo-logins.txt 2>/dev/null || true
	@echo "AICMO on http://127.0.0.1:$(PORT)/"
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Production-like: DEBUG off, static files collected and compressed, gunicorn with workers
# derived from the CPUs, background worker(s) beside it; Ctrl-C stops them all.
serve: install
	$(BIN)/python scripts/serve.py --port $(PORT)

lint: install-test
	$(BIN)/ruff check .

test: lint
	@$(BIN)/python scripts/check_postgres.py
	$(MAKE) --no-print-directory test-pg
	$(MAKE) --no-print-directory test-embedded

# The whole suite on PostgreSQL.
test-pg: install-test
	$(TEST_ENV) DATABASE_URL=$(TEST_DATABASE_URL) TEST_DATABASE_URL=$(TEST_DATABASE_URL) \
		$(BIN)/pytest $(PYTEST_ARGS)

# The tests that guard the embedded default, on SQLite.
test-embedded: install-test
	$(TEST_ENV) DATABASE_URL=sqlite:///$(CURDIR)/var/test-embedded.sqlite3 \
		$(BIN)/pytest -m embedded $(PYTEST_ARGS)

# Benchmarks at scale on PostgreSQL (not part of `make test`; several minutes): writes
# bench/results/<date>.json and the table in docs/PERFORMANCE.md. BENCH_ARGS e.g. --seconds 5.
bench: install
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/run.py $(BENCH_ARGS)

# The long load run: gunicorn (DEBUG off, gunicorn.conf.py's workers) on 127.0.0.1, a minute of
# signed-in users reading sections, approving and posting; prints p50 / p99 and requests per
# second. Fails only on an error or a lost or doubled write, never on timing. LOAD_SECONDS,
# LOAD_CONCURRENCY, LOAD_MAX_REQUESTS, LOAD_ITEMS, LOAD_WEB_WORKERS, LOAD_WEB_THREADS tune it.
loadtest: install-test
	@TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python scripts/check_postgres.py
	$(TEST_ENV) DATABASE_URL=$(TEST_DATABASE_URL) TEST_DATABASE_URL=$(TEST_DATABASE_URL) \
		LOAD_PROFILE=long $(BIN)/pytest tests/load $(PYTEST_ARGS)

migrate: install
	DEBUG=true $(BIN)/python manage.py migrate

clean:
	rm -rf $(VENV) var/static test-artifacts
