"""The appointment page's "Cancel this and following" for a visit of a series:
a mixin of scheduling.admin.AppointmentAdmin, calling the API's service."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _

from scheduling.series.services import CANCELLABLE, cancel_series

CHANGE_FORM_TEMPLATE = "admin/scheduling/appointment/series_change_form.html"


class SeriesCancelMixin:
    def get_urls(self):
        view = self.admin_site.admin_view(self.cancel_following_view)
        return [
            path(
                "<int:object_id>/series/cancel-following/",
                view,
                name="scheduling_appointment_cancel_following",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A visit of a series that can still be cancelled offers the button."""
        appointment = self.get_object(request, object_id)
        offered = (
            appointment is not None
            and appointment.series_id is not None
            and appointment.status in CANCELLABLE
            and self.has_change_permission(request, appointment)
        )
        extra_context = {**(extra_context or {}), "series_cancel_following": offered}
        return super().change_view(request, object_id, form_url, extra_context)

    def cancel_following_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        appointment = self.get_object(request, str(object_id))
        if appointment is None or appointment.series is None:
            raise Http404
        if not self.has_change_permission(request, appointment):
            raise PermissionDenied
        cancel_series(
            series=appointment.series, since=appointment.starts_at, by=request.user, request=request
        )
        self.message_user(
            request, _("Cancelled this visit and the following ones of its series."), messages.SUCCESS
        )
        return HttpResponseRedirect(reverse("admin:scheduling_appointment_change", args=[appointment.pk]))
