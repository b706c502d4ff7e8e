from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from clinic import services
from clinic.document_admin import DocumentInline
from clinic.models import Client


class ClientAdminForm(forms.ModelForm):
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
            self.add_error(None, error)
        return cleaned


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    """Clinic staff's view of every record, archived ones included (restorable).
    Writes go through `clinic.services`, so the audit trail is the API's."""

    form = ClientAdminForm
    list_display = ("name", "assigned_doctor", "phone", "is_archived")
    list_select_related = ("assigned_doctor",)
    list_filter = ("is_archived", ("assigned_doctor", admin.RelatedOnlyFieldListFilter))
    search_fields = ("last_name", "first_name", "email", "phone")
    autocomplete_fields = ("assigned_doctor", "user")
    readonly_fields = ("is_archived", "created_at", "updated_at")
    actions = ("archive", "restore")
    inlines = (DocumentInline,)
    fieldsets = (
        (None, {"fields": ("first_name", "last_name", "date_of_birth", "gender")}),
        ("Contact", {"fields": ("email", "phone", "address")}),
        ("Clinical", {"fields": ("medical_history", "notes", "assigned_doctor")}),
        ("Account", {"fields": ("user", "is_archived", "created_at", "updated_at")}),
    )

    @admin.display(description="Name", ordering="last_name")
    def name(self, client):
        return f"{client.last_name}, {client.first_name}"

    # Roles are the project's permission system: admin and staff manage every
    # record (as in the API); a doctor or patient never, whatever model
    # permissions they were given. Signing in to the admin still needs is_staff.
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_clinic_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False  # records are archived, never deleted

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

    # Django's LogEntry keeps str(obj), a patient's name; the AuditEvent rows
    # written by the services are the record of admin changes instead.
    def log_addition(self, request, obj, message):
        return None

    def log_change(self, request, obj, message):
        return None

    @admin.action(description="Archive selected records", permissions=["change"])
    def archive(self, request, queryset):
        for client in queryset.filter(is_archived=False):
            services.archive_client(client=client, actor=request.user, request=request)
        self.message_user(request, "Archived the selected records.", messages.SUCCESS)

    @admin.action(description="Restore selected records", permissions=["change"])
    def restore(self, request, queryset):
        for client in queryset.filter(is_archived=True):
            services.restore_client(client=client, actor=request.user, request=request)
        self.message_user(request, "Restored the selected records.", messages.SUCCESS)
