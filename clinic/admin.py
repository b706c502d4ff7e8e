from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.admin_access import ClinicianAdminMixin
from clinic import services
from clinic.documents import admin as documents_admin
from clinic.documents.admin import DocumentInline
from clinic.models import Client, EmergencyAccess
from clinic.permissions import client_fields_editable_by
from config.admin_errors import form_errors_from
from config.admin_log import NoLogEntryMixin
from config.languages import LanguageOmittedKeepsItMixin


class ClientAdminForm(LanguageOmittedKeepsItMixin, forms.ModelForm):
    class Meta:
        model = Client
        fields = [
            "first_name",
            "last_name",
            "date_of_birth",
            "gender",
            "email",
            "phone",
            "address",
            "language",
            "medical_history",
            "notes",
            "assigned_doctor",
            "user",
        ]

    def clean(self):
        cleaned = super().clean()
        changes = {name: cleaned.get(name) for name in self.changed_data}
        existing = self.instance if self.instance.pk else None
        try:
            services.validate_client_changes(changes=changes, client=existing)
        except ValidationError as error:
            form_errors_from(self, error)
        return cleaned


@admin.register(Client)
class ClientAdmin(NoLogEntryMixin, ClinicianAdminMixin, admin.ModelAdmin):
    """Clinic staff's view of every record, archived ones included (restorable).
    Writes go through `clinic.services`, so the audit trail is the API's."""

    form = ClientAdminForm
    list_display = ("name", "date_of_birth", "phone", "assigned_doctor", "archived")
    list_select_related = ("assigned_doctor",)
    list_filter = ("is_archived", ("assigned_doctor", admin.RelatedOnlyFieldListFilter), "gender")
    date_hierarchy = "created_at"
    list_per_page = 50
    search_fields = ("last_name", "first_name", "email", "phone")
    autocomplete_fields = ("assigned_doctor", "user")
    readonly_fields = ("is_archived", "created_at", "updated_at")
    actions = ("archive", "restore")
    inlines = (DocumentInline,)
    fieldsets = (
        (None, {"fields": ("first_name", "last_name", "date_of_birth", "gender")}),
        (_("Contact"), {"fields": ("email", "phone", "address", "language")}),
        (_("Clinical"), {"fields": ("medical_history", "notes", "assigned_doctor")}),
        (_("Account"), {"fields": ("user", "is_archived", "created_at", "updated_at")}),
    )

    @admin.display(description=_("Name"), ordering="last_name")
    def name(self, client):
        return f"{client.last_name}, {client.first_name}"

    def autocomplete_label(self, client) -> str:
        """`Chloe Rossi · b. 3 Feb 1990 · +44 20 7946 0000` (config.admin_autocomplete)."""
        parts = [f"{client.first_name} {client.last_name}"]
        if client.date_of_birth:
            parts.append(_("b. %(date)s") % {"date": date_format(client.date_of_birth, "j M Y")})
        if client.phone:
            parts.append(client.phone)
        return " · ".join(parts)

    @admin.display(description=_("Archived"), ordering="is_archived")
    def archived(self, client):
        """A word on the few archived records, not a red mark on every active one."""
        return _("Archived") if client.is_archived else ""

    # Roles scope records as in the API: admin and staff manage every record
    # (archived ones too, to restore them), a doctor sees their own patients
    # (`visible_to`) and changes only what `client_fields_editable_by` allows.
    # The model permissions come from the role groups (accounts.roles).
    def get_queryset(self, request):
        user = request.user
        queryset = super().get_queryset(request)
        if user.is_clinic_staff:
            return queryset
        return queryset.filter(pk__in=Client.objects.visible_to(user).values("pk"))

    def has_add_permission(self, request):
        return request.user.is_clinic_staff and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False  # records are archived, never deleted

    def has_archive_permission(self, request):
        return request.user.is_admin  # the API's DELETE: admins only

    def get_readonly_fields(self, request, obj=None):
        writable = frozenset(ClientAdminForm.Meta.fields)
        locked = writable - client_fields_editable_by(request.user, writable)
        return (*self.readonly_fields, *sorted(locked))

    def get_search_results(self, request, queryset, search_term):
        """Substring matches, plus a date of birth or a name off by a typo
        (`Client.objects.resembling`); autocomplete (booking) offers active records only."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            found = found | queryset.filter(pk__in=Client.objects.resembling(search_term).values("pk"))
        queryset = found
        if request.path.endswith("/autocomplete/"):
            queryset = queryset.filter(is_archived=False)
        return queryset, may_have_duplicates

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            services.record_client_view(client=obj, request=request)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            services.update_client(client=obj, changes=changes, actor=request.user, request=request)
            return
        saved = services.create_client(actor=request.user, request=request, **form.cleaned_data)
        obj.pk = saved.pk  # the admin's redirect and messages use `obj`
        obj.refresh_from_db()

    @admin.action(description=_("Archive selected records"), permissions=["archive"])
    def archive(self, request, queryset):
        for client in queryset.filter(is_archived=False):
            services.archive_client(client=client, actor=request.user, request=request)
        self.message_user(request, _("Archived the selected records."), messages.SUCCESS)

    @admin.action(description=_("Restore selected records"), permissions=["archive"])
    def restore(self, request, queryset):
        for client in queryset.filter(is_archived=True):
            services.restore_client(client=client, actor=request.user, request=request)
        self.message_user(request, _("Restored the selected records."), messages.SUCCESS)


@admin.register(EmergencyAccess)
class EmergencyAccessAdmin(admin.ModelAdmin):
    """Break-glass grants, for review: read-only, admins only (the audit trail has each one too)."""

    list_display = ("id", "user", "client_id", "created_at", "expires_at")
    list_select_related = ("user",)
    list_filter = ("created_at",)
    date_hierarchy = "created_at"
    search_fields = ("user__username", "client__id")
    fields = ("user", "client_id", "reason", "created_at", "expires_at")
    readonly_fields = fields

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_admin

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_admin

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


documents_admin.register(admin.site)
