"""The Docker image, replayed without Docker: the Dockerfile's environment,
a fresh folder holding what `COPY . .` takes (minus `.dockerignore`), its
build steps, then the start steps (`migrate` on a fresh database,
`check --deploy`, gunicorn answering `/health/live`). `pip install` is not
replayed (the virtualenv stands in for it); the test checks what it installs.
"""

import fnmatch
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from cryptography.fernet import Fernet
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
VENV_BIN = Path(sys.executable).parent
MUST_IGNORE = [
    ".env",
    ".venv/bin/python",
    ".data/postgres/PG_VERSION",
    ".git/HEAD",
    "node_modules/left-pad/index.js",
    "e2e/node_modules/x.js",
    "clients/typescript/node_modules/x.js",
    "test-artifacts/report.html",
    "accounts/__pycache__/models.cpython-311.pyc",
]
MUST_KEEP = [".env.example", "manage.py", "config/settings.py", "requirements.txt", "constraints.txt"]


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    return [
        (word.upper(), rest.strip())
        for word, _, rest in (line.strip().partition(" ") for line in joined.splitlines())
        if word
    ]


def dockerfile_env() -> dict[str, str]:
    env = {}
    for instruction, args in dockerfile_instructions():
        if instruction == "ENV":
            env.update(item.split("=", 1) for item in shlex.split(args))
    return env


def dockerignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip().rstrip("/") for line in lines if line.strip() and not line.startswith("#")]


def is_ignored(relative: str, patterns: list[str]) -> bool:
    """Docker's rule: the last matching pattern wins; a pattern matches a path or any of its folders."""
    parts = relative.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    ignored = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        pattern = pattern.lstrip("!")
        candidates = [pattern, pattern.removeprefix("**/")] if pattern.startswith("**/") else [pattern]
        for prefix in prefixes:
            suffixes = ["/".join(prefix.split("/")[n:]) for n in range(prefix.count("/") + 1)]
            if any(
                fnmatch.fnmatchcase(prefix, candidate)
                or (pattern.startswith("**/") and any(fnmatch.fnmatchcase(s, candidate) for s in suffixes))
                for candidate in candidates
            ):
                ignored = not negated
                break
    return ignored


def copy_build_context(destination: Path) -> None:
    """What `COPY . .` puts in the image."""
    patterns = dockerignore_patterns()
    for folder, dirs, files in os.walk(ROOT):
        relative_folder = Path(folder).relative_to(ROOT)
        dirs[:] = [d for d in dirs if not is_ignored(str(relative_folder / d), patterns)]
        for name in files:
            relative = relative_folder / name
            if is_ignored(str(relative), patterns) or (ROOT / relative).is_symlink():
                continue
            (destination / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / relative, destination / relative)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def fresh_database():
    """A throwaway database on the test PostgreSQL, dropped afterwards."""
    url = urlsplit(os.environ["DATABASE_URL"])
    name = f"image_replay_{uuid.uuid4().hex[:12]}"
    admin_url = urlunsplit(url._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield urlunsplit(url._replace(path=f"/{name}"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_dockerignore_keeps_secrets_state_and_history_out_of_the_image():
    patterns = dockerignore_patterns()
    leaked = [path for path in MUST_IGNORE if not is_ignored(path, patterns)]
    dropped = [path for path in MUST_KEEP if is_ignored(path, patterns)]
    assert (leaked, dropped) == ([], [])


def test_dockerfile_installs_the_pinned_requirements_with_the_constraints():
    installs = [
        args for instruction, args in dockerfile_instructions() if instruction == "RUN" and "pip " in args
    ]
    assert len(installs) == 1
    words = shlex.split(installs[0])
    assert words[words.index("-r") + 1] == "requirements.txt"
    assert words[words.index("-c") + 1] == "constraints.txt"


def test_the_image_builds_and_starts(tmp_path, fresh_database):
    workdir = next(args for instruction, args in dockerfile_instructions() if instruction == "WORKDIR")
    app = tmp_path / workdir.strip("/")
    app.mkdir(parents=True)

    def here(value: str) -> str:
        """The image's absolute paths, moved under the fresh folder."""
        return str(tmp_path / value.lstrip("/")) if value.startswith("/") else value

    image_env = {name: here(value) for name, value in dockerfile_env().items()}
    base = {"PATH": f"{VENV_BIN}:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8", **image_env}

    copied = False
    for instruction, args in dockerfile_instructions():
        if instruction == "COPY" and args == ". .":
            copy_build_context(app)
            copied = True
        elif instruction == "RUN" and copied:
            command = args.replace(workdir, str(app))
            build = subprocess.run(
                ["/bin/sh", "-c", command], cwd=app, env=base, capture_output=True, text=True, timeout=120
            )
            assert build.returncode == 0, f"RUN {args}\n{build.stderr[-3000:]}"
    assert copied
    assert not (app / ".env").exists() and not (app / ".git").exists() and not (app / ".data").exists()
    assert (Path(image_env["STATIC_ROOT"]) / "staticfiles.json").exists()

    runtime = {
        **base,
        "DJANGO_ENV": "production",
        "DATABASE_URL": fresh_database,
        "REDIS_URL": os.environ["REDIS_URL"],
        "SECRET_KEY": Fernet.generate_key().decode() + Fernet.generate_key().decode(),
        "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "clinic.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://clinic.example.org",
        "CORS_ALLOWED_ORIGINS": "https://app.clinic.example.org",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    }
    for step in (
        ["python", "manage.py", "migrate", "--noinput"],
        ["python", "manage.py", "check", "--deploy", "--database", "default", "--fail-level", "WARNING"],
    ):
        result = subprocess.run(step, cwd=app, env=runtime, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{' '.join(step)}\n{result.stderr[-3000:]}"

    cmd = next(args for instruction, args in dockerfile_instructions() if instruction == "CMD")
    port = free_port()
    server = subprocess.Popen(
        json.loads(cmd),  # exec form: a JSON list
        cwd=app,
        env={**runtime, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert answer(f"http://127.0.0.1:{port}/health/live", server) == (200, b'{"status": "ok"}')
        assert answer(f"http://127.0.0.1:{port}/health/ready", server) == (200, b'{"status": "ok"}')
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert "Traceback" not in errors, errors[-3000:]


def answer(url: str, server: subprocess.Popen) -> tuple[int, bytes]:
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read()[-3000:]
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (local http)
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer")
