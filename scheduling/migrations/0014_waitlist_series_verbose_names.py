"""Names of the waitlist and series models, their fields and their status
choices, translatable (gettext_lazy) like the rest of the scheduling admin.
State only: no SQL (`sqlmigrate` prints no-ops)."""

import config.encryption
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0005_languages"),
        ("scheduling", "0013_waitlist"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="appointmentseries",
            options={
                "ordering": ["-created_at", "-id"],
                "verbose_name": "appointment series",
                "verbose_name_plural": "appointment series",
            },
        ),
        migrations.AlterModelOptions(
            name="waitlistentry",
            options={
                "ordering": ["created_at", "id"],
                "verbose_name": "waitlist entry",
                "verbose_name_plural": "waitlist entries",
            },
        ),
        migrations.AlterModelOptions(
            name="waitlistoffer",
            options={
                "ordering": ["created_at", "id"],
                "verbose_name": "waitlist offer",
                "verbose_name_plural": "waitlist offers",
            },
        ),
        migrations.AlterField(
            model_name="appointmentseries",
            name="client",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="appointment_series",
                to="clinic.client",
                verbose_name="client",
            ),
        ),
        migrations.AlterField(
            model_name="appointmentseries",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="created at"),
        ),
        migrations.AlterField(
            model_name="appointmentseries",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="created by",
            ),
        ),
        migrations.AlterField(
            model_name="appointmentseries",
            name="doctor",
            field=models.ForeignKey(
                limit_choices_to={"role": "doctor"},
                on_delete=django.db.models.deletion.PROTECT,
                related_name="appointment_series",
                to=settings.AUTH_USER_MODEL,
                verbose_name="doctor",
            ),
        ),
        migrations.AlterField(
            model_name="appointmentseries",
            name="rrule",
            field=models.CharField(max_length=200, verbose_name="recurrence rule"),
        ),
        migrations.AlterField(
            model_name="waitlistentry",
            name="appointment_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="scheduling.appointmenttype",
                verbose_name="visit type",
            ),
        ),
        migrations.AlterField(
            model_name="waitlistentry",
            name="client",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="waitlist_entries",
                to="clinic.client",
                verbose_name="client",
            ),
        ),
        migrations.AlterField(
            model_name="waitlistentry",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="created at"),
        ),
        migrations.AlterField(
            model_name="waitlistentry",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="created by",
            ),
        ),
        migrations.AlterField(
            model_name="waitlistentry",
            name="doctor",
            field=models.ForeignKey(
                blank=True,
                limit_choices_to={"role": "doctor"},
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="waitlist_entries",
                to=settings.AUTH_USER_MODEL,
                verbose_name="doctor",
            ),
        ),
        migrations.AlterField(
            model_name="waitlistentry",
            name="earliest_date",
            field=models.DateField(verbose_name="earliest date"),
        ),
        migrations.AlterField(
            model_name="waitlistentry",
            name="latest_date",
            field=models.DateField(verbose_name="latest date"),
        ),
        migrations.AlterField(
            model_name="waitlistentry",
            name="notes",
            field=config.encryption.EncryptedTextField(blank=True, default="", verbose_name="notes"),
        ),
        migrations.AlterField(
            model_name="waitlistentry",
            name="status",
            field=models.CharField(
                choices=[
                    ("waiting", "Waiting"),
                    ("offered", "Offered"),
                    ("booked", "Booked"),
                    ("expired", "Expired"),
                    ("cancelled", "Cancelled"),
                ],
                default="waiting",
                max_length=16,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="waitlistentry",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
        ),
        migrations.AlterField(
            model_name="waitlistoffer",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="created at"),
        ),
        migrations.AlterField(
            model_name="waitlistoffer",
            name="doctor",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="doctor",
            ),
        ),
        migrations.AlterField(
            model_name="waitlistoffer",
            name="ends_at",
            field=models.DateTimeField(verbose_name="ends at"),
        ),
        migrations.AlterField(
            model_name="waitlistoffer",
            name="entry",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="offers",
                to="scheduling.waitlistentry",
                verbose_name="waitlist entry",
            ),
        ),
        migrations.AlterField(
            model_name="waitlistoffer",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires at"),
        ),
        migrations.AlterField(
            model_name="waitlistoffer",
            name="hold",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="offer",
                to="scheduling.appointment",
                verbose_name="hold",
            ),
        ),
        migrations.AlterField(
            model_name="waitlistoffer",
            name="job_id",
            field=models.CharField(blank=True, max_length=64, verbose_name="job id"),
        ),
        migrations.AlterField(
            model_name="waitlistoffer",
            name="sent_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="sent at"),
        ),
        migrations.AlterField(
            model_name="waitlistoffer",
            name="starts_at",
            field=models.DateTimeField(verbose_name="starts at"),
        ),
        migrations.AlterField(
            model_name="waitlistoffer",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("accepted", "Accepted"),
                    ("declined", "Declined"),
                    ("expired", "Expired"),
                    ("withdrawn", "Withdrawn"),
                ],
                default="pending",
                max_length=16,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="waitlistoffer",
            name="token",
            field=config.encryption.EncryptedTextField(verbose_name="token"),
        ),
        migrations.AlterField(
            model_name="waitlistoffer",
            name="token_hash",
            field=models.CharField(max_length=64, unique=True, verbose_name="token hash"),
        ),
        migrations.AlterField(
            model_name="waitlistoffer",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
        ),
    ]
