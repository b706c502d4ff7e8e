"""The database itself refuses double bookings, whatever the code above it
does: the doctor's held time (the visit and its buffers), the client's visits
and a room's visits."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from config.crypto import field_fernet
from scheduling.models import Appointment, Status
from scheduling.tests.factories import AppointmentFactory, RoomFactory, next_slot

pytestmark = pytest.mark.django_db


def test_overlapping_visit_with_the_same_doctor_is_refused(world):
    start = next_slot()
    AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=start)
    with pytest.raises(IntegrityError, match="appointment_no_doctor_overlap"), transaction.atomic():
        AppointmentFactory(
            doctor=world.doctor, client=world.other_client, starts_at=start + timedelta(minutes=15)
        )


def test_overlapping_visit_of_the_same_client_is_refused(world):
    start = next_slot()
    AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=start)
    with pytest.raises(IntegrityError, match="appointment_no_client_overlap"), transaction.atomic():
        AppointmentFactory(doctor=world.other_doctor, client=world.client, starts_at=start)


def test_back_to_back_visits_do_not_overlap(world):
    start = next_slot()
    AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=start)
    later = AppointmentFactory(
        doctor=world.doctor, client=world.client, starts_at=start + timedelta(minutes=30)
    )
    assert later.ends_at == start + timedelta(minutes=60)


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.NO_SHOW])
def test_cancelled_and_no_show_visits_free_the_slot(world, status):
    start = next_slot()
    AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=start, status=status)
    AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=start)


@pytest.mark.parametrize("minutes", [4, 481])
def test_duration_outside_5_to_480_is_refused(world, minutes):
    with pytest.raises(IntegrityError, match="appointment_duration_5_to_480"), transaction.atomic():
        AppointmentFactory(doctor=world.doctor, client=world.client, duration_minutes=minutes)


def insert(
    *, doctor, client, starts_at, minutes=30, before=0, after=0, room=None, held=True, status="scheduled"
):
    """A visit written with raw SQL, beside the model and the services: what
    another program, or the version before visit types (`held=False`: no
    `blocked_*`, buffer or room columns named), would write."""
    ends_at, empty = starts_at + timedelta(minutes=minutes), field_fernet().encrypt(b"").decode()
    columns = {
        "client_id": client.pk, "doctor_id": doctor.pk, "starts_at": starts_at,
        "duration_minutes": minutes, "ends_at": ends_at, "status": status, "reason": empty,
        "notes": empty, "created_at": starts_at, "updated_at": starts_at,
    }  # fmt: skip
    if held:
        columns |= {
            "buffer_before_minutes": before,
            "buffer_after_minutes": after,
            "room_id": room.pk if room else None,
            "blocked_from": starts_at - timedelta(minutes=before),
            "blocked_until": ends_at + timedelta(minutes=after),
        }
    sql = "INSERT INTO scheduling_appointment ({}) VALUES ({})".format(  # noqa: S608 (our own names)
        ", ".join(columns), ", ".join(["%s"] * len(columns))
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(columns.values()))


class TestHeldTimeInTheDatabase:
    """The exclusion constraints hold the buffers and rooms whatever writes the row."""

    def test_a_raw_insert_inside_another_visits_buffer_is_refused(self, world):
        start = next_slot()
        insert(doctor=world.doctor, client=world.client, starts_at=start, after=15)
        with pytest.raises(IntegrityError, match="appointment_no_doctor_overlap"), transaction.atomic():
            insert(doctor=world.doctor, client=world.other_client, starts_at=start + timedelta(minutes=40))
        insert(doctor=world.doctor, client=world.other_client, starts_at=start + timedelta(minutes=45))

    def test_a_raw_insert_whose_own_buffer_reaches_a_visit_is_refused(self, world):
        start = next_slot()
        AppointmentFactory(doctor=world.doctor, client=world.client, starts_at=start)
        with pytest.raises(IntegrityError, match="appointment_no_doctor_overlap"), transaction.atomic():
            insert(
                doctor=world.doctor,
                client=world.other_client,
                starts_at=start - timedelta(minutes=40),
                after=15,
            )

    def test_a_row_that_names_no_buffers_holds_its_visit(self, world):
        """Rows of a writer that knows nothing of buffers (the version before
        visit types, during a deploy): buffers 0 by the columns' default, held
        time from the trigger."""
        start = next_slot()
        insert(doctor=world.doctor, client=world.client, starts_at=start, held=False)
        row = Appointment.objects.get()
        assert (row.buffer_before_minutes, row.buffer_after_minutes) == (0, 0)
        assert (row.blocked_from, row.blocked_until) == (start, start + timedelta(minutes=30))
        with pytest.raises(IntegrityError, match="appointment_no_doctor_overlap"), transaction.atomic():
            insert(
                doctor=world.doctor,
                client=world.other_client,
                starts_at=start + timedelta(minutes=35),
                before=10,
            )
        insert(doctor=world.doctor, client=world.other_client, starts_at=start + timedelta(minutes=30))

    def test_the_database_derives_the_held_time_from_the_buffers(self, world):
        """Whatever `blocked_*` a writer sends, or an UPDATE that bypasses save()."""
        start = next_slot()
        insert(doctor=world.doctor, client=world.client, starts_at=start, after=15)
        with connection.cursor() as cursor:
            cursor.execute("UPDATE scheduling_appointment SET blocked_until = ends_at, blocked_from = NULL")
        row = Appointment.objects.get()
        assert (row.blocked_from, row.blocked_until) == (start, start + timedelta(minutes=45))
        Appointment.objects.update(
            starts_at=start + timedelta(hours=1), ends_at=start + timedelta(minutes=90)
        )
        row.refresh_from_db()
        assert (row.blocked_from, row.blocked_until) == (
            start + timedelta(hours=1),
            start + timedelta(minutes=105),
        )

    def test_a_raw_insert_into_a_taken_room_is_refused(self, world):
        start, room = next_slot(), RoomFactory()
        insert(doctor=world.doctor, client=world.client, starts_at=start, room=room)
        with pytest.raises(IntegrityError, match="appointment_no_room_overlap"), transaction.atomic():
            insert(
                doctor=world.other_doctor,
                client=world.other_client,
                starts_at=start + timedelta(minutes=10),
                room=room,
            )
        insert(doctor=world.other_doctor, client=world.other_client, starts_at=start, room=RoomFactory())
        insert(doctor=world.other_doctor, client=world.other_client, starts_at=start + timedelta(hours=2))

    @pytest.mark.parametrize("status", [Status.CANCELLED, Status.NO_SHOW])
    def test_inactive_visits_hold_no_room_and_no_buffer(self, world, status):
        start, room = next_slot(), RoomFactory()
        insert(doctor=world.doctor, client=world.client, starts_at=start, room=room, after=30, status=status)
        insert(
            doctor=world.doctor, client=world.other_client, starts_at=start + timedelta(minutes=10), room=room
        )


BEFORE_TYPES = ("scheduling", "0006_appointment_cancel_reason")
TYPES_ADDED = ("scheduling", "0007_visit_types_and_rooms")
WITH_TYPES = ("scheduling", "0009_doctor_overlap_includes_buffers")


def migrate(target) -> None:
    MigrationExecutor(connection).migrate([target])


def doctor_constraints() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'scheduling_appointment'::regclass AND conname LIKE 'appointment_no_doctor%%'"
        )
        return dict(cursor.fetchall())


@pytest.mark.django_db(transaction=True)
def test_the_migrations_keep_existing_visits_ranges_and_go_back(world):
    start = next_slot()
    migrate(BEFORE_TYPES)
    try:
        for hour in range(2):  # rows as the version before visit types wrote them
            insert(
                doctor=world.doctor, client=world.client, starts_at=start + timedelta(hours=hour), held=False
            )
        migrate(TYPES_ADDED)  # the new columns: the existing rows hold no time yet
        assert list(Appointment.objects.values_list("blocked_from", flat=True)) == [None, None]
        assert set(doctor_constraints()) == {
            "appointment_no_doctor_overlap",
            "appointment_no_doctor_overlap_held",
        }
        migrate(WITH_TYPES)
        rows = list(Appointment.objects.defer("series").order_by("starts_at"))  # 0010 adds `series`
        assert [(row.blocked_from, row.blocked_until) for row in rows] == [
            (row.starts_at, row.ends_at) for row in rows
        ]
        assert [(row.buffer_before_minutes, row.buffer_after_minutes) for row in rows] == [(0, 0), (0, 0)]
        [(name, definition)] = doctor_constraints().items()
        assert (
            name == "appointment_no_doctor_overlap" and "tstzrange(blocked_from, blocked_until" in definition
        )
        with pytest.raises(IntegrityError, match="appointment_no_doctor_overlap"), transaction.atomic():
            insert(
                doctor=world.doctor,
                client=world.other_client,
                starts_at=start + timedelta(minutes=40),
                before=15,
            )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'scheduling_appointment'"
                " AND indexname IN ('appointment_room_start', 'appointment_type')"
            )
            assert sorted(row[0] for row in cursor.fetchall()) == [
                "appointment_room_start",
                "appointment_type",
            ]
        migrate(BEFORE_TYPES)
        [(name, definition)] = doctor_constraints().items()
        assert name == "appointment_no_doctor_overlap" and "tstzrange(starts_at, ends_at" in definition
        with pytest.raises(IntegrityError, match="appointment_no_doctor_overlap"), transaction.atomic():
            insert(
                doctor=world.doctor,
                client=world.other_client,
                starts_at=start + timedelta(minutes=15),
                held=False,
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
