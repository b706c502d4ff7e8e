"""The series' visits, in order: a partial index (rows that name a series:
none yet when it is first built), CONCURRENTLY and outside a transaction, so
the appointment table is never locked for it; a failed earlier attempt's
INVALID index is dropped first. Raw SQL rather than AddIndexConcurrently, for
the reason 0008 gives."""

from django.db import migrations, models

NAME = "appointment_series"


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('scheduling', '0011_appointment_series'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql=[
                        f'DROP INDEX CONCURRENTLY IF EXISTS "{NAME}"',
                        f'CREATE INDEX CONCURRENTLY "{NAME}" ON "scheduling_appointment" ("series_id", "starts_at")'
                        ' WHERE "series_id" IS NOT NULL',
                    ],
                    reverse_sql=f'DROP INDEX CONCURRENTLY IF EXISTS "{NAME}"',
                ),
            ],
            state_operations=[
                migrations.AddIndex(
                    model_name='appointment',
                    index=models.Index(condition=models.Q(('series__isnull', False)), fields=['series', 'starts_at'], name=NAME),
                ),
            ],
        ),
    ]
