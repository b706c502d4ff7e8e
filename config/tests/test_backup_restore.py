"""A backup restored into a fresh database and documents folder reads back
through the API: a client's history and a document (config/backup.py)."""

import os
import subprocess
import sys
import uuid
from contextlib import contextmanager

import psycopg
import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from accounts import tokens
from clinic.tests.document_support import TEXT, make_document
from config.tests.live import child_database_url, gunicorn, http_get

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def fresh_database():
    """An empty database beside the test one; yields its URL."""
    name = f"restore_{uuid.uuid4().hex[:8]}"
    url = child_database_url().replace(f"/{connection.settings_dict['NAME']}", f"/{name}", 1)
    admin_url = child_database_url().replace(f"/{connection.settings_dict['NAME']}", "/postgres", 1)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(*args: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_restored_backup_serves_the_history_and_the_document(world, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media" / "documents"},
        },
    }
    world.client.medical_history = "Penicillin allergy since 2019"
    world.client.save()
    document = make_document(world, content=TEXT, name="lab.txt")
    call_command("backup", output=str(tmp_path / "backups"), keep=2)
    [folder] = (tmp_path / "backups").iterdir()
    assert {path.name for path in folder.iterdir()} == {"database.dump", "documents.tar.gz", "manifest.json"}
    with fresh_database() as url:
        env = {"DATABASE_URL": url, "MEDIA_ROOT": str(tmp_path / "restored-media")}
        restored = manage("restore", str(folder), **env)
        assert restored.returncode == 0, restored.stderr
        assert "restore: done; the keys open the restored records" in restored.stdout
        token = {"Authorization": f"Bearer {tokens.access_for(world.admin)}"}
        with gunicorn(**env, PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus")) as base:
            status, body = http_get(f"{base}/api/v1/clients/{world.client.pk}", token)
            assert status == 200 and "Penicillin allergy since 2019" in body
            path = f"/api/v1/clients/{world.client.pk}/documents/{document.pk}/download"
            status, body = http_get(f"{base}{path}", token)
            assert status == 200 and body.encode() == TEXT


def test_a_restore_without_the_field_keys_says_so(world, settings, tmp_path):
    world.client.medical_history = "Asthma"
    world.client.save()
    call_command("backup", output=str(tmp_path / "backups"))
    [folder] = (tmp_path / "backups").iterdir()
    other_key = Fernet.generate_key().decode()  # not the key the records were sealed with
    with fresh_database() as url:
        env = {"DATABASE_URL": url, "MEDIA_ROOT": str(tmp_path / "m"), "FIELD_ENCRYPTION_KEYS": other_key}
        restored = manage("restore", str(folder), **env)
    assert restored.returncode == 1
    assert "restored, but the field keys do not open the records: restore the keys too" in restored.stderr
    assert "Asthma" not in restored.stdout + restored.stderr


def test_backup_keeps_only_the_newest(world, tmp_path):
    for name in ("clinic-20260101T000000Z", "clinic-20260102T000000Z"):
        (tmp_path / name).mkdir()
    call_command("backup", output=str(tmp_path), keep=2)
    names = sorted(path.name for path in tmp_path.iterdir())
    assert len(names) == 2 and names[0] == "clinic-20260102T000000Z"
