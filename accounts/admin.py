from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts import mfa, services
from accounts.forms import AdminLoginForm, UserCreateForm, UserEditForm
from accounts.models import AuditEvent, Role, User

admin.site.login_form = AdminLoginForm  # the second factor's code, for those who have one


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    list_display = ("username", "email", "full_name", "role", "is_active", "date_joined")
    list_filter = ("role", "is_active", "is_staff", "is_superuser", "language")
    search_fields = ("username", "email", "full_name")
    ordering = ("username",)
    # Higher apps add theirs: scheduling plugs in the doctor's working hours.
    inlines = ()
    # is_staff and the role groups follow `role` (accounts.roles): shown, not edited.
    readonly_fields = ("is_staff", "groups", "last_login", "date_joined", "tokens_valid_after")
    fieldsets = (
        (None, {"fields": ("username", "email", "password")}),
        (_("Profile"), {"fields": ("full_name", "role", "language")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined", "tokens_valid_after")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "full_name", "role", "language", "password1", "password2"),
            },
        ),
    )

    def get_queryset(self, request):
        """Who sees which accounts: an admin every one; the front desk the
        clinic's people only. A patient's account is reached through their
        client record, whose Account box (an autocomplete limited to patient
        accounts by the field itself) is the one place staff meet them."""
        queryset = super().get_queryset(request)
        user = request.user
        if user.is_superuser or user.is_admin or request.path == reverse("admin:autocomplete"):
            return queryset
        return queryset.exclude(role=Role.PATIENT)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return self.readonly_fields
        return (*self.readonly_fields, "is_superuser")  # only a superuser makes another

    def save_model(self, request, obj, form, change):
        """Through the same services as the API: a new user is made by
        `create_user` (role group, audit), and a role change or a deactivation
        here revokes the user's tokens too (and moves their group)."""
        if not change:
            created = services.create_user(
                email=obj.email, username=obj.username, password=form.cleaned_data["password1"],
                full_name=obj.full_name, role=obj.role, actor=request.user, request=request,
            )  # fmt: skip
            obj.pk, obj._state = created.pk, created._state  # the admin logs and links the row made
            obj.refresh_from_db()
        elif form.changed_data:
            services.save_user_changes(
                user=obj, changed=form.changed_data, actor=request.user, request=request
            )

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: nothing referencing the user is lost

    actions = ["reset_second_factor"]

    @admin.action(
        description=_("Reset the second factor (lost device); signs them out everywhere"),
        permissions=["reset_second_factor"],
    )
    def reset_second_factor(self, request, queryset):
        users = list(queryset.filter(mfa_enabled=True))
        for user in users:
            mfa.reset(user=user, by=request.user, request=request)
        names = ", ".join(str(user) for user in users) or _("nobody (none had one)")
        self.message_user(request, _("Second factor reset: %(names)s.") % {"names": names})

    def has_reset_second_factor_permission(self, request):
        return request.user.is_admin


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "action", "actor", "object_link", "ip", "request_id")
    list_filter = ("action", "object_type", ("actor", admin.RelatedOnlyFieldListFilter))
    search_fields = ("object_id", "request_id", "actor__username")
    list_select_related = ("actor",)
    date_hierarchy = "at"
    readonly_fields = ("at", "action", "actor", "object_type", "object_id", "ip", "request_id", "fields")

    @admin.display(description=_("Object"), ordering="object_type")
    def object_link(self, event):
        """`appointment #42`, linked to its admin page when it has one: ids only,
        as the row holds (no names in the audit trail)."""
        label = f"{event.object_type} #{event.object_id}" if event.object_id else event.object_type
        url = admin_url_of(self.admin_site, event.object_type, event.object_id)
        return format_html('<a href="{}">{}</a>', url, label) if url else label

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def admin_url_of(site: admin.AdminSite, object_type: str, object_id: str) -> str | None:
    """The change page of an audited object, found by its model name among the
    registered models (every app's, without importing them)."""
    model = next((m for m in site._registry if m._meta.model_name == object_type), None)
    if model is None or not object_id.isdigit():
        return None
    return reverse(f"{site.name}:{model._meta.app_label}_{model._meta.model_name}_change", args=[object_id])
