"""Admin for appointments, time off and (inline on the doctor) working hours;
visit types and rooms, reminders and the waitlist register from their modules.
Every write goes through scheduling.services, so the admin obeys the API's rules."""

import contextlib
from datetime import datetime, timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from config.admin_errors import form_errors_from
from config.admin_log import NoLogEntryMixin
from config.admin_widgets import MINUTE_FIELDS
from config.exceptions import DomainError
from scheduling import admin_catalog, admin_client, admin_hours, selectors, services
from scheduling.admin_filters import WhenFilter, ordering_for
from scheduling.admin_scope import ScopedToDoctorMixin
from scheduling.exceptions import RoomTaken, SlotTaken
from scheduling.models import Appointment, AppointmentType, Room
from scheduling.permissions import appointment_fields_editable_by
from scheduling.reminders import admin as reminders_admin
from scheduling.series.admin import CHANGE_FORM_TEMPLATE, SeriesCancelMixin
from scheduling.waitlist import admin as waitlist_admin


class AppointmentAdminForm(forms.ModelForm):
    """Books or changes through the services inside `clean()`, so every refusal
    (overlap, working hours, the past, a room, even a lost race) is a form
    error, never a 500. The admin's change view is atomic: a later failure rolls
    the booking back. Types and rooms offered: the active ones (and the visit's own)."""

    acting_user = None
    acting_request = None

    class Meta:
        model = Appointment
        fields = [
            "client", "doctor", "starts_at", "appointment_type", "duration_minutes", "room",
            "reason", "notes",
        ]  # fmt: skip
        help_texts = {
            "duration_minutes": _("Minutes. Empty: the visit type's length (30 without a type)."),
            "room": _("Needed by visit types that require a room."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "duration_minutes" in self.fields:
            self.fields["duration_minutes"].required = False
            if self.instance.pk is None:
                self.initial.pop("duration_minutes", None)
        offered = {"appointment_type": AppointmentType, "room": Room}
        for name, model in offered.items():
            if name in self.fields and hasattr(self.fields[name], "queryset"):
                current = getattr(self.instance, f"{name}_id", None)
                self.fields[name].queryset = model.objects.filter(Q(active=True) | Q(pk=current))

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.instance = self._save_through_services(cleaned)
        except (SlotTaken, RoomTaken) as error:
            form_errors_from(self, type(error)(self._taken_detail(cleaned, error)))
        except (ValidationError, DomainError) as error:
            form_errors_from(self, error)
        return cleaned

    def _planned(self, cleaned):
        """Doctor, start, length, buffers and room the refused visit asked for."""
        visit = self.instance
        visit_type = cleaned.get("appointment_type", visit.appointment_type)
        type_changed = (
            visit_type.pk if visit_type else None
        ) != visit.appointment_type_id or visit.pk is None
        minutes = cleaned.get("duration_minutes") or (
            visit_type.duration_minutes if visit_type and type_changed else visit.duration_minutes
        )
        if type_changed:
            buffers = (
                (visit_type.buffer_before_minutes, visit_type.buffer_after_minutes) if visit_type else (0, 0)
            )
        else:
            buffers = (visit.buffer_before_minutes, visit.buffer_after_minutes)
        doctor = cleaned.get("doctor") or visit.doctor
        return doctor, cleaned["starts_at"], minutes, buffers, cleaned.get("room", visit.room)

    def _taken_detail(self, cleaned, error) -> str:
        """The refusal, with the visit it clashes with and the next free time."""
        doctor, starts_at, minutes, buffers, room = self._planned(cleaned)
        ends_at = starts_at + timedelta(minutes=minutes or services.DEFAULT_DURATION)
        exclude = self.instance.pk
        if isinstance(error, RoomTaken):
            clash = selectors.room_clash(room, starts_at, ends_at, exclude_pk=exclude)
        else:
            clash = selectors.clashing_visit(doctor, starts_at, ends_at, buffers=buffers, exclude_pk=exclude)
        parts = [str(error.detail)]
        if clash is not None:
            parts.append(_("It clashes with %(visit)s.") % {"visit": clash})
        free = selectors.next_free_start(doctor, starts_at, minutes, buffers=buffers, room=room)
        if free is not None:
            when = date_format(timezone.localtime(free), "D j M H:i")
            if room is not None:
                text = _("The next free %(minutes)s minutes in %(room)s: %(when)s.")
            else:
                text = _("The next free %(minutes)s minutes: %(when)s.")
            parts.append(text % {"minutes": minutes, "room": room, "when": when})
        return " ".join(parts)

    def _save_through_services(self, cleaned):
        if self.instance.pk is None:
            return services.book_appointment(
                client=cleaned["client"], doctor=cleaned["doctor"], starts_at=cleaned["starts_at"],
                duration_minutes=cleaned.get("duration_minutes"),
                appointment_type=cleaned.get("appointment_type"), room=cleaned.get("room"),
                reason=cleaned.get("reason", ""), notes=cleaned.get("notes", ""),
                created_by=self.acting_user, request=self.acting_request,
            )  # fmt: skip
        changes = {name: cleaned[name] for name in services.EDITABLE_FIELDS if name in cleaned}
        if changes.get("duration_minutes", 0) is None:  # left empty: kept, or the new type's
            del changes["duration_minutes"]
        return services.update_appointment(
            appointment=self.instance, changes=changes, by=self.acting_user, request=self.acting_request
        )


@admin.register(Appointment)
class AppointmentAdmin(SeriesCancelMixin, NoLogEntryMixin, ScopedToDoctorMixin, admin.ModelAdmin):
    form = AppointmentAdminForm
    formfield_overrides = MINUTE_FIELDS
    list_display = ("starts_at", "client", "doctor", "appointment_type", "room", "status", "reason")
    list_filter = (WhenFilter, "status", ("doctor", admin.RelatedOnlyFieldListFilter))
    search_fields = ("client__last_name", "client__first_name", "doctor__full_name", "doctor__username")
    date_hierarchy = "starts_at"
    list_select_related = ("doctor", "client", "appointment_type", "room")
    autocomplete_fields = ("client", "doctor")
    readonly_fields = (
        "status",
        "ends_at",
        "buffer_before_minutes",
        "buffer_after_minutes",
        "created_by",
        "created_at",
        "updated_at",
    )
    actions = (
        "confirm_selected",
        "check_in_selected",
        "complete_selected",
        "no_show_selected",
        "cancel_selected",
    )

    change_form_template = CHANGE_FORM_TEMPLATE  # the status buttons, and a series' cancel

    def get_ordering(self, request):
        return ordering_for(request)

    def get_urls(self):
        from scheduling.admin_views import day_schedule_pdf_view, day_schedule_view
        from scheduling.reports.admin import reports_view

        day = self.admin_site.admin_view(day_schedule_view(self))
        day_pdf = self.admin_site.admin_view(day_schedule_pdf_view(self))
        status = self.admin_site.admin_view(self.status_view)
        reports = self.admin_site.admin_view(reports_view(self))
        reports_csv = self.admin_site.admin_view(reports_view(self, as_csv=True))
        return [
            path("day/", day, name="scheduling_appointment_day"),
            path("day/pdf/", day_pdf, name="scheduling_appointment_day_pdf"),
            path("reports/", reports, name="scheduling_appointment_reports"),
            path("reports/utilization.csv", reports_csv, name="scheduling_appointment_report_csv"),
            path("<int:object_id>/status/<str:action>/", status, name="scheduling_appointment_status"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The page offers, as buttons, the status actions open to the visit now."""
        appointment = self.get_object(request, object_id)
        actions = []
        if appointment is not None and self.has_change_permission(request, appointment):
            actions = [(a, services.STATUS_ACTION_LABELS[a]) for a in services.allowed_actions(appointment)]
        extra_context = {
            **(extra_context or {}),
            "status_actions": actions,
            "status_next": _safe_next(request, request.GET.get("next", "")),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def status_view(self, request, object_id, action):
        """POST from a status button: one transition through the service (a
        cancellation with its optional `reason`), then back to where the button
        was (`next`: the day schedule) or the visit."""
        appointment = self.get_object(request, str(object_id))
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if appointment is None or action not in services.TRANSITIONS:
            raise Http404
        if not self.has_change_permission(request, appointment):
            raise PermissionDenied
        reason = request.POST.get("reason", "")[: services.MAX_CANCEL_REASON]
        self._apply(request, [appointment], action, reason=reason)
        back = _safe_next(request, request.POST.get("next", ""))
        return HttpResponseRedirect(
            back or reverse("admin:scheduling_appointment_change", args=[appointment.pk])
        )

    def get_changeform_initial_data(self, request):
        """`?doctor=&starts_at=YYYY-MM-DDTHH:MM+HH:MM` (a free slot of the day
        schedule, with its UTC offset: one instant even in the hour the clocks
        show twice; without it, the clinic's time) fills the booking form; a
        `starts_at` that is not a time is left out."""
        initial = super().get_changeform_initial_data(request)
        raw = initial.pop("starts_at", None)
        with contextlib.suppress(TypeError, ValueError):
            moment = datetime.fromisoformat(raw)
            initial["starts_at"] = moment if timezone.is_aware(moment) else timezone.make_aware(moment)
        return initial

    def response_add(self, request, obj, post_url_continue=None):
        """Booked from the day schedule: back to it (the message shows there)."""
        back = _safe_next(request, request.GET.get("next", ""))
        if back and "_save" in request.POST:
            self.message_user(request, _("Booked: %(visit)s.") % {"visit": obj}, messages.SUCCESS)
            return HttpResponseRedirect(back)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        back = _safe_next(request, request.GET.get("next", ""))
        if back and "_save" in request.POST:
            self.message_user(request, _("Saved: %(visit)s.") % {"visit": obj}, messages.SUCCESS)
            return HttpResponseRedirect(back)
        return super().response_change(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.acting_user = request.user
        form.acting_request = request
        return form

    def get_readonly_fields(self, request, obj=None):
        """What the API would refuse to change, shown but not editable; a booked
        visit keeps its client."""
        editable = appointment_fields_editable_by(request.user)
        locked = tuple(name for name in services.EDITABLE_FIELDS if name not in editable)
        booked = ("client",) if obj is not None else ()
        return (*self.readonly_fields, *booked, *locked)

    def has_add_permission(self, request):
        return request.user.is_clinic_staff and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_admin and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        """Saved by the form's services call already."""

    def delete_model(self, request, obj):
        services.delete_appointment(appointment=obj, by=request.user, request=request)

    def delete_queryset(self, request, queryset):
        for appointment in queryset:
            services.delete_appointment(appointment=appointment, by=request.user, request=request)

    def _apply(self, request, queryset, action: str, reason: str = ""):
        done = []
        for appointment in queryset:
            try:
                services.change_status(
                    appointment=appointment, action=action, by=request.user, request=request, reason=reason
                )
                done.append(appointment)
            except DomainError as error:
                self.message_user(request, f"{appointment}: {error.detail}", messages.ERROR)
        label = services.STATUS_ACTION_LABELS[action]
        if len(done) == 1:
            self.message_user(request, f"{label}: {done[0]}.", messages.SUCCESS)
        elif done:
            text = ngettext(
                "%(action)s: %(count)d appointment.", "%(action)s: %(count)d appointments.", len(done)
            )
            self.message_user(request, text % {"action": label, "count": len(done)}, messages.SUCCESS)

    @admin.action(description=_("Confirm selected appointments"), permissions=["change"])
    def confirm_selected(self, request, queryset):
        self._apply(request, queryset, "confirm")

    @admin.action(description=_("Check in selected appointments"), permissions=["change"])
    def check_in_selected(self, request, queryset):
        self._apply(request, queryset, "check_in")

    @admin.action(description=_("Complete selected appointments"), permissions=["change"])
    def complete_selected(self, request, queryset):
        self._apply(request, queryset, "complete")

    @admin.action(description=_("Mark selected appointments as no-show"), permissions=["change"])
    def no_show_selected(self, request, queryset):
        self._apply(request, queryset, "no_show")

    @admin.action(description=_("Cancel selected appointments"), permissions=["change"])
    def cancel_selected(self, request, queryset):
        self._apply(request, queryset, "cancel")


def _safe_next(request, url: str) -> str:
    """`url` when it points back into this site, else ""."""
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return ""


admin_catalog.register(admin.site)
admin_client.register(admin.site)
admin_hours.register(admin.site)
reminders_admin.register(admin.site)
waitlist_admin.register(admin.site)
