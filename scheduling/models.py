from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Func, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from config.encryption import EncryptedTextField
from scheduling.scopes import DoctorAndClientScoped
from scheduling.series.models import AppointmentSeries
from scheduling.waitlist.models import WaitlistEntry, WaitlistOffer  # noqa: F401 (the app's models)


class TsTzRange(Func):
    """tstzrange(starts_at, ends_at, '[)'): back-to-back visits do not overlap."""

    function = "TSTZRANGE"
    output_field = models.DateTimeField()

    def __init__(self, start, end):
        super().__init__(start, end, models.Value("[)"))


class Status(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CONFIRMED = "confirmed", _("Confirmed")
    CHECKED_IN = "checked_in", _("Checked in")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")
    HELD = "held", _("Held")  # a freed slot kept for a waitlist offer (scheduling.waitlist)


MIN_DURATION_MINUTES = 5
MAX_DURATION_MINUTES = 480  # also the check constraint below; bounds overlap searches
MAX_BUFFER_MINUTES = 120  # a visit type's buffer on either side; bounds overlap searches too

# Appointments in these states free their slot.
INACTIVE_STATUSES = (Status.CANCELLED, Status.NO_SHOW)
BLOCKS_SLOT = ~Q(status__in=INACTIVE_STATUSES)

COLOR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))


class AppointmentType(models.Model):
    """A kind of visit: its usual length, the doctor's time kept free before and
    after it, whether patients may book it and whether it needs a room.
    Archived (`active` false) rather than deleted: bookings keep their type."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    duration_minutes = models.PositiveIntegerField(
        _("duration minutes"),
        default=30,
        validators=[MinValueValidator(MIN_DURATION_MINUTES), MaxValueValidator(MAX_DURATION_MINUTES)],
    )
    buffer_before_minutes = models.PositiveIntegerField(
        _("buffer before minutes"), default=0, validators=[MaxValueValidator(MAX_BUFFER_MINUTES)]
    )
    buffer_after_minutes = models.PositiveIntegerField(
        _("buffer after minutes"), default=0, validators=[MaxValueValidator(MAX_BUFFER_MINUTES)]
    )
    color = models.CharField(
        _("color"), max_length=7, default="#4a90d9", validators=[COLOR], help_text="#RRGGBB"
    )
    patient_bookable = models.BooleanField(_("patient bookable"), default=True)
    requires_room = models.BooleanField(_("requires room"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("appointment type")
        verbose_name_plural = _("appointment types")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    duration_minutes__gte=MIN_DURATION_MINUTES, duration_minutes__lte=MAX_DURATION_MINUTES
                ),
                name="appointment_type_duration_5_to_480",
            ),
            models.CheckConstraint(
                condition=Q(
                    buffer_before_minutes__lte=MAX_BUFFER_MINUTES,
                    buffer_after_minutes__lte=MAX_BUFFER_MINUTES,
                ),
                name="appointment_type_buffers_0_to_120",
            ),
        ]

    def __str__(self):
        return self.name if self.active else _("%(name)s (archived)") % {"name": self.name}


class Room(models.Model):
    """A room visits take place in; archived (`active` false) rather than deleted."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")

    def __str__(self):
        return self.name if self.active else _("%(name)s (archived)") % {"name": self.name}


class AppointmentQuerySet(DoctorAndClientScoped):
    def active(self):
        return self.filter(BLOCKS_SLOT)

    def overlapping(self, start, end):
        """Appointments that share any moment with [start, end). The lower bound on
        `starts_at` (no visit is longer than MAX_DURATION_MINUTES) keeps the index
        range to one day instead of every earlier visit."""
        earliest = start - timedelta(minutes=MAX_DURATION_MINUTES)
        return self.filter(starts_at__lt=end, starts_at__gt=earliest, ends_at__gt=start)

    def holding(self, start, end):
        """Appointments whose held time (the visit and its buffers, `blocked_from`
        to `blocked_until`) shares any moment with [start, end); bounded on
        `starts_at` like `overlapping`, buffers being at most MAX_BUFFER_MINUTES."""
        reach = timedelta(minutes=MAX_BUFFER_MINUTES)
        return self.overlapping(start - reach, end + reach).filter(
            blocked_from__lt=end, blocked_until__gt=start
        )


class Appointment(models.Model):
    client = models.ForeignKey(
        "clinic.Client", verbose_name=_("client"), on_delete=models.PROTECT, related_name="appointments"
    )
    doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("doctor"),
        on_delete=models.PROTECT,
        related_name="appointments",
        limit_choices_to={"role": "doctor"},
    )
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveIntegerField(_("duration minutes"), default=30)
    ends_at = models.DateTimeField(
        _("ends at"), editable=False
    )  # derived; stored for the exclusion constraints
    # Indexed by 0008 (concurrently, partial): no index built inside 0007's lock.
    appointment_type = models.ForeignKey(
        AppointmentType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
        db_index=False,
        verbose_name=_("visit type"),
    )
    room = models.ForeignKey(
        Room,
        verbose_name=_("room"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
        db_index=False,
    )
    # The type's buffers as they were at booking: editing or archiving the type
    # never moves a booked visit. Plain smallints with a database default:
    # adding them to a large table rewrites and scans nothing (a CHECK, as
    # Positive* adds, would scan it), and a writer that does not name them
    # (the version before visit types) books a visit without buffers.
    buffer_before_minutes = models.SmallIntegerField(
        _("buffer before minutes"), default=0, db_default=0, editable=False
    )
    buffer_after_minutes = models.SmallIntegerField(
        _("buffer after minutes"), default=0, db_default=0, editable=False
    )
    # The doctor's time the visit holds, for the exclusion constraint: derived
    # from the buffers by save() and, whatever writes the row, by the
    # database's trigger (migration 0007); null only on rows from before it
    # until 0008 filled them in.
    blocked_from = models.DateTimeField(_("blocked from"), null=True, editable=False)
    blocked_until = models.DateTimeField(_("blocked until"), null=True, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    reason = EncryptedTextField(_("reason"), max_length=500, blank=True, default="")  # PHI, like the notes
    notes = EncryptedTextField(_("notes"), blank=True, default="")
    # Why it was cancelled, when someone said (PHI like the reason); null: nobody did.
    cancel_reason = EncryptedTextField(_("cancel reason"), max_length=500, blank=True, null=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The recurring series it was booked in, if any; indexed by 0012 (concurrently, partial).
    series = models.ForeignKey(
        AppointmentSeries,
        verbose_name=_("series"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
        db_index=False,
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        # Each ends in the list's ordering (starts_at, id), so a filtered page is
        # read in order and stops after `limit` rows (EXPLAIN at 1M rows).
        indexes = [
            models.Index(fields=["doctor", "starts_at", "id"], name="appointment_doctor_start"),
            models.Index(fields=["client", "starts_at", "id"], name="appointment_client_start"),
            models.Index(fields=["status", "starts_at", "id"], name="appointment_status_start"),
            models.Index(fields=["starts_at", "id"], name="appointment_start"),
            # A doctor's patients (clinic.Client.objects.visible_to), index-only.
            models.Index(fields=["doctor", "client"], name="appointment_doctor_client"),
            # A room's day (availability with a room), the visits of a type.
            models.Index(
                fields=["room", "starts_at"], name="appointment_room_start", condition=Q(room__isnull=False)
            ),
            models.Index(
                fields=["appointment_type"],
                name="appointment_type",
                condition=Q(appointment_type__isnull=False),
            ),
            models.Index(
                fields=["series", "starts_at"], name="appointment_series", condition=Q(series__isnull=False)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=MAX_DURATION_MINUTES),
                name="appointment_duration_5_to_480",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="appointment_ends_after_start"
            ),
            # The doctor's held time: no visit, nor its buffers, in another's
            # buffered range. `blocked_from IS NOT NULL` let it be built without
            # indexing the table's rows under its lock (migrations 0007-0009);
            # the trigger leaves no row without it.
            ExclusionConstraint(
                name="appointment_no_doctor_overlap",
                expressions=[
                    (TsTzRange("blocked_from", "blocked_until"), RangeOperators.OVERLAPS),
                    ("doctor", RangeOperators.EQUAL),
                ],
                condition=BLOCKS_SLOT & Q(blocked_from__isnull=False),
            ),
            ExclusionConstraint(
                name="appointment_no_room_overlap",
                expressions=[
                    (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                    ("room", RangeOperators.EQUAL),
                ],
                condition=BLOCKS_SLOT & Q(room__isnull=False),
            ),
            ExclusionConstraint(
                name="appointment_no_client_overlap",
                expressions=[
                    (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                    ("client", RangeOperators.EQUAL),
                ],
                condition=BLOCKS_SLOT,
            ),
        ]

    def __str__(self):
        """How the front desk names a visit: "Chloe Rossi with Dr. Gregory House,
        Fri 4 Dec 12:00" (the clinic's time). Admin pages and messages only: logs
        and audit rows carry ids, never this."""
        starts = timezone.localtime(self.starts_at)
        when = date_format(starts, "D j M H:i")
        return _("%(client)s with %(doctor)s, %(when)s") % {
            "client": self.client,
            "doctor": self.doctor,
            "when": when,
        }

    def save(self, *args, **kwargs):
        # In UTC: Python adds minutes to a datetime of a zone (as forms and
        # DRF hand them over) by its wall clock, wrong across a DST change.
        start = self.starts_at.astimezone(UTC)
        self.ends_at = start + timedelta(minutes=self.duration_minutes)
        self.blocked_from = start - timedelta(minutes=self.buffer_before_minutes)
        self.blocked_until = self.ends_at + timedelta(minutes=self.buffer_after_minutes)
        super().save(*args, **kwargs)

    @property
    def held_range(self) -> tuple[datetime, datetime]:
        """The doctor's time this visit holds: the visit and its buffers (in UTC, as save())."""
        start = self.starts_at.astimezone(UTC)
        return (
            start - timedelta(minutes=self.buffer_before_minutes),
            start + timedelta(minutes=self.duration_minutes + self.buffer_after_minutes),
        )


class WorkingHours(models.Model):
    """A doctor's weekly hours in the clinic's local time (TIME_ZONE); Monday is 0."""

    doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("doctor"),
        on_delete=models.CASCADE,
        related_name="working_hours",
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"))
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))

    class Meta:
        ordering = ["doctor", "weekday", "start"]
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="working_hours_weekday_0_6"
            ),
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="working_hours_end_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.doctor_id} day {self.weekday} {self.start:%H:%M}-{self.end:%H:%M}"


class TimeOff(models.Model):
    doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("doctor"), on_delete=models.CASCADE, related_name="time_off"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("time off")
        verbose_name_plural = _("time off")
        indexes = [models.Index(fields=["doctor", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="time_off_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.doctor_id} off {self.starts_at:%Y-%m-%d %H:%M}"


class CalendarFeed(models.Model):
    """A user's private subscription URL `/calendar/<token>.ics`. Looked up by
    the token's SHA-256; the token itself is kept encrypted so the URL can be
    shown again. Rotating replaces both, so the old URL stops working."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    token = EncryptedTextField(_("token"))
    created_at = models.DateTimeField(_("created at"), auto_now=True)  # when the current token was issued

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return f"calendar feed of {self.user_id}"

    def is_revoked(self) -> bool:
        """Issued before the user's tokens were last revoked (password change or
        reset, deactivation, role change: `User.tokens_valid_after`)."""
        revoked_at = self.user.tokens_valid_after
        return revoked_at is not None and self.created_at < revoked_at


class IdempotencyRecord(models.Model):
    """The first answer to a request sent with an `Idempotency-Key`, replayed to
    repeats by the same caller within 24 hours. The body may hold PHI: encrypted."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("key"), max_length=255)
    request_hash = models.CharField(_("request hash"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("response status"))
    response_body = EncryptedTextField(_("response body"))
    created_at = models.DateTimeField(_("created at"), db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique")]

    def __str__(self):
        return f"idempotency {self.user_id}:{self.pk}"


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")


class Reminder(models.Model):
    """One email reminder of an appointment, `offset_minutes` before its start.

    The row is the source of truth; its RQ job (`job_id`) only wakes a worker
    at `scheduled_for`. `last_error` never holds PHI: an exception class and
    SMTP code, or a fixed reason."""

    appointment = models.ForeignKey(
        Appointment, verbose_name=_("appointment"), on_delete=models.CASCADE, related_name="reminders"
    )
    offset_minutes = models.PositiveIntegerField(_("offset minutes"))
    scheduled_for = models.DateTimeField(_("scheduled for"))
    status = models.CharField(
        _("status"), max_length=16, choices=ReminderStatus.choices, default=ReminderStatus.PENDING
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    job_id = models.CharField(_("job id"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["scheduled_for", "id"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        indexes = [models.Index(fields=["status", "scheduled_for"])]
        constraints = [
            models.UniqueConstraint(fields=["appointment", "offset_minutes"], name="reminder_one_per_offset"),
        ]

    def __str__(self):
        return f"reminder {self.kind} of appointment {self.appointment_id}"

    @property
    def kind(self) -> str:
        """How long before the start, as configured: "1440m", "120m"."""
        return f"{self.offset_minutes}m"
