"""`GET /api/v1/reports/utilization` and `….csv`: parse the query, call
`utilization_report`, render (API.md, "Reports")."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsClinician
from scheduling.reports import csv_export
from scheduling.reports.serializers import (
    UtilizationQuerySerializer,
    UtilizationReportSerializer,
    report_data,
)
from scheduling.reports.utilization import utilization_report


class UtilizationMixin:
    permission_classes = [IsClinician]  # which doctors each may read: utilization.report_doctors

    def report(self, request):
        query = UtilizationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        return utilization_report(
            user=request.user,
            first=params["from"],
            last=params["to"],
            doctor_id=params.get("doctor"),
            group=params["group"],
        )


class UtilizationView(UtilizationMixin, APIView):
    @extend_schema(parameters=[UtilizationQuerySerializer], responses=UtilizationReportSerializer)
    def get(self, request):
        return Response(report_data(self.report(request)))


NOT_ACCEPTABLE = OpenApiResponse(
    {"$ref": "#/components/schemas/Error"},
    description="`not_acceptable`: the Accept header admits neither `text/csv` nor `*/*`",
)


class UtilizationCsvView(UtilizationMixin, APIView):
    renderer_classes = [csv_export.CsvRenderer]

    @extend_schema(
        parameters=[UtilizationQuerySerializer],
        responses={(200, "text/csv"): OpenApiTypes.STR, (406, "application/json"): NOT_ACCEPTABLE},
    )
    def get(self, request):
        report = self.report(request)
        response = Response(csv_export.report_csv(report))
        response["Content-Disposition"] = f'attachment; filename="{csv_export.filename(report)}"'
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        # Only the report itself is CSV: errors, the 406 included, are JSON (API.md, "Errors").
        if isinstance(response, Response) and not isinstance(response.data, str):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
