# `make run` and `make test` are all a newcomer needs (see README.md).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: cluster test-cluster test-pgbouncer run test test-e2e test-client lint format install stop clean bench audit fuzz secrets upgrade-check backup restore messages

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m config.devstack

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

# The project on several processes of this machine (README "Beyond one machine"):
# PostgreSQL primary + replica (PgBouncer when installed), Redis + Sentinels,
# two gunicorn nodes behind HAProxy, two workers. Needs Debian's haproxy.
cluster: $(STAMP)
	$(PY) -m config.cluster

# The faults the cluster survives, killed one at a time under load (cluster/test_faults.py),
# and the compose scale profile's HAProxy config and Redis scripts, run here (cluster/test_compose_scale_configs.py).
test-cluster: $(STAMP)
	@for bin in haproxy pgbouncer; do command -v $$bin >/dev/null || { echo "make test-cluster needs $$bin: apt-get install -y haproxy pgbouncer" >&2; exit 1; }; done
	$(PY) -m pytest cluster -p no:randomly $(PYTEST_ARGS)

# The whole suite with DATABASE_URL through a PgBouncer in transaction mode
# (Debian's pgbouncer) in front of the embedded PostgreSQL or DATABASE_URL's.
test-pgbouncer: $(STAMP)
	$(PY) -m config.pgbouncer -- $(PY) -m pytest $(PYTEST_ARGS)

# Browser tests of the admin (e2e/): Playwright driving Debian's Chromium.
CHROMIUM ?= /usr/bin/chromium
test-e2e: $(STAMP)
	@test -x $(CHROMIUM) || { echo "make test-e2e needs Chromium at $(CHROMIUM): apt-get install -y chromium" >&2; exit 1; }
	E2E_CHROMIUM=$(CHROMIUM) $(PY) -m pytest e2e $(PYTEST_ARGS)

# The frontend's view: TypeScript types generated from the served schema, a typed
# program compiled with tsc --strict and run against a live gunicorn (needs Node 20).
test-client: $(STAMP)
	cd clients/typescript && npm ci --no-audit --no-fund --loglevel=error
	$(PY) -m pytest clients $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	@command -v xgettext >/dev/null || { echo "make lint checks the translation catalogues with GNU gettext: apt-get install -y gettext" >&2; exit 1; }
	$(PY) manage.py catalogues --check

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The translation catalogues (locale/): updated from the code and compiled; needs
# GNU gettext (apt-get install gettext). Then translate what is new (README, "Languages").
messages: $(STAMP)
	$(PY) manage.py catalogues

# Fallback: stops embedded servers left by a process killed before it could stop them.
stop: $(STAMP)
	$(PY) -c "from config import embedded; embedded.stop_all()"

clean: stop
	rm -rf $(VENV) .data

# Load test against gunicorn at BENCH_SCALE appointments (default 100000); see README "Performance".
bench: $(STAMP)
	$(PY) -m bench

# Static security checks: bandit (fails on a high-severity finding) and
# pip-audit on the pinned requirements (see README "Reliability").
audit: $(STAMP)
	$(VENV)/bin/bandit -c bandit.yaml -r accounts clinic scheduling config bench --severity-level high -q
	@echo "bandit: no high-severity findings"
	$(PY) -m config.dependency_audit

# The deep schemathesis run: 1,000 examples per operation and role (slow).
fuzz: $(STAMP)
	FUZZ_EXAMPLES=1000 $(PY) -m pytest config/tests/test_schemathesis.py -q -p no:randomly $(PYTEST_ARGS)

# The secret files docker-compose.yml reads (./secrets/, mode 600); never overwrites one.
secrets: $(STAMP)
	$(PY) deploy/make_secrets.py secrets

# Before a deploy (and in CI): no model change without its migration, and no
# migration that breaks the serving version or locks a large table.
upgrade-check: $(STAMP)
	$(PY) manage.py upgrade_check

# The database and the documents into backups/clinic-<time>/ (KEEP=N keeps the newest N);
# the keys are not in it: back them up apart (README, "Operations runbook").
backup: $(STAMP)
	$(PY) manage.py backup --output backups $(if $(KEEP),--keep $(KEEP))

restore: $(STAMP)
	@test -n "$(FROM)" || { echo "usage: make restore FROM=backups/clinic-<time>" >&2; exit 1; }
	$(PY) manage.py restore $(FROM)
