"""`Idempotency-Key` (API.md, "Idempotent booking"), stored in PostgreSQL.

The key is claimed with `INSERT ... ON CONFLICT DO NOTHING` in the same
transaction that does the work and stores the answer, so a racing repeat
waits on the unique index until the first commits, then replays its answer;
if the first fails with an unexpected error, nothing is stored and the key is
free again. Answers below 500 are stored (a 409 `slot_taken` replays as 409).
"""

import functools
import hashlib
import json
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from config.errors import HANDLED_ERRORS
from scheduling.exceptions import IdempotencyConflict
from scheduling.models import IdempotencyRecord

HEADER = "Idempotency-Key"
TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255


def _fingerprint(request) -> str:
    body = request.data if isinstance(request.data, dict) else {}
    canonical = json.dumps([request.method, request.path.rstrip("/"), body], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _claim(user_id: int, key: str, fingerprint: str) -> bool:
    """Take the key for this transaction; an entry older than the TTL is taken over."""
    table = IdempotencyRecord._meta.db_table
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (user_id, key, request_hash, response_status, response_body, created_at)
            VALUES (%s, %s, %s, 0, '', %s)
            ON CONFLICT (user_id, key) DO UPDATE
               SET request_hash = EXCLUDED.request_hash, response_status = 0,
                   response_body = '', created_at = EXCLUDED.created_at
             WHERE {table}.created_at < %s
            RETURNING id
            """,  # noqa: S608 (the table name is the model's own)
            [user_id, key, fingerprint, now, now - TTL],
        )
        return cursor.fetchone() is not None


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.request_hash != fingerprint:
        raise IdempotencyConflict()
    response = Response(json.loads(record.response_body), status=record.response_status)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(handler):
    """Wrap a viewset method: with the header, the first answer is stored and replayed."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return handler(view, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            raise ValidationError({HEADER: [_("At most %(count)s characters.") % {"count": MAX_KEY_LENGTH}]})
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            if not _claim(request.user.pk, key, fingerprint):
                record = IdempotencyRecord.objects.get(user=request.user, key=key)
                return _replay(record, fingerprint)
            try:
                response = handler(view, request, *args, **kwargs)
            except HANDLED_ERRORS as error:
                response = view.handle_exception(error)
            IdempotencyRecord.objects.filter(user=request.user, key=key).update(
                response_status=response.status_code, response_body=json.dumps(response.data, default=str)
            )
        return response

    return wrapper
