"""Working hours and time off in the admin, and the working-hours section of
a doctor's user page; every rule through scheduling.hours."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin import UserAdmin
from config.admin_errors import form_errors_from
from config.admin_widgets import MINUTE_FIELDS
from scheduling import cache, hours, selectors
from scheduling.admin_scope import ScopedToDoctorMixin, doctor_choices
from scheduling.models import TimeOff, WorkingHours

WEEKDAY_CHOICES = [(day, hours.weekday_name(day)) for day in range(7)]


class WeekdayNamesMixin:
    """The weekday as its name in forms (the column holds 0-6, Monday first)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "weekday":
            return forms.TypedChoiceField(choices=WEEKDAY_CHOICES, coerce=int, label=_("Weekday"))
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class WeekdayFilter(admin.SimpleListFilter):
    title = _("weekday")
    parameter_name = "weekday"

    def lookups(self, request, model_admin):
        return [(str(day), name) for day, name in WEEKDAY_CHOICES]

    def queryset(self, request, queryset):
        return (
            queryset.filter(weekday=int(self.value()))
            if self.value() in {str(d) for d in range(7)}
            else queryset
        )


class WorkingHoursFormSet(forms.BaseInlineFormSet):
    def clean(self):
        """The week as the page leaves it, judged by the API's rule."""
        super().clean()
        blocks = [
            form.cleaned_data
            for form in self.forms
            if {"weekday", "start", "end"} <= form.cleaned_data.keys() and not self._should_delete_form(form)
        ]
        if errors := hours.working_hours_errors(blocks):
            raise forms.ValidationError(errors)

    def save(self, commit=True):
        saved = super().save(commit)
        cache.invalidate_availability(self.instance.pk)
        return saved


class WorkingHoursInline(WeekdayNamesMixin, admin.TabularInline):
    formfield_overrides = MINUTE_FIELDS
    """Shown on doctors' pages of the User admin only."""

    model = WorkingHours
    formset = WorkingHoursFormSet
    extra = 0

    def _is_doctor_page(self, obj) -> bool:
        return obj is not None and obj.is_doctor

    def has_view_permission(self, request, obj=None):
        return self._is_doctor_page(obj) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._is_doctor_page(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._is_doctor_page(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._is_doctor_page(obj) and super().has_delete_permission(request, obj)

    def get_queryset(self, request):
        """The doctor's existing blocks. Django's inline asks the view permission
        here without the page's user (obj=None), which the rule above refuses, so
        the page showed no hours and judged a new block alone, skipping the
        overlap rule; the page itself was allowed with the doctor."""
        queryset = WorkingHours.objects.select_related("doctor")
        allowed = super().has_view_permission(request) or super().has_change_permission(request)
        return queryset if allowed else queryset.none()


class WorkingHoursForm(forms.ModelForm):
    class Meta:
        model = WorkingHours
        fields = ["doctor", "weekday", "start", "end"]

    def clean(self):
        """The block beside the doctor's other blocks of that weekday, judged by the
        API's rule (hours.working_hours_errors)."""
        cleaned = super().clean()
        doctor, weekday = cleaned.get("doctor"), cleaned.get("weekday")
        start, end = cleaned.get("start"), cleaned.get("end")
        if doctor and weekday is not None and start and end:
            others = WorkingHours.objects.filter(doctor=doctor, weekday=weekday).exclude(pk=self.instance.pk)
            blocks = [
                *others.values("weekday", "start", "end"),
                {"weekday": weekday, "start": start, "end": end},
            ]
            if errors := hours.working_hours_errors(blocks):
                raise forms.ValidationError(errors)
        return cleaned


class WorkingHoursAdmin(WeekdayNamesMixin, ScopedToDoctorMixin, admin.ModelAdmin):
    formfield_overrides = MINUTE_FIELDS
    """Weekly hours; a doctor sees and edits their own (the API's working-hours rule)."""

    form = WorkingHoursForm
    list_display = ("doctor", "day", "start", "end")
    list_filter = (WeekdayFilter, ("doctor", admin.RelatedOnlyFieldListFilter))
    search_fields = ("doctor__full_name", "doctor__username")
    list_select_related = ("doctor",)
    ordering = ("doctor__full_name", "weekday", "start")

    @admin.display(description=_("Weekday"), ordering="weekday")
    def day(self, block):
        return hours.weekday_name(block.weekday)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "doctor":
            kwargs = doctor_choices(request, db_field, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            obj.save()
            cache.invalidate_availability(obj.doctor_id)

    def delete_model(self, request, obj):
        doctor_id = obj.doctor_id
        obj.delete()
        cache.invalidate_availability(doctor_id)

    def delete_queryset(self, request, queryset):
        for block in queryset:
            self.delete_model(request, block)


class TimeOffForm(forms.ModelForm):
    save_anyway = forms.BooleanField(
        required=False,
        label=_("Save anyway"),
        help_text=_("Booked visits in this period stay booked: move or cancel them yourself."),
    )

    class Meta:
        model = TimeOff
        fields = ["doctor", "starts_at", "ends_at", "reason"]

    def clean(self):
        """The period judged by the service's rule, said on the field (not the
        database constraint's name); booked visits it covers are listed before
        it is saved, unless "Save anyway" is ticked."""
        cleaned = super().clean()
        starts_at, ends_at, doctor = cleaned.get("starts_at"), cleaned.get("ends_at"), cleaned.get("doctor")
        try:
            hours.check_time_off_period(starts_at=starts_at, ends_at=ends_at)
        except ValidationError as error:
            form_errors_from(self, error)
            return cleaned
        if doctor and starts_at and ends_at and not cleaned.get("save_anyway"):
            covered = selectors.covered_visits(doctor, starts_at, ends_at)
            if covered:
                listed = "; ".join(str(visit) for visit in covered)
                text = ngettext(
                    "This time off covers %(count)d booked visit: %(visits)s.",
                    "This time off covers %(count)d booked visits: %(visits)s.",
                    len(covered),
                )
                self.add_error("save_anyway", text % {"count": len(covered), "visits": listed})
        return cleaned


class TimeOffAdmin(ScopedToDoctorMixin, admin.ModelAdmin):
    formfield_overrides = MINUTE_FIELDS
    form = TimeOffForm
    list_display = ("doctor", "starts_at", "ends_at", "reason")
    list_filter = (("doctor", admin.RelatedOnlyFieldListFilter), "starts_at")
    search_fields = ("doctor__full_name", "doctor__username", "reason")
    date_hierarchy = "starts_at"
    list_select_related = ("doctor",)
    ordering = ("-starts_at",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "doctor":
            kwargs = doctor_choices(request, db_field, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        hours.save_time_off(time_off=obj)

    def delete_model(self, request, obj):
        hours.remove_time_off(time_off=obj)

    def delete_queryset(self, request, queryset):
        for time_off in queryset:
            hours.remove_time_off(time_off=time_off)


def register(site: admin.AdminSite) -> None:
    """Called by scheduling/admin.py. accounts sits below scheduling and does not
    know the working-hours inline: scheduling plugs it into the User admin
    (docs/architecture.md)."""
    site.register(WorkingHours, WorkingHoursAdmin)
    site.register(TimeOff, TimeOffAdmin)
    UserAdmin.inlines = (*UserAdmin.inlines, WorkingHoursInline)
