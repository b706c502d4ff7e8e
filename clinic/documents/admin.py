"""Documents in the admin: metadata only, archive/restore, and a download that
goes through the same audited, decrypting path as the API. No file widget:
nothing here can write or read the stored bytes around the encryption."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from clinic.documents import services as documents
from clinic.documents.views import document_response
from clinic.models import Document

METADATA = (
    "id",
    "client",
    "title",
    "kind",
    "content_type",
    "size",
    "sha256",
    "uploaded_by",
    "is_archived",
    "created_at",
)


def download_link(document: Document) -> str:
    if not document.pk:
        return "-"
    url = reverse("admin:clinic_document_download", args=[document.pk])
    return format_html('<a href="{}">{}</a>', url, _("Download"))


class DocumentAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "client_id",
        "kind",
        "content_type",
        "size",
        "uploaded_by",
        "is_archived",
        "created_at",
    )
    list_filter = ("kind", "is_archived", "content_type")
    # Title and file name may be PHI (and are encrypted): search by ids only.
    search_fields = ("=id", "=client__id")
    list_select_related = ("uploaded_by",)
    fields = (*METADATA, "download")
    readonly_fields = fields
    actions = ("archive", "restore")

    @admin.display(description=_("File"))
    def download(self, document):
        return download_link(document)

    def has_add_permission(self, request):
        return False  # uploads go through the API, which encrypts and checks them

    def has_delete_permission(self, request, obj=None):
        return False  # archive instead: restorable, and the file is kept

    def get_urls(self):
        download_view = self.admin_site.admin_view(self.download_view)
        return [
            path("<int:document_id>/download/", download_view, name="clinic_document_download"),
            *super().get_urls(),
        ]

    def download_view(self, request, document_id):
        """The decrypted file, audited as a `view` like an API download."""
        document = get_object_or_404(Document, pk=document_id)
        if not self.has_view_permission(request, document):
            raise PermissionDenied
        return document_response(
            document, documents.read_document(document=document, actor=request.user, request=request)
        )

    @admin.action(description=_("Archive selected documents"))
    def archive(self, request, queryset):
        for document in queryset.filter(is_archived=False):
            documents.archive_document(document=document, actor=request.user, request=request)
        messages.success(request, _("Archived."))

    @admin.action(description=_("Restore selected documents"))
    def restore(self, request, queryset):
        for document in queryset.filter(is_archived=True):
            documents.restore_document(document=document, actor=request.user, request=request)
        messages.success(request, _("Restored."))


class DocumentInline(admin.TabularInline):
    """The client's documents on its admin page: metadata and an audited download link."""

    model = Document
    fields = (
        "id",
        "title",
        "kind",
        "content_type",
        "size",
        "uploaded_by",
        "is_archived",
        "created_at",
        "download",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    @admin.display(description=_("File"))
    def download(self, document):
        return download_link(document)

    def has_add_permission(self, request, obj=None):
        return False


def register(site: admin.AdminSite) -> None:
    """Called by clinic/admin.py."""
    site.register(Document, DocumentAdmin)
