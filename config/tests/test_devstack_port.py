"""`make run` on a port that is already taken stops at once with one line
saying so, before any embedded server starts."""

import os
import socket
import subprocess
import sys

from config.embedded import BASE_DIR


def test_taken_port_is_one_line_and_nothing_starts(tmp_path):
    data_dir = tmp_path / "data"
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        env.update(PORT=str(port), CLINIC_DATA_DIR=str(data_dir))
        run = subprocess.run(
            [sys.executable, "-m", "config.devstack"],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )

    assert run.returncode == 1
    assert run.stderr.splitlines() == [
        f"make run: port {port} is already in use; choose another, e.g. PORT={port + 1} make run"
    ]
    assert run.stdout == ""
    assert not data_dir.exists()  # no embedded PostgreSQL or Redis was started (they live there)
