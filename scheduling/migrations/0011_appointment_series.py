"""Recurring series: a new table, and the appointment's nullable `series`.

Safe while the previous version serves (`manage.py upgrade_check`): the new
column is nullable, so adding it rewrites nothing and the serving version's
inserts (which do not name it) still work; its foreign key is checked
against rows that are all null (a scan, no index). The index is built
concurrently by 0012. `lock_timeout`: rather fail (and be run again) than
queue every request behind a long transaction while waiting for the lock."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clinic', '0005_languages'),
        ('scheduling', '0010_languages'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunSQL("SET LOCAL lock_timeout = '10s'", reverse_sql=migrations.RunSQL.noop),
        migrations.CreateModel(
            name='AppointmentSeries',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rrule', models.CharField(max_length=200)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('client', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='appointment_series', to='clinic.client')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('doctor', models.ForeignKey(limit_choices_to={'role': 'doctor'}, on_delete=django.db.models.deletion.PROTECT, related_name='appointment_series', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name_plural': 'appointment series',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.AddField(
            model_name='appointment',
            name='series',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='appointments', to='scheduling.appointmentseries', verbose_name='series'),
        ),
    ]
