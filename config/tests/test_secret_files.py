"""Secrets as files (compose secrets): every setting may be given as <NAME>_FILE;
`make secrets` writes the files compose reads, random, mode 600, never overwritten."""

import stat
import sys

from cryptography.fernet import Fernet
from django.conf import settings

from config.tests.live import REAL, run_django

sys.path.insert(0, str(settings.BASE_DIR / "deploy"))
from make_secrets import MAKERS, make_secrets


def test_production_reads_its_secrets_and_the_database_password_from_files(tmp_path):
    files = {
        name: tmp_path / name.lower() for name in ("SECRET_KEY", "TOKEN_ENCRYPTION_KEYS", "DATABASE_PASSWORD")
    }
    for name, path in files.items():
        path.write_text(REAL.get(name, "s3cret-from-a-file") + "\n")  # as an editor saves it
    env = {**REAL, "SECRET_KEY": None, "TOKEN_ENCRYPTION_KEYS": None}
    env |= {f"{name}_FILE": str(path) for name, path in files.items()}
    code = (
        "from django.conf import settings as s; "
        "print(repr(s.SECRET_KEY), s.TOKEN_ENCRYPTION_KEYS, repr(s.DATABASES['default']['PASSWORD']))"
    )
    result = run_django(env, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"{REAL['SECRET_KEY']!r} ['{REAL['TOKEN_ENCRYPTION_KEYS']}'] 's3cret-from-a-file'"
    )


def test_a_secret_file_holding_the_development_key_is_refused(tmp_path):
    path = tmp_path / "field_keys"
    path.write_text(settings.DEV_FIELD_KEY + "\n")
    result = run_django(
        {**REAL, "FIELD_ENCRYPTION_KEYS": None, "FIELD_ENCRYPTION_KEYS_FILE": str(path)}, "check"
    )
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS must" in result.stderr


def test_make_secrets_writes_every_compose_secret_once_private_and_usable(tmp_path):
    folder = tmp_path / "secrets"
    assert make_secrets(folder) == list(MAKERS)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for name in MAKERS:
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600, name
    for name in ("token_encryption_keys", "field_encryption_keys"):
        Fernet((folder / name).read_text().strip())  # a valid key
    assert len((folder / "secret_key").read_text().strip()) >= 50
    before = (folder / "field_encryption_keys").read_text()
    assert make_secrets(folder) == []  # re-run: nothing replaced
    assert (folder / "field_encryption_keys").read_text() == before
