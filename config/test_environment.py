"""The test suite's entry point, loaded by pytest (`-p config.test_environment`)
before Django's settings: the suite runs with DJANGO_ENV=test unless told
otherwise, on the embedded PostgreSQL and Redis when DATABASE_URL/REDIS_URL are
unset (started here, exported for gunicorn and workers the tests spawn, and
stopped when the run ends if this run started them)."""

import os

from config import embedded

os.environ.setdefault("DJANGO_ENV", "test")
_servers = embedded.ensure_services()


def pytest_unconfigure(config):
    embedded.stop_started(_servers)
