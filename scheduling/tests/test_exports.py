"""A patient's record export (API.md, "Exports"): `clients/{id}/export.pdf`
and `export.json`, scoped like the record, audited as `export` with no PHI,
never cached; the PDF read back with a PDF parser, names in any script."""

import io
import json
import logging
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import AuditAction, AuditEvent
from accounts.tests.factories import DoctorFactory
from clinic.documents.services import archive_document, store_document
from clinic.tests.factories import ClientFactory
from scheduling.models import Status
from scheduling.tests.factories import AppointmentFactory, next_slot

pytestmark = pytest.mark.django_db

NAMES = [("Zoë", "Łukasiewicz"), ("Иван", "Петров"), ("Ελένη", "Παπαδοπούλου")]


def export_url(client_id: int, extension: str) -> str:
    return f"/api/v1/clients/{client_id}/export.{extension}"


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture(autouse=True)
def documents_dir(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "documents"},
        },
    }
    settings.CLINIC_NAME = "Harbour Clinic"


def add_document(world, title="Blood panel March", client=None):
    return store_document(
        client=client or world.client,
        uploaded_file=SimpleUploadedFile("lab.txt", b"Haemoglobin 14.1 g/dL"),
        title=title,
        kind="lab_result",
        uploaded_by=world.staff,
    )


@pytest.fixture
def record(world):
    """The world's patient's record with a history, an upcoming and a past
    visit, a visit with a third doctor, and one listed and one archived document."""
    client = world.client
    client.first_name, client.last_name = "Zoë", "Łukasiewicz"
    client.medical_history = "Penicillin allergy since 2009."
    client.notes = "Prefers morning visits."
    client.save()
    upcoming = AppointmentFactory(
        client=client, doctor=world.doctor, starts_at=next_slot(days=3), reason="Knee pain"
    )
    past = AppointmentFactory(
        client=client,
        doctor=world.doctor,
        starts_at=timezone.now() - timedelta(days=10),
        reason="Flu jab",
        notes="No reaction.",
        status=Status.COMPLETED,
    )
    elsewhere = AppointmentFactory(  # a third doctor: other_doctor stays a stranger to the record
        client=client, doctor=DoctorFactory(), starts_at=next_slot(days=5), reason="Second opinion"
    )
    listed = add_document(world)
    archive_document(document=add_document(world, title="Old scan"), actor=world.admin)
    return {"upcoming": upcoming, "past": past, "elsewhere": elsewhere, "document": listed}


@pytest.mark.parametrize("role", ["patient", "doctor", "staff", "admin"])
def test_the_pdf_names_the_clinic_the_patient_and_their_visits(api, world, record, role):
    response = api(world.user(role)).get(export_url(world.client.pk, "pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="record-{world.client.pk}.pdf"'
    assert response["Cache-Control"] == "no-store"
    text = pdf_text(response.content)
    for expected in (
        "Harbour Clinic",
        "Zoë Łukasiewicz",
        "Penicillin allergy since 2009.",
        "Prefers morning visits.",
        "Knee pain",
        "Flu jab",
        "Blood panel March",
        str(world.doctor),
        f"{timezone.localtime(record['upcoming'].starts_at):%a %d %b %Y}",
    ):
        assert expected in text, (expected, text)
    assert "Old scan" not in text
    assert ("Second opinion" in text) is (role != "doctor")  # a doctor sees their own visits only


@pytest.mark.parametrize(("first_name", "last_name"), NAMES)
def test_non_latin_names_come_out_as_written(api, world, first_name, last_name):
    client = ClientFactory(first_name=first_name, last_name=last_name, assigned_doctor=world.doctor)
    AppointmentFactory(client=client, doctor=world.doctor, starts_at=next_slot(days=2), reason="Контроль")

    response = api(world.staff).get(export_url(client.pk, "pdf"))

    assert response.status_code == 200
    text = pdf_text(response.content)
    assert f"{first_name} {last_name}" in text and "Контроль" in text


def test_a_character_the_font_lacks_prints_as_a_question_mark_and_is_never_logged(api, world, caplog):
    client = ClientFactory(first_name="王", last_name="小明")
    with caplog.at_level(logging.DEBUG):
        pdf = api(world.staff).get(export_url(client.pk, "pdf"))
        exported = api(world.staff).get(export_url(client.pk, "json"))

    assert pdf.status_code == 200 and "? ??" in pdf_text(pdf.content)
    assert exported.json()["client"]["last_name"] == "小明"  # the JSON keeps every character
    logged = " ".join(f"{record.getMessage()} {record.args}" for record in caplog.records)
    assert "小" not in logged and "738b" not in logged.lower()


def test_the_json_is_the_record_as_the_api_shows_it(api, world, record):
    patient = api(world.patient)

    response = patient.get(export_url(world.client.pk, "json"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="record-{world.client.pk}.json"'
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert set(body) == {"clinic_name", "generated_at", "client", "appointments", "documents", "doctors"}
    assert body["clinic_name"] == "Harbour Clinic"
    assert body["client"] == patient.get(f"/api/v1/clients/{world.client.pk}").json()
    assert body["client"]["medical_history"] == "Penicillin allergy since 2009."  # decrypted
    appointments = patient.get("/api/v1/appointments/").json()["results"]
    by_id = {row["id"]: row for row in appointments}
    assert body["appointments"]["upcoming"] == [
        by_id[record["upcoming"].pk],
        by_id[record["elsewhere"].pk],
    ]
    assert body["appointments"]["past"] == [by_id[record["past"].pk]]
    listed = patient.get(f"/api/v1/clients/{world.client.pk}/documents/").json()["results"]
    assert body["documents"] == listed and [d["title"] for d in listed] == ["Blood panel March"]
    assert body["doctors"] == sorted(
        [
            {"id": world.doctor.pk, "name": str(world.doctor)},
            {"id": record["elsewhere"].doctor_id, "name": str(record["elsewhere"].doctor)},
        ],
        key=lambda doctor: doctor["name"],
    )


def test_a_doctor_exports_their_own_visits_with_their_patient(api, world, record):
    body = api(world.doctor).get(export_url(world.client.pk, "json")).json()
    ids = [row["id"] for row in body["appointments"]["upcoming"] + body["appointments"]["past"]]
    assert ids == [record["upcoming"].pk, record["past"].pk]
    assert body["doctors"] == [{"id": world.doctor.pk, "name": str(world.doctor)}]


@pytest.mark.parametrize("extension", ["pdf", "json"])
def test_each_export_is_an_audit_event_without_phi(api, world, record, extension):
    response = api(world.patient).get(export_url(world.client.pk, extension) + "/")  # with a slash too

    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.actor, event.object_type, event.object_id, event.fields) == (
        world.patient,
        "client",
        str(world.client.pk),
        [],
    )
    stored = json.dumps(list(AuditEvent.objects.values()), default=str)
    for phi in ("Zoë", "Łukasiewicz", "Penicillin", "Knee pain", "Blood panel"):
        assert phi not in stored


@pytest.mark.parametrize("extension", ["pdf", "json"])
@pytest.mark.parametrize(
    ("role", "status", "code"),
    [
        ("other_patient", 404, "not_found"),
        ("other_doctor", 404, "not_found"),
        ("anonymous", 401, "not_authenticated"),
    ],
)
def test_out_of_scope_is_answered_as_the_record_is_and_nothing_is_audited(
    api, world, record, extension, role, status, code
):
    caller = api(world.user(role))
    detail = caller.get(f"/api/v1/clients/{world.client.pk}")

    response = caller.get(export_url(world.client.pk, extension))

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert (detail.status_code, detail.json()["code"]) == (status, code)
    assert response["Content-Type"] == "application/json"
    assert "Łukasiewicz" not in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize("extension", ["pdf", "json"])
def test_unknown_and_archived_records_are_404(api, world, extension):
    archived = ClientFactory(is_archived=True)
    for client_id in (archived.pk, 2147483647):
        response = api(world.admin).get(export_url(client_id, extension))
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_an_emergency_grant_opens_the_export_as_it_opens_the_record(api, world, record):
    other = api(world.other_doctor)
    grant = other.post(
        f"/api/v1/clients/{world.client.pk}/emergency-access", {"reason": "Unconscious in the waiting room"}
    )
    assert grant.status_code == 201
    assert other.get(export_url(world.client.pk, "json")).status_code == 200


@pytest.mark.parametrize(
    ("extension", "accept", "status", "content_type"),
    [
        ("pdf", "application/pdf", 200, "application/pdf"),
        ("pdf", "*/*", 200, "application/pdf"),
        ("pdf", "application/*", 200, "application/pdf"),
        ("pdf", "application/json", 406, "application/json"),
        ("json", "application/json", 200, "application/json"),
        ("json", "application/pdf", 406, "application/json"),
    ],
)
def test_each_export_follows_the_accept_header_and_errors_stay_json(
    api, world, extension, accept, status, content_type
):
    response = api(world.patient).get(export_url(world.client.pk, extension), HTTP_ACCEPT=accept)
    assert (response.status_code, response["Content-Type"]) == (status, content_type)
    if status == 406:
        assert response.json()["code"] == "not_acceptable"


@pytest.mark.parametrize("extension", ["pdf", "json"])
def test_an_export_costs_the_same_queries_however_long_the_record(
    api, world, extension, django_assert_max_num_queries
):
    for day in range(1, 41):
        AppointmentFactory(client=world.client, doctor=world.doctor, starts_at=next_slot(days=day))
        AppointmentFactory(client=world.client, doctor=world.other_doctor, starts_at=next_slot(days=-day))
    for number in range(10):
        add_document(world, title=f"Report {number}")
    staff = api(world.staff)

    # The record (with its doctor), its visits (with theirs), its documents, the audit row.
    with django_assert_max_num_queries(4):
        response = staff.get(export_url(world.client.pk, extension))

    assert response.status_code == 200
