"""`clients/{id}/export.json` and `clients/{id}/export.pdf`: thin; what an
export holds, and why it is scheduling's, is in scheduling/exports.py."""

from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.models import Client
from scheduling import exports

SUMMARY = "The patient's record summary: demographics, medical history, appointments, documents"
DESCRIPTION = (
    "Scoped like `GET clients/{id}` (a patient their own record, a doctor their patients, "
    "staff and admins any); appointments as the caller sees them in `/appointments/`. "
    "Each export is an audit `export` event; the answer is an attachment with "
    "`Cache-Control: no-store`."
)
NOT_ACCEPTABLE = OpenApiResponse(
    {"$ref": "#/components/schemas/Error"},
    description="`not_acceptable`: the Accept header admits neither this format nor `*/*`",
)


class PDFRenderer(BaseRenderer):
    """Passes through the bytes clinic.pdf made; `Accept: application/pdf` is served."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class RecordExportView(APIView):
    permission_classes = [IsAuthenticated]
    extension = ""

    def export(self, request, pk) -> dict:
        """The record the caller may see (else 404, as `GET clients/{id}`), exported and audited."""
        scope = Client.objects.visible_to(request.user).select_related("assigned_doctor")
        client = get_object_or_404(scope, pk=pk)
        return exports.export_record(client=client, user=request.user, request=request)

    def attachment(self, response: Response, pk) -> Response:
        filename = exports.record_filename(int(pk), self.extension)
        response["Content-Disposition"] = content_disposition_header(True, filename)
        response["Cache-Control"] = "no-store"
        return response


class RecordExportJSONView(RecordExportView):
    extension = "json"

    @extend_schema(
        tags=["clients"],
        summary=SUMMARY + ", as JSON",
        description=DESCRIPTION,
        responses={200: exports.RecordExportSerializer, (406, "application/json"): NOT_ACCEPTABLE},
    )
    def get(self, request, pk):
        return self.attachment(Response(self.export(request, pk)), pk)


class RecordExportPDFView(RecordExportView):
    extension = "pdf"
    renderer_classes = [PDFRenderer]

    @extend_schema(
        tags=["clients"],
        summary=SUMMARY + ", as a PDF",
        description=DESCRIPTION,
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, (406, "application/json"): NOT_ACCEPTABLE},
    )
    def get(self, request, pk):
        return self.attachment(Response(exports.record_pdf(self.export(request, pk))), pk)

    def finalize_response(self, request, response, *args, **kwargs):
        # Only the PDF itself is application/pdf: errors (406 included) and
        # OPTIONS are JSON whatever the Accept (API.md, "Errors").
        if isinstance(response, Response) and not isinstance(response.data, bytes):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
