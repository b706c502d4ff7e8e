"""The user behind a token, from Redis for a short while (DESIGN.md, "Caching").

The cached value is encrypted with the field keys (names and emails are
personal data) and never holds the password hash: the instance is rebuilt
with `password` deferred, so saving it cannot overwrite the hash. Any save or
delete of a user forgets the entry; Redis being down only means a database
read (the cache is configured to ignore its errors).
"""

import json

from django.core.cache import cache
from django.db import transaction
from django.utils.dateparse import parse_datetime

from accounts.models import User
from config.crypto import InvalidToken, field_fernet

TTL_SECONDS = 60
VERSION = 3  # bump when the cached shape changes
_KEY = "auth:user:v{version}:{user_id}"
_FIELDS = [f.attname for f in User._meta.concrete_fields if f.attname not in {"password"}]
_DATETIMES = {f.attname for f in User._meta.concrete_fields if f.get_internal_type() == "DateTimeField"}


def user_key(user_id) -> str:
    return _KEY.format(version=VERSION, user_id=int(user_id))


def load(raw) -> User | None:
    """A User from a cached value, or None when there is none or it is unreadable."""
    if not raw:
        return None
    try:
        values = json.loads(field_fernet().decrypt(raw))
        row = [_from_json(name, values[name]) for name in _FIELDS]
    except (InvalidToken, KeyError, ValueError, TypeError):  # unreadable: read the database
        return None
    return User.from_db("default", _FIELDS, row)


def _from_json(name: str, value):
    return parse_datetime(value) if name in _DATETIMES and value else value


def remember(user: User) -> None:
    values = {name: getattr(user, name) for name in _FIELDS}
    for name in _DATETIMES:
        if values[name] is not None:
            values[name] = values[name].isoformat()
    cache.set(user_key(user.pk), field_fernet().encrypt(json.dumps(values).encode()), TTL_SECONDS)


def forget(user_id) -> None:
    """Drop the entry now and again after the commit, so a request racing the
    write cannot leave the old row cached."""
    key = user_key(user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def get_user(user_id, cached_raw=None) -> User | None:
    """The user with this id: the cached copy when `cached_raw` holds one, else
    the database (and the cache filled). None when there is no such user."""
    user = load(cached_raw)
    if user is not None:
        return user
    user = User.objects.filter(pk=user_id).first()
    if user is not None:
        remember(user)
    return user
