# Loket: `make run` serves the portal with demo data; `make test` runs the whole suite (SQLite, then PostgreSQL,
# then the browser tests) and prints how long each step took.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
PRACTICE_PORT ?= 5001
export FLASK_APP := wsgi

.PHONY: run dev practice practice-reset test test-sqlite test-postgres setup setup-dev db translations messages bench bench-inbox clean

run: setup db                                  ## serve on http://127.0.0.1:5000 with demo data (gunicorn)
	LOKET_SECURE_COOKIES=0 LOKET_BIND=$(HOST):$(PORT) $(BIN)/gunicorn wsgi:app

dev: setup db                                  ## the same with Flask's reloader and debugger, for development
	LOKET_SECURE_COOKIES=0 $(BIN)/flask run --debug --host $(HOST) --port $(PORT)

practice: setup                                ## practice mode on http://127.0.0.1:5001: demo data in instance/practice.db, a settable clock, nothing sent
	LOKET_PRACTICE=1 $(BIN)/flask db upgrade
	LOKET_PRACTICE=1 $(BIN)/flask seed --demo
	LOKET_PRACTICE=1 LOKET_SECURE_COOKIES=0 LOKET_BIND=$(HOST):$(PRACTICE_PORT) $(BIN)/gunicorn wsgi:app

practice-reset:                                ## forget what was practised: the next `make practice` starts from the demo data
	rm -rf instance/practice.db instance/practice.db-wal instance/practice.db-shm instance/practice

test:                                          ## install what the tests need, run the suite on both databases
	bash scripts/test.sh

test-sqlite: setup-dev                         ## the suite on SQLite only, on every core (no system packages checked)
	$(BIN)/pytest -q -n auto

setup: $(VENV)/.runtime translations
setup-dev: $(VENV)/.dev translations

$(VENV)/.runtime: requirements.txt
	bash scripts/venv.sh $(PYTHON) $(VENV) requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt
	bash scripts/venv.sh $(PYTHON) $(VENV) requirements-dev.txt
	touch $(VENV)/.runtime $@

db: setup                                      ## apply migrations and seed (idempotent)
	$(BIN)/flask db upgrade
	$(BIN)/flask seed --demo

translations: $(VENV)/.runtime                 ## compile the message catalogues
	$(BIN)/pybabel -q compile -d portal/translations

messages: $(VENV)/.runtime                     ## re-extract messages and update the catalogues
	$(BIN)/pybabel -q extract --sort-by-file --omit-header -F babel.cfg -k _l -o portal/translations/messages.pot portal
	$(BIN)/pybabel -q update --no-fuzzy-matching -i portal/translations/messages.pot -d portal/translations

bench: setup-dev                               ## throughput, page weight and ticket issuing figures
	bash scripts/system-deps.sh bench
	$(BIN)/python bench/run.py
	$(BIN)/python bench/tickets.py

bench-inbox: setup-dev                         ## the clerks' inbox at 10 k and 1 M applications (takes minutes)
	bash scripts/system-deps.sh bench
	$(BIN)/python bench/inbox.py

clean:
	rm -rf $(VENV) .pytest_cache
