"""Appointment.reason is PHI: stored encrypted with FIELD_ENCRYPTION_KEYS, like
the notes. Existing rows are encrypted in batches; migrating back decrypts them
(while a key in FIELD_ENCRYPTION_KEYS still reads them)."""

from django.db import migrations

import config.encryption
from config.crypto import field_fernet

BATCH = 1000
SELECT = "SELECT id, reason FROM scheduling_appointment WHERE id > %s ORDER BY id LIMIT %s"
UPDATE = "UPDATE scheduling_appointment SET reason = %s WHERE id = %s"


def rewrite_reasons(schema_editor, convert) -> None:
    """Replace every stored reason by `convert(reason)`, BATCH rows at a time."""
    with schema_editor.connection.cursor() as cursor:
        last_id = 0
        while True:
            cursor.execute(SELECT, [last_id, BATCH])
            rows = cursor.fetchall()
            if not rows:
                return
            cursor.executemany(UPDATE, [(convert(reason), pk) for pk, reason in rows])
            last_id = rows[-1][0]


def encrypt_reasons(apps, schema_editor):
    fernet = field_fernet()
    rewrite_reasons(schema_editor, lambda plain: fernet.encrypt(plain.encode()).decode())


def decrypt_reasons(apps, schema_editor):
    fernet = field_fernet()
    rewrite_reasons(schema_editor, lambda token: fernet.decrypt(token.encode()).decode())


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0004_list_order_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="appointment",
            name="reason",
            field=config.encryption.EncryptedTextField(blank=True, default="", max_length=500),
        ),
        migrations.RunPython(encrypt_reasons, decrypt_reasons, elidable=False),
    ]
