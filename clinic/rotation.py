"""Re-encryption under the newest FIELD_ENCRYPTION_KEYS key (`rotate_field_keys`).

Rotation is a list of steps, one per kind of data encrypted with the field
keys: every model column that is an `EncryptedTextField` today; another kind
(documents' stored files) joins by adding its step to `rotation_steps()`.
Each step works in batches, each batch in its own transaction with its rows
locked (`SELECT ... FOR UPDATE`, waiting for concurrent editors rather than
skipping them), and leaves alone what the newest key already reads, so the
command can be stopped and run again at any time.
"""

from collections.abc import Callable
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models, transaction
from django.db.models.functions import Cast

from config.crypto import field_fernet
from config.encryption import encrypted_model_fields


@dataclass(frozen=True)
class RotationResult:
    rotated: int = 0
    current: int = 0  # already under the newest key

    def __add__(self, other: "RotationResult") -> "RotationResult":
        return RotationResult(self.rotated + other.rotated, self.current + other.current)


@dataclass(frozen=True)
class RotationStep:
    name: str
    run: Callable[[int], RotationResult]  # batch size -> counts


class UnreadableValue(Exception):
    """A stored value that no key in FIELD_ENCRYPTION_KEYS decrypts."""


def rotation_steps() -> list[RotationStep]:
    """Every kind of data under the field keys, in the order they are rotated."""
    from clinic.documents.services import rotate_document_keys

    columns = [
        RotationStep(
            name=model._meta.label,
            run=lambda batch_size, model=model, names=names: rotate_model_fields(
                model, names, batch_size=batch_size
            ),
        )
        for model, names in encrypted_model_fields()
    ]
    files = RotationStep(
        name="clinic.Document files",
        run=lambda batch_size: RotationResult(rotated=rotate_document_keys(batch_size=batch_size)),
    )
    return [*columns, files]


def rotate_model_fields(model: type[models.Model], names: list[str], *, batch_size: int) -> RotationResult:
    """Re-encrypt `names` of every row of `model`, `batch_size` rows per transaction."""
    total = RotationResult()
    last_pk = None
    while True:
        result, last_pk = _rotate_batch(model, names, after_pk=last_pk, batch_size=batch_size)
        total += result
        if last_pk is None:
            return total


def _rotate_batch(model, names, *, after_pk, batch_size) -> tuple[RotationResult, object]:
    newest = Fernet(settings.FIELD_ENCRYPTION_KEYS[0])
    raw = {f"raw_{name}": Cast(name, output_field=models.TextField()) for name in names}
    rows = model._base_manager.order_by("pk")
    if after_pk is not None:
        rows = rows.filter(pk__gt=after_pk)
    rotated = current = 0
    with transaction.atomic():
        batch = list(rows.select_for_update().annotate(**raw).values("pk", *raw)[:batch_size])
        for row in batch:
            stale = {name: row[f"raw_{name}"] for name in names if _is_stale(row[f"raw_{name}"], newest)}
            if not stale:
                current += 1
                continue
            values = {name: _decrypt(token, model, row["pk"]) for name, token in stale.items()}
            # The field's get_prep_value encrypts with the newest key.
            model._base_manager.filter(pk=row["pk"]).update(**values)
            rotated += 1
    last = batch[-1]["pk"] if len(batch) == batch_size else None
    return RotationResult(rotated, current), last


def _is_stale(token: str | None, newest: Fernet) -> bool:
    if not token:
        return False
    try:
        newest.decrypt(token.encode())
    except InvalidToken:
        return True
    return False


def _decrypt(token: str, model, pk) -> str:
    try:
        return field_fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise UnreadableValue(f"id={pk}: no key in FIELD_ENCRYPTION_KEYS decrypts it") from None
