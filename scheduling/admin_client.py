"""A client's visits on their page of the Client admin, with "Book
appointment" (the booking form with the client filled in). clinic sits below
scheduling and does not know this inline: scheduling plugs it in."""

from django.contrib import admin
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from clinic.admin import ClientAdmin
from scheduling.models import Appointment


class ClientAppointmentsInline(admin.TabularInline):
    """Read-only: visits are booked and changed on their own pages."""

    model = Appointment
    fk_name = "client"
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("when", "doctor", "status", "reason")
    readonly_fields = fields
    ordering = ("-starts_at",)
    template = "admin/scheduling/appointment/client_inline.html"
    verbose_name_plural = _("Appointments")

    @admin.display(description=_("When"))
    def when(self, appointment):
        return format_html("{}", date_format(timezone.localtime(appointment.starts_at), "D j M Y H:i"))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("doctor", "client")

    def has_view_permission(self, request, obj=None):
        """A list to read, not part of the client's form: a POST of that form
        (which carries no management data for it) does not build it."""
        return request.method != "POST" and super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def register(site: admin.AdminSite) -> None:
    """Called by scheduling/admin.py."""
    ClientAdmin.inlines = (*ClientAdmin.inlines, ClientAppointmentsInline)
