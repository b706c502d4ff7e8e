"""The indexes of 0007's foreign keys, partial (only rows that name a type or
a room, so they start empty) and built CONCURRENTLY: writes go on meanwhile.

Raw SQL rather than AddIndexConcurrently: `manage.py upgrade_check` renders
every migration with sqlmigrate, which refuses AddIndexConcurrently inside a
transaction (as its test runs). Each build first drops what a failed earlier
attempt may have left (an INVALID index of the same name)."""

from django.db import migrations, models

INDEXES = {
    "appointment_room_start": '("room_id", "starts_at") WHERE "room_id" IS NOT NULL',
    "appointment_type": '("appointment_type_id") WHERE "appointment_type_id" IS NOT NULL',
}


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
