"""Visit types and rooms; appointments name them and hold their buffers.

Safe on a large, busy appointment table (`manage.py upgrade_check`):
- every new appointment column is nullable or has a database default, so
  adding it rewrites and scans nothing, and the serving version's inserts
  (which do not name them) still work: buffers 0, `blocked_*` null;
- the doctor's constraint is rebuilt over COALESCE(blocked_*, starts_at/ends_at):
  rows written before, or by the old version during the deploy, keep their
  visit's range (buffers 0), so no backfill is needed. Its name stays, so the
  old version still maps a violation to 409 `slot_taken`;
- an exclusion constraint cannot be built CONCURRENTLY: the rebuild holds the
  table's lock for the GiST build (seconds per million rows) inside this one
  transaction, so no moment is unprotected. `lock_timeout` makes the
  migration fail (and be retried) rather than queue every request behind a
  long transaction while it waits for that lock;
- the new foreign keys have no index here; 0008 builds them concurrently.
"""

import django.contrib.postgres.constraints
import django.core.validators
import django.db.models.deletion
import django.db.models.functions.comparison
from django.db import migrations, models

import scheduling.models


class Migration(migrations.Migration):

    dependencies = [
        ('scheduling', '0006_appointment_cancel_reason'),
    ]

    operations = [
        migrations.RunSQL("SET LOCAL lock_timeout = '10s'", reverse_sql=migrations.RunSQL.noop),
        migrations.CreateModel(
            name='AppointmentType',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, unique=True)),
                ('duration_minutes', models.PositiveIntegerField(default=30, validators=[django.core.validators.MinValueValidator(5), django.core.validators.MaxValueValidator(480)])),
                ('buffer_before_minutes', models.PositiveIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(120)])),
                ('buffer_after_minutes', models.PositiveIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(120)])),
                ('color', models.CharField(default='#4a90d9', help_text='#RRGGBB', max_length=7, validators=[django.core.validators.RegexValidator('^#[0-9a-fA-F]{6}$', 'Enter a colour as #RRGGBB.')])),
                ('patient_bookable', models.BooleanField(default=True)),
                ('requires_room', models.BooleanField(default=False)),
                ('active', models.BooleanField(default=True)),
            ],
            options={
                'ordering': ['name', 'id'],
                'constraints': [
                    models.CheckConstraint(condition=models.Q(('duration_minutes__gte', 5), ('duration_minutes__lte', 480)), name='appointment_type_duration_5_to_480'),
                    models.CheckConstraint(condition=models.Q(('buffer_after_minutes__lte', 120), ('buffer_before_minutes__lte', 120)), name='appointment_type_buffers_0_to_120'),
                ],
            },
        ),
        migrations.CreateModel(
            name='Room',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, unique=True)),
                ('active', models.BooleanField(default=True)),
            ],
            options={
                'ordering': ['name', 'id'],
            },
        ),
        migrations.AddField(
            model_name='appointment',
            name='blocked_from',
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name='appointment',
            name='blocked_until',
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name='appointment',
            name='buffer_after_minutes',
            field=models.SmallIntegerField(db_default=0, default=0, editable=False),
        ),
        migrations.AddField(
            model_name='appointment',
            name='buffer_before_minutes',
            field=models.SmallIntegerField(db_default=0, default=0, editable=False),
        ),
        migrations.AddField(
            model_name='appointment',
            name='appointment_type',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='appointments', to='scheduling.appointmenttype', verbose_name='visit type'),
        ),
        migrations.AddField(
            model_name='appointment',
            name='room',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='appointments', to='scheduling.room'),
        ),
        migrations.RemoveConstraint(
            model_name='appointment',
            name='appointment_no_doctor_overlap',
        ),
        migrations.AddConstraint(
            model_name='appointment',
            constraint=django.contrib.postgres.constraints.ExclusionConstraint(condition=models.Q(('status__in', ('cancelled', 'no_show')), _negated=True), expressions=[(scheduling.models.TsTzRange(django.db.models.functions.comparison.Coalesce('blocked_from', 'starts_at'), django.db.models.functions.comparison.Coalesce('blocked_until', 'ends_at')), '&&'), ('doctor', '=')], name='appointment_no_doctor_overlap'),
        ),
        migrations.AddConstraint(
            model_name='appointment',
            constraint=django.contrib.postgres.constraints.ExclusionConstraint(condition=models.Q(models.Q(('status__in', ('cancelled', 'no_show')), _negated=True), ('room__isnull', False)), expressions=[(scheduling.models.TsTzRange('starts_at', 'ends_at'), '&&'), ('room', '=')], name='appointment_no_room_overlap'),
        ),
    ]
