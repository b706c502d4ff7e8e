"""Versioned caching of appointment list pages and availability.

Every write that can change what they show replaces a version token (after
its transaction commits, so no reader caches pre-commit data under the new
version); keys embed the current token, so old entries are simply never read
again. Availability depends on the doctor's version and, when asked with a
room, on the room's too (another doctor's visit can take the room); its key
holds the duration and buffers asked with, not the visit type's id, so an
edited type is simply asked for under another key and needs no bump. Keys
hold ids, numbers and hashes only; list pages (reasons, notes) are
encrypted with the field keys before they reach Redis. With Redis down every
call here is a miss or a no-op (django-redis IGNORE_EXCEPTIONS), never an error.
"""

import hashlib
import logging
import uuid

from django.core.cache import cache
from django.db import transaction

from config import replicas
from config.crypto import InvalidToken, field_fernet

logger = logging.getLogger(__name__)

LIST_TTL_SECONDS = 60
AVAILABILITY_TTL_SECONDS = 300
VERSION_TTL_SECONDS = 24 * 3600
APPOINTMENTS_VERSION = "sched:v:appointments"


def _doctor_version_key(doctor_id) -> str:
    return f"sched:v:doctor:{doctor_id}"


def _room_version_key(room_id) -> str:
    return f"sched:v:room:{room_id}"


def _version(key: str) -> str:
    value = cache.get(key)
    if value is None:
        value = uuid.uuid4().hex
        if not cache.add(key, value, VERSION_TTL_SECONDS):
            value = cache.get(key) or value
    return value


def _bump(*keys: str) -> None:
    cache.set_many({key: uuid.uuid4().hex for key in keys}, VERSION_TTL_SECONDS)


def invalidate_appointments(*doctor_ids, room_ids=()) -> None:
    """After commit: list pages of everyone, availability of these doctors and rooms."""
    keys = [
        APPOINTMENTS_VERSION,
        *(_doctor_version_key(d) for d in set(doctor_ids) if d),
        *(_room_version_key(r) for r in set(room_ids) if r),
    ]
    transaction.on_commit(lambda: _bump(*keys))


def invalidate_availability(doctor_id) -> None:
    transaction.on_commit(lambda: _bump(_doctor_version_key(doctor_id)))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _get_versioned(version_keys: list[str], key: str):
    """(value, version): the value if it was stored under the current versions,
    read with them in one round trip. After a miss, store the new value under
    this version: read before the value was computed, it can't hide a write
    made meanwhile (that write's bump makes the stored value stale)."""
    found = cache.get_many([*version_keys, key])
    version = ":".join(found.get(name) or _version(name) for name in version_keys)
    stored = found.get(key)
    if not isinstance(stored, tuple) or stored[0] != version:
        replicas.use_primary()  # the value computed next is cached: never from a lagging replica
        return None, version
    return stored[1], version


def list_page_key(user, full_url: str) -> str:
    return f"sched:list:{user.pk}:{user.role}:{_digest(full_url)}"


def get_list_page(key: str) -> tuple[bytes | None, str]:
    """The page's JSON (decrypted) if cached under the current version, and that version."""
    token, version = _get_versioned([APPOINTMENTS_VERSION], key)
    if token is None:
        return None, version
    try:
        return field_fernet().decrypt(token), version
    except InvalidToken:
        logger.warning("unreadable cached appointment page ignored")
        return None, version


def set_list_page(key: str, version: str, page: bytes) -> None:
    cache.set(key, (version, field_fernet().encrypt(page)), LIST_TTL_SECONDS)


def availability_key(doctor_id, day, duration, *, buffers=(0, 0), room_id=None) -> str:
    before, after = buffers
    return f"sched:avail:{doctor_id}:{day.isoformat()}:{duration}:{before}:{after}:{room_id or '-'}"


def get_availability(doctor_id, key: str, *, room_id=None) -> tuple[list | None, str]:
    versions = [_doctor_version_key(doctor_id), *([_room_version_key(room_id)] if room_id else [])]
    return _get_versioned(versions, key)


def set_availability(key: str, version: str, slots) -> None:
    cache.set(key, (version, slots), AVAILABILITY_TTL_SECONDS)
