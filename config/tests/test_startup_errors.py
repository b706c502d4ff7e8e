"""A production misconfiguration stops the start with one line naming it,
from manage.py and from gunicorn alike, not a traceback."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from config.tests.live import REAL, run_django

EXPECTED = "error: SECRET_KEY must be set to a real secret when DJANGO_ENV=production"


def test_manage_py_says_one_line_and_exits_1():
    result = run_django({**REAL, "SECRET_KEY": None}, "migrate", "--check")
    assert (result.returncode, result.stderr) == (1, EXPECTED + "\n")


def test_a_bad_django_env_is_one_line_too():
    result = run_django({**REAL, "DJANGO_ENV": "prod"}, "check")
    assert result.returncode == 1
    assert result.stderr == "error: DJANGO_ENV must be development, test or production, not 'prod'\n"


def test_a_language_code_outside_languages_is_one_line():
    result = run_django({**REAL, "LANGUAGE_CODE": "it"}, "check")
    assert result.returncode == 1
    assert result.stderr == "error: LANGUAGE_CODE must be one of en, de, fr, es, not 'it'\n"


def test_gunicorn_says_one_line_and_stops(tmp_path):
    env = {**os.environ, **REAL, "DJANGO_ENV": "production", "WEB_CONCURRENCY": "1"}
    env.pop("SECRET_KEY")
    env["GUNICORN_BIND"] = f"unix:{tmp_path / 'gunicorn.sock'}"
    env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path / "prometheus")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    records = [json.loads(line) for line in result.stderr.splitlines()]  # every line JSON (config/logs.py)
    assert EXPECTED in [record["message"] for record in records]
    assert "Traceback" not in result.stderr
