"""Loaded by pytest (`-p config.test_environment`) before Django's settings,
so that the suite runs with DJANGO_ENV=test unless told otherwise."""

import os

os.environ.setdefault("DJANGO_ENV", "test")
