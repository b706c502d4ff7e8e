"""The buffered constraint becomes the doctor's only one, under the name the
code (this version's and the previous one's) maps to 409 `slot_taken`: the
visit-only constraint is dropped and 0007's takes its name. Both are catalog
changes (instant); any row 0008 did not reach is filled in first, outside the
table's lock (the UPDATE takes row locks). From here on every active visit,
whoever wrote it, is in the buffered constraint: the trigger gives it held
time, buffers 0 when the writer named none."""

import django.contrib.postgres.constraints
from django.db import migrations, models

import scheduling.models

TABLE = "scheduling_appointment"
FILL_MISSING = f"""
UPDATE {TABLE}
   SET blocked_from = starts_at - make_interval(mins => buffer_before_minutes),
       blocked_until = ends_at + make_interval(mins => buffer_after_minutes)
 WHERE blocked_from IS NULL
"""
SWAP = [
    f"ALTER TABLE {TABLE} DROP CONSTRAINT appointment_no_doctor_overlap",
    f"ALTER TABLE {TABLE} RENAME CONSTRAINT appointment_no_doctor_overlap_held TO appointment_no_doctor_overlap",
]
SWAP_BACK = [
    f"ALTER TABLE {TABLE} RENAME CONSTRAINT appointment_no_doctor_overlap TO appointment_no_doctor_overlap_held",
    f"ALTER TABLE {TABLE} ADD CONSTRAINT appointment_no_doctor_overlap EXCLUDE USING gist"
    " ((tstzrange(starts_at, ends_at, '[)')) WITH &&, doctor_id WITH =)"
    " WHERE (NOT (status IN ('cancelled', 'no_show')))",
]
BLOCKS_SLOT = models.Q(('status__in', ('cancelled', 'no_show')), _negated=True)


class Migration(migrations.Migration):

    dependencies = [
        ('scheduling', '0008_visit_type_backfill_and_indexes'),
    ]

    operations = [
        migrations.RunSQL(FILL_MISSING, reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL("SET LOCAL lock_timeout = '10s'", reverse_sql=migrations.RunSQL.noop),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(SWAP, reverse_sql=SWAP_BACK)],
            state_operations=[
                migrations.RemoveConstraint(model_name='appointment', name='appointment_no_doctor_overlap'),
                migrations.RemoveConstraint(model_name='appointment', name='appointment_no_doctor_overlap_held'),
                migrations.AddConstraint(
                    model_name='appointment',
                    constraint=django.contrib.postgres.constraints.ExclusionConstraint(condition=models.Q(BLOCKS_SLOT, ('blocked_from__isnull', False)), expressions=[(scheduling.models.TsTzRange('blocked_from', 'blocked_until'), '&&'), ('doctor', '=')], name='appointment_no_doctor_overlap'),
                ),
            ],
        ),
    ]
