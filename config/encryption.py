"""A text field stored encrypted with FIELD_ENCRYPTION_KEYS (MultiFernet), used
by every app's models (so it lives at the bottom, in config).

The column holds the Fernet token, never the plaintext; reads decrypt. A row
written under an older key still reads while that key is in the list;
`manage.py rotate_field_keys` re-encrypts rows under the newest key.
"""

import logging

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _

from config.crypto import InvalidToken, field_fernet
from config.exceptions import DomainError

logger = logging.getLogger(__name__)


class UndecryptableValue(DomainError):
    """A stored value no key in FIELD_ENCRYPTION_KEYS opens: the key that wrote
    it was dropped too early (`check --database default` names the column)."""

    status_code = 500
    default_detail = _("A stored value cannot be decrypted: an encryption key is missing.")
    default_code = "key_missing"


class EncryptedTextField(models.TextField):
    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        try:
            return field_fernet().decrypt(value.encode()).decode()
        except InvalidToken:
            column = f"{self.model._meta.db_table}.{self.column}"
            logger.error("undecryptable value: its key is missing", extra={"column": column})
            raise UndecryptableValue from None

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return None
        return field_fernet().encrypt(str(value).encode()).decode()

    def get_lookup(self, lookup_name):
        # Ciphertext is randomised: only "is null" can mean anything.
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


def encrypted_model_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Each concrete model with `EncryptedTextField` columns, and those columns' names."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        names = [f.name for f in model._meta.local_concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found
