"""Writes to client records: a patient's sign-up, create, update, archive,
restore, and the audit trail of each (API.md, "Auth", "Clients" and "Audit").
The API and the admin both call these, so a rule lives here once."""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import services as accounts_services
from accounts.audit import record_event
from accounts.models import AuditAction, Role
from clinic.models import Client
from config.changes import apply_changes, changed_fields


def validate_client_changes(*, changes: Mapping[str, Any], client: Client | None = None) -> None:
    """Check what `changes` would set on `client` (None: a new record); raise
    ValidationError naming the fields, never their values. Only fields being
    set are judged, so editing a phone never trips over a doctor who left."""
    errors = {}
    if (doctor := changes.get("assigned_doctor")) is not None and not doctor.is_active_doctor:
        errors["assigned_doctor"] = [_("Must be an active doctor.")]
    if (user := changes.get("user")) is not None:
        if not user.is_patient:
            errors["user"] = [_("Must be a patient's account.")]
        elif Client.objects.filter(user=user).exclude(pk=client.pk if client else None).exists():
            errors["user"] = [_("This account is already linked to another record.")]
    if (born := changes.get("date_of_birth")) is not None and born > timezone.localdate():
        errors["date_of_birth"] = [_("Must not be in the future.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def register_patient(
    *, email: str, username: str, password: str, full_name: str = "", language: str = "", request=None
):
    """A `patient` user (accounts.services.create_user) and their own, new
    Client record (never an existing record found by email), both in
    `language` (else LANGUAGE_CODE)."""
    user = accounts_services.create_user(
        email=email,
        username=username,
        password=password,
        full_name=full_name,
        role=Role.PATIENT,
        language=language,
    )
    record_event(
        action=AuditAction.CREATE,
        actor=user,
        obj=user,
        request=request,
        fields=accounts_services.CREATED_FIELDS,
    )
    first_name, _, last_name = full_name.strip().partition(" ")
    Client.objects.create(
        user=user,
        first_name=first_name[:100],
        last_name=last_name.strip()[:100],
        email=user.email,
        language=user.language,
    )
    return user


def create_client(*, actor, request=None, **fields) -> Client:
    """Create a client record from validated field values and audit it."""
    with transaction.atomic():
        _lock_linked_user(fields)
        validate_client_changes(changes=fields)
        client = Client.objects.create(**fields)
        record_event(action=AuditAction.CREATE, actor=actor, obj=client, request=request, fields=fields)
    return client


def update_client(*, client: Client, changes: Mapping[str, Any], actor, request=None) -> list[str]:
    """Apply `changes` to `client` under a row lock and audit the names of the
    fields that really changed; returns those names (empty: nothing written).
    Only changed columns are written, so a concurrent edit of others stays."""
    with transaction.atomic():
        _lock_linked_user(changes)
        current = Client.objects.select_for_update().get(pk=client.pk)
        changed = changed_fields(current, changes)
        validate_client_changes(changes={name: changes[name] for name in changed}, client=current)
        if apply_changes(current, changes):
            current.save(update_fields=[*changed, "updated_at"])
            record_event(action=AuditAction.UPDATE, actor=actor, obj=current, request=request, fields=changed)
    for field in Client._meta.concrete_fields:
        setattr(client, field.attname, getattr(current, field.attname))
    return changed


def archive_client(*, client: Client, actor, request=None) -> Client:
    """Archive (the API's DELETE): the row stays, restorable in the admin."""
    return _set_archived(client=client, archived=True, actor=actor, request=request)


def restore_client(*, client: Client, actor, request=None) -> Client:
    """Bring an archived record back into lists."""
    return _set_archived(client=client, archived=False, actor=actor, request=request)


def record_client_view(*, client: Client, request) -> None:
    """Every read of one record (API retrieve, admin change form) is a `view` event."""
    record_event(action=AuditAction.VIEW, obj=client, request=request)


def _set_archived(*, client: Client, archived: bool, actor, request) -> Client:
    with transaction.atomic():
        updated = Client.objects.filter(pk=client.pk, is_archived=not archived).update(
            is_archived=archived, updated_at=timezone.now()
        )
        if updated:
            action = AuditAction.DELETE if archived else AuditAction.UPDATE
            record_event(action=action, actor=actor, obj=client, request=request, fields=["is_archived"])
    client.is_archived = archived
    return client


def _lock_linked_user(fields: Mapping[str, Any]) -> None:
    """Serialize linkings of one account, so two records can't both claim it."""
    if (user := fields.get("user")) is not None:
        list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))
