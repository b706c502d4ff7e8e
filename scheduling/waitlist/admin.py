"""The waitlist in the admin: entries listed as the API scopes them (staff
and admins all, a doctor their patients'), read-only once made. Staff and
admins add an entry (entries.add_entry, inside the form's `clean()`, so a
refusal is a form error), take it off the list (entries.remove_entry) and
"Offer now" a waiting entry the earliest free time that suits it
(offers.offer_now), from the list's actions or the entry's page. The entry's
offers show on its page without their token, and only to those who see
offers in the API (not doctors). Nothing is written to Django's LogEntry:
the services audit."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.admin_access import ClinicianAdminMixin
from config.admin_errors import form_errors_from
from config.admin_log import NoLogEntryMixin
from config.exceptions import DomainError
from scheduling.admin_scope import doctor_choices
from scheduling.models import AppointmentType
from scheduling.waitlist import entries, offers
from scheduling.waitlist.models import EntryStatus, WaitlistEntry, WaitlistOffer

ENTRY_FIELDS = ("client", "doctor", "appointment_type", "earliest_date", "latest_date", "notes")
REMOVABLE = (EntryStatus.WAITING, EntryStatus.OFFERED)


class WaitlistEntryAdminForm(forms.ModelForm):
    """Adds through entries.add_entry inside `clean()`: its refusals (dates,
    doctor, type) are form errors; the admin's add view is atomic."""

    acting_user = None
    acting_request = None

    class Meta:
        model = WaitlistEntry
        fields = ENTRY_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "appointment_type" in self.fields:
            self.fields["appointment_type"].queryset = AppointmentType.objects.filter(active=True)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.instance = entries.add_entry(
                **{name: cleaned.get(name) for name in ENTRY_FIELDS if name != "notes"},
                notes=cleaned.get("notes") or "",
                created_by=self.acting_user,
                request=self.acting_request,
            )
        except (ValidationError, DomainError) as error:
            form_errors_from(self, error)
        return cleaned


class OfferInline(admin.TabularInline):
    """The entry's offers, read-only: never the token (the client's credential) nor its hash."""

    model = WaitlistOffer
    fields = ("status", "starts_at", "ends_at", "expires_at", "sent_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-created_at", "-id")
    verbose_name_plural = _("Offers")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class WaitlistEntryAdmin(NoLogEntryMixin, ClinicianAdminMixin, admin.ModelAdmin):
    form = WaitlistEntryAdminForm
    list_display = (
        "client",
        "doctor",
        "appointment_type",
        "earliest_date",
        "latest_date",
        "status",
        "created_at",
    )
    list_filter = ("status",)
    list_select_related = ("client", "doctor", "appointment_type")
    search_fields = ("client__last_name", "client__first_name")
    autocomplete_fields = ("client",)
    inlines = (OfferInline,)
    actions = ("offer_now_selected", "remove_selected")

    def get_queryset(self, request):
        """The entries the API shows `request.user` (as client records)."""
        return WaitlistEntry.objects.visible_to(request.user).select_related(*self.list_select_related)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()  # a new entry has no offers

    def get_fields(self, request, obj=None):
        return ENTRY_FIELDS if obj is None else (*ENTRY_FIELDS, "status", "created_by", "created_at")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "doctor":
            kwargs = doctor_choices(request, db_field, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.acting_user = request.user
        form.acting_request = request
        return form

    def save_model(self, request, obj, form, change):
        """Saved by the form's entries.add_entry call already."""

    def has_add_permission(self, request):
        return request.user.is_clinic_staff and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return False  # an entry is not edited: removed, and added again

    def has_delete_permission(self, request, obj=None):
        return False  # removing keeps the row (`cancelled`): the Remove action

    def has_offer_permission(self, request, obj=None):
        """Offer now and Remove: staff and admins, as adding (the API's rule)."""
        return request.user.is_clinic_staff and self.has_view_permission(request, obj)

    has_remove_permission = has_offer_permission

    def get_urls(self):
        offer = self.admin_site.admin_view(self.offer_now_view)
        remove = self.admin_site.admin_view(self.remove_view)
        return [
            path("<int:object_id>/offer-now/", offer, name="scheduling_waitlistentry_offer_now"),
            path("<int:object_id>/remove/", remove, name="scheduling_waitlistentry_remove"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The page offers "Offer now" on a waiting entry and "Remove" on one still on the list."""
        entry = self.get_object(request, object_id)
        may = entry is not None and self.has_offer_permission(request, entry)
        extra_context = {
            **(extra_context or {}),
            "can_offer_now": may and entry.status == EntryStatus.WAITING,
            "can_remove": may and entry.status in REMOVABLE,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def offer_now_view(self, request, object_id):
        return self._button(request, object_id, self._offer_now)

    def remove_view(self, request, object_id):
        return self._button(request, object_id, self._remove)

    def _button(self, request, object_id, act):
        """A POST from the entry page's button: `act` on that entry, if the
        user sees it and may act on it, then back to its page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        entry = self.get_object(request, str(object_id))
        if entry is None:
            raise Http404
        if not self.has_offer_permission(request, entry):
            raise PermissionDenied
        act(request, [entry])
        return HttpResponseRedirect(reverse("admin:scheduling_waitlistentry_change", args=[entry.pk]))

    @admin.action(description=_("Offer now: hold the earliest free time"), permissions=["offer"])
    def offer_now_selected(self, request, queryset):
        self._offer_now(request, queryset)

    @admin.action(description=_("Remove selected from the waitlist"), permissions=["remove"])
    def remove_selected(self, request, queryset):
        self._remove(request, queryset)

    def _offer_now(self, request, queryset):
        for entry in queryset:
            try:
                offer = offers.offer_now(entry, by=request.user, request=request)
            except DomainError as error:
                text = _("Entry %(id)s: %(error)s") % {"id": entry.pk, "error": error.detail}
                self.message_user(request, text, messages.ERROR)
                continue
            when, expires = (
                date_format(timezone.localtime(moment), "D j M H:i")
                for moment in (offer.starts_at, offer.expires_at)
            )
            text = _("Entry %(id)s: offered %(when)s with %(doctor)s, held until %(expires)s.") % {
                "id": entry.pk, "when": when, "doctor": offer.doctor, "expires": expires,
            }  # fmt: skip
            self.message_user(request, text, messages.SUCCESS)

    def _remove(self, request, queryset):
        removable = [entry for entry in queryset if entry.status in REMOVABLE]
        for entry in removable:
            entries.remove_entry(entry=entry, by=request.user, request=request)
        text = _("Taken off the waitlist: %(count)s.") % {"count": len(removable)}
        self.message_user(request, text, messages.SUCCESS)
        if len(removable) < len(queryset):
            self.message_user(
                request, _("Booked, expired and cancelled entries stay as they are."), messages.WARNING
            )


def register(site: admin.AdminSite) -> None:
    """Called by scheduling/admin.py."""
    site.register(WaitlistEntry, WaitlistEntryAdmin)
