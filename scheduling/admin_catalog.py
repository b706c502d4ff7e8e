"""Visit types and rooms in the admin (admins: staff and doctors have no
permission on them). Written through scheduling.catalog, archived rather
than deleted, restored by ticking `active` again."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from scheduling import catalog
from scheduling.models import AppointmentType, Room


class CatalogAdmin(admin.ModelAdmin):
    """A subclass names its catalog functions: `create(**fields)`,
    `update(row, changes, **who)`, `archive(row, **who)`."""

    list_filter = ("active",)
    search_fields = ("name",)
    actions = ("archive_selected",)

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-active", "name")

    def has_delete_permission(self, request, obj=None):
        return False  # booked visits keep their type and room: archive instead

    def save_model(self, request, obj, form, change):
        """Through the catalog; `obj` already holds the form's values for the page."""
        if change:
            original = type(obj).objects.get(pk=obj.pk)
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            self.update(original, changes, by=request.user, request=request)
        else:
            created = self.create(by=request.user, request=request, **form.cleaned_data)
            obj.pk, obj._state.adding = created.pk, False

    @admin.action(description=_("Archive selected"), permissions=["change"])
    def archive_selected(self, request, queryset):
        rows = list(queryset)
        for row in rows:
            self.archive(row, by=request.user, request=request)
        self.message_user(request, _("Archived: %(count)s.") % {"count": len(rows)}, messages.SUCCESS)


class AppointmentTypeAdmin(CatalogAdmin):
    list_display = (
        "name", "duration_minutes", "buffer_before_minutes", "buffer_after_minutes",
        "patient_bookable", "requires_room", "color", "active",
    )  # fmt: skip
    list_filter = ("active", "patient_bookable", "requires_room")
    fields = (
        "name", "duration_minutes", "buffer_before_minutes", "buffer_after_minutes", "color",
        "patient_bookable", "requires_room", "active",
    )  # fmt: skip

    @staticmethod
    def create(**fields):
        return catalog.create_appointment_type(**fields)

    @staticmethod
    def update(row, changes, **who):
        return catalog.update_appointment_type(appointment_type=row, changes=changes, **who)

    @staticmethod
    def archive(row, **who):
        return catalog.archive_appointment_type(appointment_type=row, **who)


class RoomAdmin(CatalogAdmin):
    list_display = ("name", "active")
    fields = ("name", "active")

    @staticmethod
    def create(**fields):
        return catalog.create_room(**fields)

    @staticmethod
    def update(row, changes, **who):
        return catalog.update_room(room=row, changes=changes, **who)

    @staticmethod
    def archive(row, **who):
        return catalog.archive_room(room=row, **who)


def register(site: admin.AdminSite) -> None:
    """Called by scheduling/admin.py."""
    site.register(AppointmentType, AppointmentTypeAdmin)
    site.register(Room, RoomAdmin)
