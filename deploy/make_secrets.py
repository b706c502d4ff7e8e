"""`make secrets`: the files docker-compose.yml hands to the containers as
secrets, under ./secrets/ (git- and docker-ignored), each random, mode 600.
A file that exists is never overwritten: the field keys decrypt the records,
so a new one would make every record unreadable. Back these files up apart
from the database (README, "Operations runbook")."""

import secrets
import sys
from pathlib import Path

from cryptography.fernet import Fernet

MAKERS = {
    "postgres_password": lambda: secrets.token_urlsafe(32),
    "secret_key": lambda: secrets.token_urlsafe(50),
    "token_encryption_keys": lambda: Fernet.generate_key().decode(),
    "field_encryption_keys": lambda: Fernet.generate_key().decode(),
    "metrics_token": lambda: secrets.token_urlsafe(32),
    "email_host_password": lambda: "",  # put the SMTP password here if the server needs one
    "grafana_admin_password": lambda: secrets.token_urlsafe(24),
    "postgres_replication_password": lambda: secrets.token_urlsafe(32),  # the scale profile's replica
}


def make_secrets(folder: Path) -> list[str]:
    """Create the missing secret files; returns the names created."""
    folder.mkdir(mode=0o700, exist_ok=True)
    created = []
    for name, make in MAKERS.items():
        path = folder / name
        if path.exists():
            continue
        path.touch(mode=0o600)
        path.write_text(make() + "\n")
        created.append(name)
    return created


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "secrets")
    made = make_secrets(target)
    print(f"{target}/: created {', '.join(made) if made else 'nothing (every file exists)'}")
