from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Func, Q
from django.utils import timezone

from config.encryption import EncryptedTextField
from scheduling.series.models import AppointmentSeries
from scheduling.waitlist.models import WaitlistEntry, WaitlistOffer  # noqa: F401 (the app's models)


class TsTzRange(Func):
    """tstzrange(starts_at, ends_at, '[)'): back-to-back visits do not overlap."""

    function = "TSTZRANGE"
    output_field = models.DateTimeField()

    def __init__(self, start, end):
        super().__init__(start, end, models.Value("[)"))


class Status(models.TextChoices):
    SCHEDULED = "scheduled"
    CONFIRMED = "confirmed"
    CHECKED_IN = "checked_in"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"
    HELD = "held"  # a freed slot kept for a waitlist offer (scheduling.waitlist)


MIN_DURATION_MINUTES = 5
MAX_DURATION_MINUTES = 480  # also the check constraint below; bounds overlap searches
MAX_BUFFER_MINUTES = 120  # a visit type's buffer on either side; bounds overlap searches too

# Appointments in these states free their slot.
INACTIVE_STATUSES = (Status.CANCELLED, Status.NO_SHOW)
BLOCKS_SLOT = ~Q(status__in=INACTIVE_STATUSES)

COLOR = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour as #RRGGBB.")


class AppointmentType(models.Model):
    """A kind of visit: its usual length, the doctor's time kept free before and
    after it, whether patients may book it and whether it needs a room.
    Archived (`active` false) rather than deleted: bookings keep their type."""

    name = models.CharField(max_length=100, unique=True)
    duration_minutes = models.PositiveIntegerField(
        default=30,
        validators=[MinValueValidator(MIN_DURATION_MINUTES), MaxValueValidator(MAX_DURATION_MINUTES)],
    )
    buffer_before_minutes = models.PositiveIntegerField(
        default=0, validators=[MaxValueValidator(MAX_BUFFER_MINUTES)]
    )
    buffer_after_minutes = models.PositiveIntegerField(
        default=0, validators=[MaxValueValidator(MAX_BUFFER_MINUTES)]
    )
    color = models.CharField(max_length=7, default="#4a90d9", validators=[COLOR], help_text="#RRGGBB")
    patient_bookable = models.BooleanField(default=True)
    requires_room = models.BooleanField(default=False)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "id"]
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
        return self.name if self.active else f"{self.name} (archived)"


class Room(models.Model):
    """A room visits take place in; archived (`active` false) rather than deleted."""

    name = models.CharField(max_length=100, unique=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name if self.active else f"{self.name} (archived)"


class AppointmentQuerySet(models.QuerySet):
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

    def visible_to(self, user):
        """Staff and admins all, a doctor theirs, a patient their own record's."""
        if not user.is_authenticated:
            return self.none()
        if user.is_clinic_staff:
            return self.all()
        if user.is_doctor:
            return self.filter(doctor=user)
        if user.is_patient:
            return self.filter(client__user=user)
        return self.none()


class Appointment(models.Model):
    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="appointments")
    doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appointments",
        limit_choices_to={"role": "doctor"},
    )
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField(default=30)
    ends_at = models.DateTimeField(editable=False)  # derived; stored for the exclusion constraints
    # Indexed by 0008 (concurrently, partial): no index built inside 0007's lock.
    appointment_type = models.ForeignKey(
        AppointmentType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
        db_index=False,
        verbose_name="visit type",
    )
    room = models.ForeignKey(
        Room, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments", db_index=False
    )
    # The type's buffers as they were at booking: editing or archiving the type
    # never moves a booked visit. Plain smallints with a database default:
    # adding them to a large table rewrites and scans nothing (a CHECK, as
    # Positive* adds, would scan it), and a writer that does not name them
    # (the version before visit types) books a visit without buffers.
    buffer_before_minutes = models.SmallIntegerField(default=0, db_default=0, editable=False)
    buffer_after_minutes = models.SmallIntegerField(default=0, db_default=0, editable=False)
    # The doctor's time the visit holds, for the exclusion constraint: derived
    # from the buffers by save() and, whatever writes the row, by the
    # database's trigger (migration 0007); null only on rows from before it
    # until 0008 filled them in.
    blocked_from = models.DateTimeField(null=True, editable=False)
    blocked_until = models.DateTimeField(null=True, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    reason = EncryptedTextField(max_length=500, blank=True, default="")  # PHI, like the notes
    notes = EncryptedTextField(blank=True, default="")
    # Why it was cancelled, when someone said (PHI like the reason); null: nobody did.
    cancel_reason = EncryptedTextField(max_length=500, blank=True, null=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The recurring series it was booked in, if any; indexed by 0011 (concurrently, partial).
    series = models.ForeignKey(
        AppointmentSeries,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
        db_index=False,
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
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
        return f"{self.client} with {self.doctor}, {starts:%a} {starts.day} {starts:%b %H:%M}"

    def save(self, *args, **kwargs):
        self.ends_at = self.starts_at + timedelta(minutes=self.duration_minutes)
        self.blocked_from = self.starts_at - timedelta(minutes=self.buffer_before_minutes)
        self.blocked_until = self.ends_at + timedelta(minutes=self.buffer_after_minutes)
        super().save(*args, **kwargs)

    @property
    def held_range(self) -> tuple[datetime, datetime]:
        """The doctor's time this visit holds: the visit and its buffers."""
        start = self.starts_at - timedelta(minutes=self.buffer_before_minutes)
        return start, self.starts_at + timedelta(minutes=self.duration_minutes + self.buffer_after_minutes)


class WorkingHours(models.Model):
    """A doctor's weekly hours in the clinic's local time (TIME_ZONE); Monday is 0."""

    doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField()
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["doctor", "weekday", "start"]
        verbose_name_plural = "working hours"
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
    doctor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="time_off")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name_plural = "time off"
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
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    token = EncryptedTextField()
    created_at = models.DateTimeField(auto_now=True)  # when the current token was issued

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

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = EncryptedTextField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique")]

    def __str__(self):
        return f"idempotency {self.user_id}:{self.pk}"


class ReminderStatus(models.TextChoices):
    PENDING = "pending"
    SENT = "sent"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"
    FAILED = "failed"


class Reminder(models.Model):
    """One email reminder of an appointment, `offset_minutes` before its start.

    The row is the source of truth; its RQ job (`job_id`) only wakes a worker
    at `scheduled_for`. `last_error` never holds PHI: an exception class and
    SMTP code, or a fixed reason."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="reminders")
    offset_minutes = models.PositiveIntegerField()
    scheduled_for = models.DateTimeField()
    status = models.CharField(max_length=16, choices=ReminderStatus.choices, default=ReminderStatus.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    job_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scheduled_for", "id"]
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
