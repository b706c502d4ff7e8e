"""Every line gunicorn and the app write is one JSON object with an ISO 8601
time and its offset, gunicorn's own lines and tracebacks included."""

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request

import pytest
from django.conf import settings

from config.tests.live import child_database_url, free_port, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00")


def start_gunicorn(app: str, log_path, tmp_path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "DATABASE_URL": child_database_url(),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
        "WEB_CONCURRENCY": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", app],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log_path.open("w"),
    )
    return process, port


def json_lines(log_path) -> list[dict]:
    lines = [line for line in log_path.read_text().splitlines() if line.strip()]
    assert lines
    records = [json.loads(line) for line in lines]  # fails on any line that is not JSON
    for record in records:
        assert ISO_TIME.fullmatch(record["time"]), record
        assert record["level"] in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}, record
    return records


def test_gunicorn_and_the_app_log_only_json_lines(tmp_path):
    log = tmp_path / "stderr.log"
    process, port = start_gunicorn("config.wsgi", log, tmp_path)
    base = f"http://127.0.0.1:{port}"

    def answers():
        try:
            return urllib.request.urlopen(f"{base}/health/live", timeout=2).status == 200  # noqa: S310
        except OSError:
            return False

    try:
        assert wait_until(answers, seconds=30)
        try:
            urllib.request.urlopen(f"{base}/api/v1/no-such-thing?token=s3cret", timeout=5)  # noqa: S310
        except urllib.error.HTTPError as error:
            assert error.code == 404
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    records = json_lines(log)
    loggers = {record["logger"] for record in records}
    assert {"gunicorn.error", "config.requests"} <= loggers
    assert "gunicorn.access" not in loggers  # one line per request, ours (config/gunicorn.py)
    assert any(record["message"].startswith("Booting worker") for record in records)
    assert "s3cret" not in log.read_text()


def test_a_worker_that_cannot_load_the_app_logs_its_traceback_as_json(tmp_path):
    log = tmp_path / "stderr.log"
    process, _port = start_gunicorn("config.no_such_module:application", log, tmp_path)
    try:
        process.wait(timeout=60)  # gunicorn gives up when its worker cannot boot
    finally:
        if process.poll() is None:
            process.kill()
    records = json_lines(log)
    [failure] = [record for record in records if "exc_info" in record]
    assert failure["logger"] == "gunicorn.error" and failure["level"] == "ERROR"
    assert "Traceback" in failure["exc_info"] and "ModuleNotFoundError" in failure["exc_info"]
