"""Importing the settings starts nothing: with DATABASE_URL/REDIS_URL unset and
no entry point in front (manage.py, `make run`, the pytest plugin), it stops
with a message naming the fix and leaves no server and no data directory."""

import os
import subprocess
import sys

from config.embedded import BASE_DIR


def test_importing_settings_with_the_urls_unset_starts_nothing(tmp_path):
    data_dir = tmp_path / "data"
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(CLINIC_DATA_DIR=str(data_dir), DJANGO_ENV="development")
    run = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert run.returncode == 1
    assert run.stderr.splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: DATABASE_URL is unset: set it, or go through "
        "manage.py, `make run` or `make test`, which start the embedded servers"
    )
    assert not data_dir.exists()
