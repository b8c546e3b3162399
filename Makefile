# Fabrique — two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .make
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/fabrique
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends

.PHONY: run test install install-test serve migrate demo messages lint typecheck check-translations check-static \
	test-sqlite test-postgres bench-participation bench-panel bench-synthesis bench-opinion bench-live clean

## Install everything the platform needs, idempotently.
install: $(STAMPS)/python $(STAMPS)/node $(STAMPS)/system messages

## Also what the tests need: a headless browser and its driver.
install-test: install $(STAMPS)/system-test

$(STAMPS):
	mkdir -p $(STAMPS)

$(STAMPS)/python: requirements/dev.txt requirements/base.txt | $(STAMPS)
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	touch $@

$(STAMPS)/node: package.json package-lock.json | $(STAMPS)
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor/htmx static/vendor/leaflet static/vendor/markercluster staticfiles
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.js.map \
		node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images static/vendor/leaflet/
	cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js \
		node_modules/leaflet.markercluster/dist/leaflet.markercluster.js.map \
		node_modules/leaflet.markercluster/dist/MarkerCluster.css \
		node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css static/vendor/markercluster/
	touch $@

# gettext for translations; Pango and DejaVu fonts for the PDF reports.
SYSTEM_PACKAGES := gettext libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core

$(STAMPS)/system: Makefile | $(STAMPS)
	dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1 || ($(APT_INSTALL) $(SYSTEM_PACKAGES))
	touch $@

$(STAMPS)/system-test: | $(STAMPS)
	(command -v chromium && command -v chromedriver) >/dev/null || ($(APT_INSTALL) chromium chromium-driver)
	touch $@

messages: $(STAMPS)/python $(STAMPS)/system
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

migrate: install
	$(PY) manage.py migrate --no-input -v0

demo: migrate
	$(PY) manage.py load_demo

## Install, migrate, load the demo territory and serve on http://127.0.0.1:8000
run: demo
	@echo
	@echo "Fabrique runs on http://$(HOST):$(PORT)/"
	@echo "Demo accounts (password: demo-fabrique-2026):"
	@echo "  admin@fabrique.demo          platform administrator"
	@echo "  agent@grandchalon.demo       territory administrator, CA Le Grand Chalon"
	@echo "  moderation@grandchalon.demo  moderator"
	@echo "  animation@grandchalon.demo   facilitator"
	@echo "  elu@grandchalon.demo         member of a governance body"
	@echo "  habitant@grandchalon.demo    participant"
	@echo "  agent@grandchambery.demo     territory administrator, Grand Chambéry (citizen panel)"
	@echo "E-mails (sign-up verification, password reset) are printed below."
	@echo "Background work (draws, e-mails to followers) runs in a task worker started alongside."
	@echo
	@export TASKS_BACKEND=database; \
	$(PY) manage.py db_worker --interval 0.5 --no-reload -v0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: $(STAMPS)/python
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMPS)/python
	$(VENV)/bin/mypy

test-sqlite: install-test
	$(VENV)/bin/pytest

# PostgreSQL is required in CI; elsewhere it is used when it answers.
test-postgres: install-test
	@if $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then \
		echo "== PostgreSQL =="; DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest; \
	elif [ -n "$$CI" ]; then echo "PostgreSQL is not reachable on 127.0.0.1:5432"; exit 1; \
	else echo "PostgreSQL not reachable: suite run on SQLite only."; fi

# Every interface string has its French translation, none left fuzzy.
check-translations: $(STAMPS)/system
	@untranslated=$$(msgattrib --untranslated --no-obsolete locale/fr/LC_MESSAGES/django.po | grep -c '^msgid' || true); \
	fuzzy=$$(msgattrib --only-fuzzy --no-obsolete locale/fr/LC_MESSAGES/django.po | grep -c '^msgid' || true); \
	if [ "$$untranslated$$fuzzy" != "00" ]; then \
		echo "French translation incomplete: $$untranslated untranslated, $$fuzzy fuzzy (run makemessages and translate)"; exit 1; fi
	msgfmt --check -o /dev/null locale/fr/LC_MESSAGES/django.po

# Production's static files build (hashed names, compression) without a missing file.
check-static: install
	@dir=$$(mktemp -d); DEBUG=0 SECRET_KEY=check-static-$$(date +%s)-not-a-secret-key-xxxxxxxxxxxxxxxx \
		ALLOWED_HOSTS=localhost STATIC_ROOT=$$dir $(PY) manage.py collectstatic --no-input -v0; \
		status=$$?; rm -rf $$dir; exit $$status

## Install, then lint, type-check, check migrations and run the suite on SQLite and PostgreSQL.
test: install-test lint typecheck check-translations check-static
	$(PY) manage.py makemigrations --check --dry-run -v0
	@echo "== SQLite =="
	$(VENV)/bin/pytest
	$(MAKE) --no-print-directory test-postgres

## Contribution list and search at 100 000 contributions (PostgreSQL required).
bench-participation: install
	command -v wrk >/dev/null || ($(APT_INSTALL) wrk)
	$(PY) bench/participation.py

## Panel selection: our leximin against the paper and sortition-algorithms (up to ~30 min).
bench-panel: install
	$(PY) bench/panel.py

## Topics against human labels (Grand Débat sample) and speed by size: make bench-synthesis SIZES=1000,100000
SIZES ?= 1000,100000
bench-synthesis: install
	$(PY) bench/synthesis.py --sizes $(SIZES)

## Opinion groups against the published conversations' own groups, and a synthetic large one.
bench-opinion: install
	$(PY) bench/opinion.py

## One live session with a simulated crowd on loopback: make bench-live CLIENTS=2300
CLIENTS ?= 2300
bench-live: install
	$(PY) bench/live.py --clients $(CLIENTS)

clean:
	rm -rf $(STAMPS) static/vendor staticfiles
