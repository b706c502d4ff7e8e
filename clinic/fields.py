"""A text field stored encrypted with FIELD_ENCRYPTION_KEYS (MultiFernet).

The column holds the Fernet token, never the plaintext; reads decrypt. A row
written under an older key still reads while that key is in the list;
`manage.py rotate_field_keys` re-encrypts rows under the newest key.
"""

from django.db import models

from config.crypto import field_fernet


class EncryptedTextField(models.TextField):
    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return field_fernet().decrypt(value.encode()).decode()

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
