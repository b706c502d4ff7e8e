"""`/api/v1/clients/{client_id}/documents/`: thin; rules live in clinic/documents/services.py."""

from django.core.files.uploadhandler import FileUploadHandler
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from clinic.documents import content
from clinic.documents import services as documents
from clinic.documents.serializers import DocumentSerializer, DocumentUploadSerializer
from clinic.exceptions import FileTooLarge
from clinic.models import Client, Document

# Room for the multipart framing and the form's small fields around the file.
MULTIPART_OVERHEAD = 64 * 1024


class DocumentSizeLimit(FileUploadHandler):
    """Refuses an upload as it streams in, before Django spools all of it:
    on a too-long body up front, or on the first chunk past the limit."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > content.max_document_bytes() + MULTIPART_OVERHEAD:
            raise FileTooLarge()

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > content.max_document_bytes():
            raise FileTooLarge()
        return raw_data

    def file_complete(self, file_size):
        return None


class MayArchiveDocument(BasePermission):
    """DELETE is for admins; checked on the object, so "not yours" stays 404."""

    def has_object_permission(self, request, view, obj):
        return view.action != "destroy" or request.user.is_admin


CLIENT_ID = OpenApiParameter("client_id", OpenApiTypes.INT, OpenApiParameter.PATH)
DOC_ID = OpenApiParameter("doc_id", OpenApiTypes.INT, OpenApiParameter.PATH)
ERRORS = {404: OpenApiResponse(description="Not found (or not yours)")}


# What a download may be: only these are accepted on upload (clinic.documents).
DOWNLOAD_TYPES = [*content.ACCEPTED_TYPES, content.TEXT_TYPE.partition(";")[0]]


@extend_schema_view(
    list=extend_schema(parameters=[CLIENT_ID], responses={200: DocumentSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(parameters=[CLIENT_ID, DOC_ID], responses={200: DocumentSerializer, **ERRORS}),
    destroy=extend_schema(
        parameters=[CLIENT_ID, DOC_ID],
        responses={204: None, 403: OpenApiResponse(description="Admins only"), **ERRORS},
    ),
)
class DocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DocumentSerializer
    permission_classes = [IsAuthenticated, MayArchiveDocument]
    parser_classes = [MultiPartParser, FormParser]
    lookup_url_kwarg = "doc_id"
    lookup_value_regex = r"\d+"
    filter_backends = []

    def initialize_request(self, request, *args, **kwargs):
        drf_request = super().initialize_request(request, *args, **kwargs)
        if self.action == "create":
            # Before anything reads the body (an authenticator's CSRF check would).
            request.upload_handlers.insert(0, DocumentSizeLimit(request))
        return drf_request

    @cached_property
    def client(self) -> Client:
        return get_object_or_404(Client.objects.visible_to(self.request.user), pk=self.kwargs["client_id"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Document.objects.none()
        return Document.objects.filter(client=self.client, is_archived=False).order_by("-created_at", "-id")

    @extend_schema(
        parameters=[CLIENT_ID],
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={
            201: DocumentSerializer,
            400: OpenApiResponse(description="validation_error, unsupported_file_type"),
            413: OpenApiResponse(description="file_too_large"),
            **ERRORS,
        },
    )
    def create(self, request, *args, **kwargs):
        client = self.client  # 404 before the body is judged
        form = DocumentUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        document = documents.store_document(
            client=client,
            uploaded_file=form.validated_data["file"],
            title=form.validated_data["title"],
            kind=form.validated_data["kind"],
            uploaded_by=request.user,
            request=request,
        )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        documents.archive_document(document=instance, actor=self.request.user, request=self.request)

    def destroy(self, request, *args, **kwargs):
        self.perform_destroy(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[CLIENT_ID, DOC_ID],
        responses={**{(200, media_type): OpenApiTypes.BINARY for media_type in DOWNLOAD_TYPES}, **ERRORS},
        description="The decrypted file, as an attachment; every download is audited.",
    )
    @action(detail=True, methods=["get"])
    def download(self, request, *args, **kwargs):
        document = self.get_object()
        return document_response(
            document, documents.read_document(document=document, actor=request.user, request=request)
        )


def document_response(document: Document, content) -> FileResponse:
    """The download answer (API and admin): decrypted bytes streamed, never cached or sniffed."""
    response = FileResponse(content, content_type=document.content_type)
    response["Content-Length"] = str(document.size)
    response["Content-Disposition"] = content_disposition_header(True, documents.download_filename(document))
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
