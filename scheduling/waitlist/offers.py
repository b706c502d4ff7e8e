"""Offers: a freed slot held for the oldest matching waitlist entry, and its
answer.

The hold is an Appointment row in status `held`: it sits in the same
exclusion constraints as every visit, so nobody books over it and
availability leaves it out. Rows are the truth, RQ only the delivery: the
offer's email job and its expiry job claim the row under its lock (`sent_at`
null, status `pending`), so each happens once however many jobs run, and
`reconcile_offers` (with the reminders' periodic reconcile) sends what Redis
lost and expires what is overdue. Every function here runs inside a
transaction of its own or of its caller (a cancellation, a move, a deletion)."""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from psycopg.errors import LockNotAvailable
from redis.exceptions import RedisError

from accounts.audit import record_event
from accounts.models import AuditAction
from config import queues
from scheduling import cache
from scheduling.reminders import services as reminders
from scheduling.selectors import local_date
from scheduling.waitlist.exceptions import EntryNotWaiting, NoFreeSlot, OfferExpired
from scheduling.waitlist.models import EntryStatus, OfferStatus, WaitlistEntry, WaitlistOffer

logger = logging.getLogger(__name__)

SEND_OFFER = "scheduling.waitlist.tasks.send_offer"
EXPIRE_OFFER = "scheduling.waitlist.tasks.expire_offer"
CANDIDATES = 5  # entries tried for one slot before giving up (each may be busy then)
FREES_SLOT = ("scheduled", "confirmed")
# How long a hold waits for another transaction writing over its time. A
# booking of the freed time, made while the cancellation (or move, deletion,
# answer) that frees it is under way, waits for that transaction, and the
# hold would wait for the booking: a deadlock PostgreSQL breaks after its
# deadlock_timeout (1 s by default) by failing one of them. The hold gives
# way well before: no offer, the booking gets the time.
HOLD_LOCK_WAIT = "100ms"


@dataclass(frozen=True)
class Slot:
    """The time a visit held: who, when, what kind, where."""

    doctor_id: int
    starts_at: datetime
    duration_minutes: int
    appointment_type_id: int | None
    room_id: int | None
    buffer_before_minutes: int
    buffer_after_minutes: int


def slot_of(appointment) -> Slot | None:
    """The slot a scheduled or confirmed visit holds (before it is cancelled,
    moved or deleted), or None when it frees nothing worth offering."""
    if appointment.status not in FREES_SLOT or appointment.starts_at <= timezone.now():
        return None
    return Slot(
        appointment.doctor_id,
        appointment.starts_at,
        appointment.duration_minutes,
        appointment.appointment_type_id,
        appointment.room_id,
        appointment.buffer_before_minutes,
        appointment.buffer_after_minutes,
    )


def offer_slot(slot: Slot | None, *, skip_entry_ids=()) -> WaitlistOffer | None:
    """Offer `slot` to the oldest waiting entry it suits (the doctor and the
    type if the entry names them, its local date inside the entry's dates),
    holding it for WAITLIST_HOLD_MINUTES; inside the caller's transaction.
    An entry whose client is busy then is passed over."""
    if slot is None or slot.starts_at <= timezone.now():
        return None
    day = local_date(slot.starts_at)
    entries = (
        WaitlistEntry.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(status=EntryStatus.WAITING, earliest_date__lte=day, latest_date__gte=day)
        .filter(Q(doctor__isnull=True) | Q(doctor_id=slot.doctor_id))
        .filter(Q(appointment_type__isnull=True) | Q(appointment_type_id=slot.appointment_type_id))
        .filter(client__is_archived=False)
        .exclude(pk__in=skip_entry_ids)
        .select_related("client")
        .order_by("created_at", "id")
    )
    for entry in entries[:CANDIDATES]:
        try:
            hold = _hold(slot, entry)
        except _Contested:
            return None  # somebody is booking this time right now: theirs
        if hold is not None:
            return _make_offer(entry, hold)
    return None


class _Contested(Exception):
    """Another transaction is writing over the slot's time: the hold gave way."""


def offer_now(entry: WaitlistEntry, *, by=None, request=None) -> WaitlistOffer:
    """Offer a `waiting` entry the earliest free time that suits it (see
    waitlist.slots), held and emailed as a freed slot is (`_hold`,
    `_make_offer`), atomically; audited as the entry's status change by `by`.
    The entry is locked first, so two clicks offer once; a time taken
    meanwhile (the hold refused by the exclusion constraints, the client
    busy then, or another writer over it now) passes to the next. Not waiting → EntryNotWaiting; nothing
    free → NoFreeSlot, and nothing is stored."""
    from scheduling.waitlist.slots import free_times, shape_of

    with transaction.atomic():
        entry = (
            WaitlistEntry.objects.select_for_update(of=("self",))
            .select_related("client", "appointment_type")
            .get(pk=entry.pk)
        )
        if entry.status != EntryStatus.WAITING:
            raise EntryNotWaiting()
        duration, (before, after) = shape_of(entry)
        for doctor_id, starts_at, room_id in free_times(entry):
            slot = Slot(doctor_id, starts_at, duration, entry.appointment_type_id, room_id, before, after)
            try:
                hold = _hold(slot, entry)
            except _Contested:
                continue  # somebody is booking this time right now: the next
            if hold is not None:
                offer = _make_offer(entry, hold)
                record_event(
                    action=AuditAction.UPDATE, actor=by, obj=entry, request=request, fields=["status"]
                )
                return offer
    raise NoFreeSlot()


def _hold(slot: Slot, entry: WaitlistEntry):
    """The slot, saved as held for the entry's client; None if it is not free
    for them (the time taken after all, or the client busy then)."""
    from scheduling.models import Appointment, Status

    hold = Appointment(
        client=entry.client,
        doctor_id=slot.doctor_id,
        starts_at=slot.starts_at,
        duration_minutes=slot.duration_minutes,
        appointment_type_id=slot.appointment_type_id,
        room_id=slot.room_id,
        buffer_before_minutes=slot.buffer_before_minutes,
        buffer_after_minutes=slot.buffer_after_minutes,
        status=Status.HELD,
    )
    try:
        with transaction.atomic():
            previous = _set_lock_timeout(HOLD_LOCK_WAIT)
            hold.save()
            _set_lock_timeout(previous)  # the rest of the caller's transaction waits as before
    except IntegrityError:  # the slot is not free after all, or the client is busy then
        return None
    except OperationalError as error:
        if isinstance(error.__cause__, LockNotAvailable):
            raise _Contested from error
        raise
    return hold


def _set_lock_timeout(value: str) -> str:
    """Set lock_timeout for the rest of the transaction (a rolled-back
    savepoint undoes it); returns the value it had."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('lock_timeout'), set_config('lock_timeout', %s, true)", [value]
        )
        return cursor.fetchone()[0]


def _make_offer(entry: WaitlistEntry, hold) -> WaitlistOffer:
    token = secrets.token_urlsafe(32)
    offer = WaitlistOffer.objects.create(
        entry=entry,
        hold=hold,
        doctor_id=hold.doctor_id,
        starts_at=hold.starts_at,
        ends_at=hold.ends_at,
        expires_at=timezone.now() + timedelta(minutes=settings.WAITLIST_HOLD_MINUTES),
        token=token,
        token_hash=token_hash(token),
        job_id=f"waitlist-offer-{secrets.token_hex(12)}",
    )
    entry.status = EntryStatus.OFFERED
    entry.save(update_fields=["status", "updated_at"])
    cache.invalidate_appointments(hold.doctor_id, room_ids=[hold.room_id])
    offer_id, expires_at = offer.pk, offer.expires_at
    transaction.on_commit(lambda: _enqueue(offer_id, expires_at))
    return offer


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def accept_offer(*, token: str, request=None):
    """The hold becomes the client's booking (status `scheduled`, reminders,
    confirmation), atomically; an expired or answered offer → OfferExpired."""
    with transaction.atomic():
        offer = _locked(token)
        if _answerable(offer):
            hold = offer.hold
            hold.status = "scheduled"
            hold.save(update_fields=["status", "updated_at"])
            reminders.schedule_reminders(hold, confirm=True)
            record_event(action=AuditAction.CREATE, obj=hold, request=request)
            _close(offer, OfferStatus.ACCEPTED, EntryStatus.BOOKED)
            cache.invalidate_appointments(hold.doctor_id, room_ids=[hold.room_id])
            return hold
    _expire_if_due(offer)
    raise OfferExpired()


def decline_offer(*, token: str) -> None:
    """The client does not want this slot: the hold goes, the entry waits
    again, and the slot is offered to the next entry."""
    with transaction.atomic():
        offer = _locked(token)
        if _answerable(offer):
            slot = _release(offer)
            _close(offer, OfferStatus.DECLINED, EntryStatus.WAITING)
            offer_slot(slot, skip_entry_ids=[offer.entry_id])
            return
    _expire_if_due(offer)
    raise OfferExpired()


def expire_offer(offer_id: int, *, now: datetime | None = None) -> bool:
    """Once its time is up, a pending offer expires (its entry too) and the
    slot goes to the next entry. True if this call expired it."""
    now = now or timezone.now()
    with transaction.atomic():
        offer = WaitlistOffer.objects.select_for_update().filter(pk=offer_id).first()
        if offer is None or offer.status != OfferStatus.PENDING or offer.expires_at > now:
            return False
        slot = _release(offer)
        _close(offer, OfferStatus.EXPIRED, EntryStatus.EXPIRED)
        offer_slot(slot, skip_entry_ids=[offer.entry_id])
    return True


def withdraw_offers(entry: WaitlistEntry) -> None:
    """The entry leaves the list while offered: its pending offer is
    withdrawn and the slot offered to the next entry (caller's transaction)."""
    for offer in entry.offers.select_for_update().filter(status=OfferStatus.PENDING):
        slot = _release(offer)
        offer.status = OfferStatus.WITHDRAWN
        offer.save(update_fields=["status", "updated_at"])
        offer_slot(slot, skip_entry_ids=[entry.pk])


def _locked(token: str) -> WaitlistOffer | None:
    return (
        WaitlistOffer.objects.select_for_update(of=("self",))
        .select_related("hold")
        .filter(token_hash=token_hash(token))
        .first()
    )


def _answerable(offer: WaitlistOffer | None) -> bool:
    return (
        offer is not None
        and offer.status == OfferStatus.PENDING
        and offer.expires_at > timezone.now()
        and offer.hold is not None
    )


def _expire_if_due(offer: WaitlistOffer | None) -> None:
    if offer is not None and offer.status == OfferStatus.PENDING:
        expire_offer(offer.pk)


def _release(offer: WaitlistOffer) -> Slot | None:
    """Delete the hold, returning the slot it kept."""
    hold = offer.hold
    if hold is None:
        return None
    slot = Slot(
        hold.doctor_id,
        hold.starts_at,
        hold.duration_minutes,
        hold.appointment_type_id,
        hold.room_id,
        hold.buffer_before_minutes,
        hold.buffer_after_minutes,
    )
    hold.delete()  # the offer's `hold` is set null with it
    offer.hold = None
    cache.invalidate_appointments(slot.doctor_id, room_ids=[slot.room_id])
    return slot


def _close(offer: WaitlistOffer, status: str, entry_status: str) -> None:
    offer.status = status
    offer.save(update_fields=["status", "updated_at"])
    WaitlistEntry.objects.filter(pk=offer.entry_id).update(status=entry_status, updated_at=timezone.now())


def deliver_offer(offer_id: int) -> str:
    """Email the offer once: the row locked, sent only while pending and not
    yet sent, `sent_at` set in the same transaction (an SMTP error rolls
    back, and RQ retries)."""
    from scheduling.waitlist.emails import send_offer_email

    with transaction.atomic():
        offer = (
            WaitlistOffer.objects.select_for_update(of=("self",))
            .select_related("entry__client", "doctor")
            .filter(pk=offer_id)
            .first()
        )
        if offer is None or offer.status != OfferStatus.PENDING or offer.sent_at is not None:
            return "skipped"
        if offer.entry.client.email:
            send_offer_email(offer)
        offer.sent_at = timezone.now()
        offer.save(update_fields=["sent_at", "updated_at"])
    return "sent"


def reconcile_offers(*, now: datetime | None = None) -> dict[str, int]:
    """What Redis may have lost: pending offers not yet emailed get a new
    send job, overdue ones expire now (the rows decide; a job run twice does
    nothing the second time)."""
    now = now or timezone.now()
    overdue = list(
        WaitlistOffer.objects.filter(status=OfferStatus.PENDING, expires_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    expired = sum(expire_offer(pk, now=now) for pk in overdue)
    unsent = list(
        WaitlistOffer.objects.filter(status=OfferStatus.PENDING, sent_at__isnull=True).values_list(
            "pk", "expires_at"
        )
    )
    for pk, expires_at in unsent:
        _enqueue(pk, expires_at)
    return {"expired": expired, "sent_again": len(unsent)}


def _enqueue(offer_id: int, expires_at: datetime) -> None:
    """The email now and the expiry at its time; Redis away: reconcile will."""
    try:
        queue = queues.get_queue(reminders.QUEUE_NAME)
        queue.enqueue(SEND_OFFER, offer_id, retry=reminders.email_retry())
        queue.enqueue_at(expires_at, EXPIRE_OFFER, offer_id)
    except RedisError as error:
        logger.warning(
            "waitlist offer not enqueued: redis unreachable (%s)",
            type(error).__name__,
            extra={"offer_id": offer_id},
        )
