# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium

.PHONY: demo test install migrate serve lint messages browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable

demo: migrate
	$(PY) manage.py load_demo
	@echo "Serving on http://127.0.0.1:8000 (Ctrl-C to stop); e-mails are printed here."
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

# Production serving (docs/deploy.md): gunicorn, 2 workers on ${HOST:-127.0.0.1}:${PORT:-8000},
# and the task queue, after migrate and collectstatic. Ctrl-C stops both.
serve: install
	./bin/serve

# Browser tests need Debian's chromium: install it when apt-get is there (as root or via sudo).
browser:
	@if [ ! -x $(CHROMIUM) ] && command -v apt-get >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		echo "Installing Debian's chromium for the browser tests…"; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null \
			|| echo "Could not install chromium: browser tests will be skipped."; \
	fi

# The suite on every core (pytest-xdist): each worker migrates its own test database.
# Tests go out two at a time, in order: both workers share the browser tests at the end (by
# default one worker got them in a single chunk while the other idled). .ci/run uses it too.
PYTEST_WORKERS ?= auto
test: install browser
	$(PY) -m pytest -n $(PYTEST_WORKERS) --maxschedchunk=2

lint: install
	$(VENV)/bin/ruff check .

messages: install
	$(PY) manage.py makemessages -l fr -l en -l de --no-obsolete --ignore=.venv --ignore=tests --ignore=staticfiles
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles tests/e2e/screenshots
