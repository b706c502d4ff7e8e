"""Reminders in the admin, and the django-rq dashboard for superusers only."""

from django.contrib import admin, messages
from django.contrib.auth.decorators import user_passes_test
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_rq.admin import QueueAdmin
from django_rq.models import Dashboard

from scheduling.models import Appointment, Reminder
from scheduling.reminders.services import send_now


class ReminderAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "appointment_link",
        "doctor",
        "before",
        "scheduled_for",
        "status",
        "attempts",
        "sent_at",
    )
    list_filter = ("status", "scheduled_for")
    search_fields = ("=appointment__id", "=job_id")
    date_hierarchy = "scheduled_for"
    list_select_related = ("appointment__doctor",)
    ordering = ("-scheduled_for",)
    fields = (
        "appointment",
        "offset_minutes",
        "scheduled_for",
        "status",
        "sent_at",
        "attempts",
        "last_error",
        "job_id",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    actions = ["send_selected_now"]

    @admin.display(description=_("Appointment"), ordering="appointment_id")
    def appointment_link(self, reminder):
        url = reverse("admin:scheduling_appointment_change", args=[reminder.appointment_id])
        return format_html('<a href="{}">#{}</a>', url, reminder.appointment_id)

    @admin.display(description=_("Kind"), ordering="offset_minutes")
    def before(self, reminder):
        """ "24 h before", "2 h before", "30 min before" (the API's `kind` is "1440m")."""
        hours, minutes = divmod(reminder.offset_minutes, 60)
        if not minutes:
            return _("%(hours)s h before") % {"hours": hours}
        return _("%(minutes)s min before") % {"minutes": reminder.offset_minutes}

    @admin.display(description=_("Doctor"), ordering="appointment__doctor__full_name")
    def doctor(self, reminder):
        return reminder.appointment.doctor

    def get_queryset(self, request):
        """The reminders of the appointments the user may see (the API's rule)."""
        visible = Appointment.objects.visible_to(request.user)
        return super().get_queryset(request).filter(appointment__in=visible)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send now"), permissions=["view"])
    def send_selected_now(self, request, queryset):
        """Through `scheduling.reminders.services.send_now` (the row lock and on_commit)."""
        sent = sum(send_now(reminder) for reminder in queryset)
        skipped = queryset.count() - sent
        text = ngettext(
            "%(count)d reminder enqueued to send now.", "%(count)d reminders enqueued to send now.", sent
        )
        self.message_user(request, text % {"count": sent})
        if skipped:
            messages.warning(request, _("Sent and cancelled reminders are not sent again."))


def _superuser_only(view):
    return user_passes_test(lambda user: user.is_active and user.is_superuser, login_url="admin:login")(view)


class SuperuserQueueAdmin(QueueAdmin):
    """django-rq's dashboard (admin index → Django-RQ) shows jobs' arguments and
    queue controls: superusers only, not every `is_staff` account."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def get_urls(self):
        return [_wrap(pattern) for pattern in super().get_urls()]


def _wrap(pattern):
    pattern.callback = _superuser_only(pattern.callback)
    return pattern


def register(site: admin.AdminSite) -> None:
    """Called by scheduling/admin.py: reminders, and django-rq's dashboard in
    place of the one django-rq registers for every staff account."""
    site.register(Reminder, ReminderAdmin)
    if site.is_registered(Dashboard):
        site.unregister(Dashboard)
    site.register(Dashboard, SuperuserQueueAdmin)
