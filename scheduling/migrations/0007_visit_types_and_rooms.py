"""Visit types and rooms; appointments name them and hold their buffers.

Safe on a large, busy appointment table while the previous version serves
(`manage.py upgrade_check`, README "Upgrade"). Nothing here indexes the
table's rows, so the table's lock is held for scans only:
- every new appointment column is nullable or has a database default, so
  adding one rewrites and scans nothing, and the serving version's inserts
  (which do not name them) still work: buffers 0;
- a trigger derives `blocked_from`/`blocked_until` (the doctor's time a visit
  holds: the visit and its buffers) on every insert and update, whoever
  writes, the serving version included;
- the doctor's buffered constraint is added beside the current one, under a
  temporary name and only for rows with `blocked_from`: at this point no row
  has it, so building it scans the table and indexes nothing. 0008 fills the
  existing rows in, a batch per transaction (each row joins the index under
  its own row lock), and 0009 drops the visit-only constraint and gives the
  buffered one its name;
- the room's constraint covers rows with a room only: none yet;
- the new foreign keys have no index here: 0008 builds them concurrently;
- `lock_timeout`: rather fail (and be run again) than queue every request
  behind a long transaction while waiting for the table's lock.
"""

import django.contrib.postgres.constraints
import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

import scheduling.models

HELD_TIME_TRIGGER = """
CREATE FUNCTION scheduling_appointment_held_time() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.blocked_from := NEW.starts_at - make_interval(mins => NEW.buffer_before_minutes);
    NEW.blocked_until := NEW.ends_at + make_interval(mins => NEW.buffer_after_minutes);
    RETURN NEW;
END
$$;
CREATE TRIGGER scheduling_appointment_held_time
    BEFORE INSERT OR UPDATE ON scheduling_appointment
    FOR EACH ROW EXECUTE FUNCTION scheduling_appointment_held_time();
"""
DROP_HELD_TIME_TRIGGER = """
DROP TRIGGER IF EXISTS scheduling_appointment_held_time ON scheduling_appointment;
DROP FUNCTION IF EXISTS scheduling_appointment_held_time();
"""


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
        migrations.RunSQL(HELD_TIME_TRIGGER, reverse_sql=DROP_HELD_TIME_TRIGGER),
        migrations.AddConstraint(
            model_name='appointment',
            constraint=django.contrib.postgres.constraints.ExclusionConstraint(condition=models.Q(models.Q(('status__in', ('cancelled', 'no_show')), _negated=True), ('blocked_from__isnull', False)), expressions=[(scheduling.models.TsTzRange('blocked_from', 'blocked_until'), '&&'), ('doctor', '=')], name='appointment_no_doctor_overlap_held'),
        ),
        migrations.AddConstraint(
            model_name='appointment',
            constraint=django.contrib.postgres.constraints.ExclusionConstraint(condition=models.Q(models.Q(('status__in', ('cancelled', 'no_show')), _negated=True), ('room__isnull', False)), expressions=[(scheduling.models.TsTzRange('starts_at', 'ends_at'), '&&'), ('room', '=')], name='appointment_no_room_overlap'),
        ),
    ]
