# Simpul: `make run` serves the demo, `make test` runs the whole suite. See README.md.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000
PYTEST_ARGS ?=

.PHONY: run serve test setup migrate demo lint fmt messages bench bench-load clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

setup: $(VENV)/.installed

migrate: setup
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

run: demo
	$(PY) manage.py runserver $(HOST)

# The production stack on this machine: gunicorn (config/gunicorn.py), a Celery worker and beat
# (Procfile, run by honcho), on PostgreSQL and Redis. Plain HTTP here unless SIMPUL_HTTPS=1.
serve: setup
	@test -n "$(DATABASE_URL)" -a -n "$(REDIS_URL)" -a -n "$(SECRET_KEY)" || { \
	  echo "make serve needs DATABASE_URL (PostgreSQL), REDIS_URL and SECRET_KEY: README, Production"; \
	  exit 2; }
	mkdir -p var
	DJANGO_SETTINGS_MODULE=config.settings.base $(PY) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=config.settings.base $(PY) manage.py collectstatic --noinput -v0
	DJANGO_SETTINGS_MODULE=config.settings.base SIMPUL_HTTPS=$${SIMPUL_HTTPS:-0} \
	  ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} $(VENV)/bin/honcho start -f Procfile

test: demo
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

fmt: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Needs GNU gettext (xgettext) to extract; compiling uses polib, so `make run` needs no gettext.
messages: setup
	$(PY) manage.py makemessages --locale id --no-obsolete --add-location file --ignore ".venv/*" --ignore "staticfiles/*"
	$(PY) manage.py compile_translations

# Benchmarks run on PostgreSQL (a scratch database each creates); see bench/README.md.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/simpul_bench
bench: setup
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/region_import.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/monthly_import.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/national.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/meetings.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/imports.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/exports.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/cpu.py

# The load benchmark needs the whole machine and Redis (about 9 minutes): run it on its own.
bench-load: setup
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/load.py

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 .pytest_media
