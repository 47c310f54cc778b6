# Two commands: `make run` (the whole app on embedded defaults) and `make test` (real services).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DEV_ENV := DEBUG=1

.PHONY: install run serve test lint bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Web on http://127.0.0.1:$(PORT) plus a real Celery worker and beat; Ctrl-C stops all three.
# PostgreSQL is DATABASE_URL's, or else an embedded one under var/ that lives as long as this.
PORT ?= 8000
run: install
	$(DEV_ENV) $(PY) scripts/embedded_postgres.py -- $(MAKE) --no-print-directory serve

# The second half of `make run`, for a DATABASE_URL that is already set.
serve:
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py seed_demo
	$(DEV_ENV) PORT=$(PORT) SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} \
		$(VENV)/bin/honcho --procfile Procfile.dev start

# The whole suite on real PostgreSQL and Redis (started for the run if needed) and Chromium.
test: install
	$(PY) scripts/with_services.py -- $(VENV)/bin/pytest $(ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(DEV_ENV) $(PY) scripts/embedded_postgres.py -- $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports

bench: install
	@for script in bench/[!_]*.py; do \
		echo "== $$script"; \
		$(PY) scripts/with_services.py -- $(PY) $$script || exit 1; \
	done

clean:
	rm -rf var staticfiles .pytest_cache
