"""A patient's record export (API.md, "Exports"): `clients/{id}/export.json`
and `clients/{id}/export.pdf`, the patient's right of access and portability.

Why it lives in scheduling: the record summary holds the patient's
appointments, past and upcoming, and appointments are scheduling's. Clinic, the
app below, may not import scheduling (docs/architecture.md), while scheduling
may import clinic; so the whole export (the record, its documents, its
appointments) is put together here, the one app that sees all of it, and its
routes are registered in scheduling/urls.py under the clients prefix. A hook in
clinic for scheduling to fill in would split one short read over two apps for
no gain. The printed page itself (the clinic's name, the Unicode font) is
clinic.pdf, below both.

The export is built once as a dict (`build_record_export`) through the API's
own scoping (`Client.objects.visible_to` by the view, `Appointment.objects.visible_to`
here) and its own serializers, so every value is decrypted by the models'
encrypted fields and shown exactly as the API shows it; JSON is that dict,
the PDF is rendered from it (`record_pdf`). `export_record` is the service:
build, then write the audit `export` event, which names the record's type and
id only, never its contents."""

from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from rest_framework import serializers

from accounts.audit import record_event
from accounts.models import AuditAction
from clinic.documents.serializers import DocumentSerializer
from clinic.models import Client, DocumentKind, Gender
from clinic.pdf import ClinicPDF
from clinic.serializers import ClientSerializer
from config.fields import StrictCharField
from config.representation import iso_datetime
from scheduling.models import Appointment, Status
from scheduling.serializers import AppointmentSerializer

DASH = "\u2013"
STATUS_LABELS = dict(Status.choices)


class ExportDoctorSerializer(serializers.Serializer):
    """A doctor the export names (the assigned doctor, each visit's doctor)."""

    id = serializers.IntegerField()
    name = StrictCharField()


class ExportAppointmentsSerializer(serializers.Serializer):
    upcoming = AppointmentSerializer(many=True, help_text="Not yet ended, soonest first.")
    past = AppointmentSerializer(many=True, help_text="Ended, most recent first.")


class RecordExportSerializer(serializers.Serializer):
    """The JSON export; the PDF shows the same."""

    clinic_name = StrictCharField()
    generated_at = serializers.DateTimeField()
    client = ClientSerializer()
    appointments = ExportAppointmentsSerializer()
    documents = DocumentSerializer(
        many=True, help_text="The files' details, newest first; never their content."
    )
    doctors = ExportDoctorSerializer(many=True)


def build_record_export(*, client: Client, user) -> dict:
    """The record as `user` may see it: the client, the appointments of theirs
    that `user` sees in /appointments/ (a doctor: their own), the documents
    listed on the record. Three queries, whatever their number."""
    now = timezone.now()
    appointments = list(
        Appointment.objects.visible_to(user)
        .filter(client=client)
        .select_related("doctor")
        .order_by("starts_at", "id")
    )
    doctors = {
        doctor.pk: doctor for doctor in [client.assigned_doctor, *(a.doctor for a in appointments)] if doctor
    }
    return {
        "clinic_name": settings.CLINIC_NAME,
        "generated_at": iso_datetime(now),
        "client": ClientSerializer(client).data,
        "appointments": {
            "upcoming": AppointmentSerializer([a for a in appointments if a.ends_at > now], many=True).data,
            "past": AppointmentSerializer(
                [a for a in reversed(appointments) if a.ends_at <= now], many=True
            ).data,
        },
        "documents": DocumentSerializer(client.documents.filter(is_archived=False), many=True).data,
        "doctors": [
            {"id": doctor.pk, "name": str(doctor)}
            for doctor in sorted(doctors.values(), key=lambda doctor: (str(doctor), doctor.pk))
        ],
    }


def export_record(*, client: Client, user, request=None) -> dict:
    """Build the export and record it as an audit `export` event (type and id only)."""
    export = build_record_export(client=client, user=user)
    record_event(action=AuditAction.EXPORT, actor=user, obj=client, request=request)
    return export


def record_filename(client_id: int, extension: str) -> str:
    """The download's name: the record's id, never the patient's name."""
    return f"record-{client_id}.{extension}"


# The PDF, rendered from the export dict.

GENDERS = dict(Gender.choices)
KINDS = dict(DocumentKind.choices)


def record_pdf(export: dict) -> bytes:
    """The record summary as a PDF: demographics, medical history and notes,
    appointments (upcoming, then past), the documents list."""
    client = export["client"]
    names = {doctor["id"]: doctor["name"] for doctor in export["doctors"]}
    name = f"{client['first_name']} {client['last_name']}"
    pdf = ClinicPDF(_("Patient record summary: %(name)s") % {"name": name})
    pdf.heading(_("Patient"))
    pdf.fields(
        [
            (_("Name"), name),
            (_("Date of birth"), _date(client["date_of_birth"])),
            (_("Gender"), str(GENDERS.get(client["gender"], ""))),
            (_("Email"), client["email"] or ""),
            (_("Phone"), client["phone"]),
            (_("Address"), client["address"]),
            (_("Assigned doctor"), names.get(client["assigned_doctor"], "")),
            (_("Record number"), str(client["id"])),
        ]
    )
    pdf.heading(_("Medical history"))
    pdf.paragraph(client["medical_history"])
    pdf.heading(_("Notes"))
    pdf.paragraph(client["notes"])
    for title, key in ((_("Upcoming appointments"), "upcoming"), (_("Past appointments"), "past")):
        pdf.heading(title)
        _appointments_table(pdf, export["appointments"][key], names)
    pdf.heading(_("Documents"))
    _documents_table(pdf, export["documents"])
    return pdf.to_bytes()


def _appointments_table(pdf: ClinicPDF, appointments: list[dict], names: dict[int, str]) -> None:
    if not appointments:
        pdf.note(_("None."))
        return
    rows = [
        [
            _visit_time(a["starts_at"], a["ends_at"]),
            names.get(a["doctor"], ""),
            str(STATUS_LABELS.get(a["status"], a["status"])),
            _visit_details(a),
        ]
        for a in appointments
    ]
    headings = [_("When"), _("Doctor"), _("Status"), _("Reason and notes")]
    pdf.table_of(headings, rows, widths=(30, 24, 14, 38))


def _documents_table(pdf: ClinicPDF, documents: list[dict]) -> None:
    if not documents:
        pdf.note(_("None."))
        return
    rows = [
        [
            _moment(d["created_at"]),
            d["title"],
            str(KINDS.get(d["kind"], d["kind"])),
            d["content_type"],
            _size(d["size"]),
        ]
        for d in documents
    ]
    headings = [_("Added"), _("Title"), _("Kind"), _("Type"), _("Size")]
    pdf.table_of(headings, rows, widths=(22, 40, 16, 18, 10))


def _visit_details(appointment: dict) -> str:
    parts = [appointment["reason"], appointment["notes"]]
    if appointment["cancel_reason"]:
        parts.append(_("Cancelled: %(reason)s") % {"reason": appointment["cancel_reason"]})
    return "\n".join(part for part in parts if part)


def _local(value: str) -> datetime:
    return timezone.localtime(datetime.fromisoformat(value))


def _moment(value: str) -> str:
    return date_format(_local(value), "d M Y H:i")


def _visit_time(starts_at: str, ends_at: str) -> str:
    start, end = _local(starts_at), _local(ends_at)
    return f"{date_format(start, 'D d M Y')}\n{start:%H:%M}{DASH}{end:%H:%M}"


def _date(value: str | None) -> str:
    return date_format(datetime.fromisoformat(value), "d M Y") if value else ""


def _size(size: int) -> str:
    return f"{size / 1024:.0f} KiB" if size >= 1024 else f"{size} B"
