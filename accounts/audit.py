"""The one way to write the audit trail (API.md, "Audit")."""

from collections.abc import Iterable

from django.db import models

from accounts.models import AuditAction, AuditEvent
from config.client_ip import client_ip


def record_event(
    *,
    action: AuditAction,
    actor=None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id="",
    request=None,
    fields: Iterable[str] = (),
) -> AuditEvent:
    """Record one event. Pass `obj` (its model name and pk are used) or
    `object_type`/`object_id`; `fields` are names, never values."""
    if obj is not None:
        object_type = obj._meta.model_name
        object_id = obj.pk
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id="" if object_id is None else str(object_id),
        ip=(client_ip(request) or None) if request is not None else None,
        request_id=getattr(request, "request_id", "") if request is not None else "",
        fields=sorted(fields),
    )
