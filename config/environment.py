"""What config/settings.py reads from the environment beyond plain values:
secrets that production must set for real, Fernet key lists, and the storage
that holds the (already encrypted) documents."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.FileAwareEnv()  # <NAME>_FILE: the value is read from that file


def secret(name: str, dev_default: str, *, production: bool) -> str:
    """A secret from the environment; in production it must be set and not the dev value."""
    value = env.str(name, default="").strip()  # a file's trailing newline is not part of it
    if production and (not value or dev_default in value):
        raise ImproperlyConfigured(f"{name} must be set to a real secret when DJANGO_ENV=production")
    return value or dev_default


def key_list(name: str, dev_default: str, *, production: bool) -> list[str]:
    """Comma-separated Fernet keys: the first encrypts, all decrypt."""
    keys = [key.strip() for key in secret(name, dev_default, production=production).split(",") if key.strip()]
    if production and dev_default in keys:
        raise ImproperlyConfigured(f"{name} must not contain the development key in production")
    return keys


def documents_storage(bucket: str, *, media_root: Path) -> dict:
    """`STORAGES["documents"]`: documents are encrypted before they reach it and
    never served by URL (no MEDIA_URL route), only through the audited download.
    With a bucket, django-storages' S3 backend (needs boto3; credentials from the
    usual AWS_* variables or the instance's role, through boto3's own lookup)."""
    if not bucket:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {
                "location": media_root / "documents",
                "file_permissions_mode": 0o600,
                "directory_permissions_mode": 0o700,
            },
        }
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "location": env.str("DOCUMENTS_S3_PREFIX", default="documents"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
