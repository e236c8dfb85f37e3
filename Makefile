# Two commands on a fresh machine: `make run` (demo at http://127.0.0.1:8000)
# and `make test`. Nothing but Python 3.11+ and make is needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install messages messages-check migrate lint types check mutation serve-prod clean

$(BIN)/.installed: pyproject.toml
	@echo "Installing into $(VENV) (a minute or two the first time)..."
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/.installed

# Translations compile with GNU gettext's msgfmt; without it pages stay in English.
messages: install
	-@$(PY) manage.py compilemessages -v0 --ignore ".venv/*" 2>/dev/null || echo "gettext missing: translations not compiled"

# Every marked string of the code is in each catalogue and translated: re-extract,
# then fail on any untranslated or fuzzy entry (run by .ci/run).
LANGS := fr pt sw ar
messages-check: install
	$(PY) manage.py makemessages $(foreach l,$(LANGS),-l $(l)) --no-obsolete -v0 \
		--ignore ".venv/*" --ignore "bench/*" --ignore "tests/*"
	@fail=0; for l in $(LANGS); do f=locale/$$l/LC_MESSAGES/django.po; \
	  n=$$(msgattrib --untranslated --no-obsolete $$f | grep -c '^msgid ' || true); \
	  z=$$(msgattrib --only-fuzzy --no-obsolete $$f | grep -c '^msgid ' || true); \
	  echo "$$l: $$n untranslated, $$z fuzzy"; \
	  if [ "$$n" != 0 ] || [ "$$z" != 0 ]; then fail=1; \
	    msgattrib --untranslated --no-obsolete $$f | grep '^msgid ' | head -20; fi; \
	  msgfmt -c -o /dev/null $$f || fail=1; done; exit $$fail

# The release step of a production deploy (docs/deploy.md): migrate, static, checks.
migrate: install
	deploy/release.sh

# The demo serves static files from the source folders (WhiteNoise finders in the
# dev settings): no collectstatic.
run: messages
	@echo "Preparing the database..."
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	$(BIN)/daphne -b $(HOST) -p $(PORT) cpd.asgi:application

# Browser tests run in their own pytest process: Playwright's event loop would
# otherwise share the thread with the async (Channels) tests. The rest runs on
# every core (pytest-xdist; each worker has its own test database and prefixes).
test: messages
	$(BIN)/pytest -m "not browser" -n auto
	$(BIN)/pytest -m browser

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

types: install
	$(BIN)/mypy .

check: lint types test

# Mutation testing of the guards (docs/testing.md); not in CI, it takes an hour.
# One module: make mutation MUTANTS='forums.policies*'
MUTANTS ?=
mutation: messages
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2 $(MUTANTS)
	$(BIN)/mutmut results

# Production topology on this machine: gunicorn (HTTP), daphne (/ws/), Celery
# worker and beat, over PostgreSQL and Redis. See README "Production".
serve-prod: install
	DJANGO_SETTINGS_MODULE=cpd.settings.production $(PY) manage.py migrate --noinput -v0
	DJANGO_SETTINGS_MODULE=cpd.settings.production $(PY) manage.py collectstatic --noinput -v0
	$(BIN)/honcho -f Procfile start

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
