"""Stopping an embedded PostgreSQL that has stopped already (Ctrl-C of `make
run` reaches the server too) is quiet: no traceback, no error."""

import os
import subprocess
import sys

from config.embedded import BASE_DIR

SCRIPT = """
from config import embedded
server = embedded.ensure_postgres()
assert server.started
server.stop()   # what Ctrl-C's signal does to the server first
server.stop()   # then make run's own stop on the way out
print("stopped twice")
"""


def test_stopping_a_stopped_embedded_postgres_is_quiet(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=BASE_DIR,
        env={**os.environ, "CLINIC_DATA_DIR": str(tmp_path / "data")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "stopped twice"
    assert "Traceback" not in result.stderr and "non-zero" not in result.stderr
