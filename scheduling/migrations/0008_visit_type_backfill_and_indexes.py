"""Outside a transaction, so nothing holds the appointment table's lock:
- every existing visit gets its held time (its own range: buffers 0), a
  batch of rows per transaction; each row joins 0007's buffered constraint
  under its own row lock. Visits written meanwhile get theirs from 0007's
  trigger;
- the indexes of 0007's foreign keys, partial (rows that name a type or a
  room: none yet) and built CONCURRENTLY, each first dropping what a failed
  earlier attempt may have left (an INVALID index of the same name). Raw SQL
  rather than AddIndexConcurrently: `manage.py upgrade_check` renders every
  migration with sqlmigrate, which refuses AddIndexConcurrently inside a
  transaction (as its test runs)."""

from django.db import migrations, models

BATCH_ROWS = 5000
INDEXES = {
    "appointment_room_start": '("room_id", "starts_at") WHERE "room_id" IS NOT NULL',
    "appointment_type": '("appointment_type_id") WHERE "appointment_type_id" IS NOT NULL',
}


def fill_held_time(apps, schema_editor):
    """Autocommit: each UPDATE is its own short transaction."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM scheduling_appointment WHERE blocked_from IS NULL")
        low, high = cursor.fetchone()
        if low is None:
            return
        for start in range(low, high + 1, BATCH_ROWS):
            cursor.execute(
                "UPDATE scheduling_appointment"
                " SET blocked_from = starts_at - make_interval(mins => buffer_before_minutes),"
                " blocked_until = ends_at + make_interval(mins => buffer_after_minutes)"
                " WHERE id >= %s AND id < %s AND blocked_from IS NULL",
                [start, start + BATCH_ROWS],
            )


def build(name: str, columns: str) -> migrations.RunSQL:
    return migrations.RunSQL(
        sql=[
            f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"',
            f'CREATE INDEX CONCURRENTLY "{name}" ON "scheduling_appointment" {columns}',
        ],
        reverse_sql=f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"',
    )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('scheduling', '0007_visit_types_and_rooms'),
    ]

    operations = [
        migrations.RunPython(fill_held_time, migrations.RunPython.noop),
        migrations.SeparateDatabaseAndState(
            database_operations=[build(name, columns) for name, columns in INDEXES.items()],
            state_operations=[
                migrations.AddIndex(
                    model_name='appointment',
                    index=models.Index(condition=models.Q(('room__isnull', False)), fields=['room', 'starts_at'], name='appointment_room_start'),
                ),
                migrations.AddIndex(
                    model_name='appointment',
                    index=models.Index(condition=models.Q(('appointment_type__isnull', False)), fields=['appointment_type'], name='appointment_type'),
                ),
            ],
        ),
    ]
