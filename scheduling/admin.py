"""Admin for appointments, time off and (inline on the doctor) working hours.
Every write goes through scheduling.services, so the admin obeys the API's rules."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import path

from accounts.admin import UserAdmin
from accounts.admin_access import ClinicianAdminMixin
from config.admin_errors import form_errors_from
from config.exceptions import DomainError
from scheduling import cache, services
from scheduling.models import Appointment, TimeOff, WorkingHours
from scheduling.permissions import appointment_fields_editable_by
from scheduling.reminders import admin as reminders_admin


class AppointmentAdminForm(forms.ModelForm):
    """Books or changes through the services inside `clean()`, so every refusal
    (overlap, working hours, the past, even a lost race) is a form error, never a 500.
    The admin's change view is atomic: a later failure rolls the booking back."""

    acting_user = None
    acting_request = None

    class Meta:
        model = Appointment
        fields = ["client", "doctor", "starts_at", "duration_minutes", "reason", "notes"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.instance = self._save_through_services(cleaned)
        except (ValidationError, DomainError) as error:
            form_errors_from(self, error)
        return cleaned

    def _save_through_services(self, cleaned):
        if self.instance.pk is None:
            return services.book_appointment(
                client=cleaned["client"], doctor=cleaned["doctor"], starts_at=cleaned["starts_at"],
                duration_minutes=cleaned["duration_minutes"], reason=cleaned.get("reason", ""),
                notes=cleaned.get("notes", ""), created_by=self.acting_user, request=self.acting_request,
            )  # fmt: skip
        changes = {name: cleaned[name] for name in services.EDITABLE_FIELDS if name in cleaned}
        return services.update_appointment(
            appointment=self.instance, changes=changes, by=self.acting_user, request=self.acting_request
        )


class ScopedToDoctorMixin(ClinicianAdminMixin):
    """Records by role, as in the API: admin and staff all, a doctor their own
    (`doctor_field`), anyone else nothing."""

    doctor_field = "doctor"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        user = request.user
        if user.is_clinic_staff:
            return queryset
        if user.is_doctor:
            return queryset.filter(**{self.doctor_field: user})
        return queryset.none()


@admin.register(Appointment)
class AppointmentAdmin(ScopedToDoctorMixin, admin.ModelAdmin):
    form = AppointmentAdminForm
    list_display = ("starts_at", "ends_at", "doctor", "client", "status", "duration_minutes")
    list_filter = ("status", ("doctor", admin.RelatedOnlyFieldListFilter), "starts_at")
    search_fields = ("client__last_name", "client__first_name", "doctor__full_name", "doctor__username")
    date_hierarchy = "starts_at"
    ordering = ("-starts_at",)
    list_select_related = ("doctor", "client")
    autocomplete_fields = ("client", "doctor")
    readonly_fields = ("status", "ends_at", "created_by", "created_at", "updated_at")
    actions = (
        "confirm_selected",
        "check_in_selected",
        "complete_selected",
        "no_show_selected",
        "cancel_selected",
    )

    def get_urls(self):
        from scheduling.admin_views import day_schedule_view

        day = self.admin_site.admin_view(day_schedule_view(self))
        return [path("day/", day, name="scheduling_appointment_day"), *super().get_urls()]

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

    def _apply(self, request, queryset, action: str):
        done = 0
        for appointment in queryset:
            try:
                services.change_status(
                    appointment=appointment, action=action, by=request.user, request=request
                )
                done += 1
            except DomainError as error:
                self.message_user(request, f"Appointment #{appointment.pk}: {error.detail}", messages.ERROR)
        if done:
            self.message_user(
                request, f"{done} appointment(s): {action.replace('_', '-')} done.", messages.SUCCESS
            )

    @admin.action(description="Confirm selected appointments", permissions=["change"])
    def confirm_selected(self, request, queryset):
        self._apply(request, queryset, "confirm")

    @admin.action(description="Check in selected appointments", permissions=["change"])
    def check_in_selected(self, request, queryset):
        self._apply(request, queryset, "check_in")

    @admin.action(description="Complete selected appointments", permissions=["change"])
    def complete_selected(self, request, queryset):
        self._apply(request, queryset, "complete")

    @admin.action(description="Mark selected appointments as no-show", permissions=["change"])
    def no_show_selected(self, request, queryset):
        self._apply(request, queryset, "no_show")

    @admin.action(description="Cancel selected appointments", permissions=["change"])
    def cancel_selected(self, request, queryset):
        self._apply(request, queryset, "cancel")


def _doctor_choices(request, field, kwargs):
    """A doctor field offers active doctors; a doctor picks only themself."""
    user = request.user
    doctors = field.related_model.objects
    kwargs["queryset"] = doctors.filter(pk=user.pk) if user.is_doctor else doctors.active_doctors()
    return kwargs


class WorkingHoursFormSet(forms.BaseInlineFormSet):
    def clean(self):
        """The week as the page leaves it, judged by the API's rule."""
        super().clean()
        blocks = [
            form.cleaned_data
            for form in self.forms
            if {"weekday", "start", "end"} <= form.cleaned_data.keys() and not self._should_delete_form(form)
        ]
        if errors := services.working_hours_errors(blocks):
            raise forms.ValidationError(errors)

    def save(self, commit=True):
        saved = super().save(commit)
        cache.invalidate_availability(self.instance.pk)
        return saved


class WorkingHoursInline(admin.TabularInline):
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


# accounts sits below scheduling and does not know this inline: scheduling
# plugs it into the User admin (docs/architecture.md).
UserAdmin.inlines = (*UserAdmin.inlines, WorkingHoursInline)


class WorkingHoursForm(forms.ModelForm):
    class Meta:
        model = WorkingHours
        fields = ["doctor", "weekday", "start", "end"]

    def clean(self):
        """The block beside the doctor's other blocks of that weekday, judged by the
        API's rule (services.working_hours_errors)."""
        cleaned = super().clean()
        doctor, weekday = cleaned.get("doctor"), cleaned.get("weekday")
        start, end = cleaned.get("start"), cleaned.get("end")
        if doctor and weekday is not None and start and end:
            others = WorkingHours.objects.filter(doctor=doctor, weekday=weekday).exclude(pk=self.instance.pk)
            blocks = [
                *others.values("weekday", "start", "end"),
                {"weekday": weekday, "start": start, "end": end},
            ]
            if errors := services.working_hours_errors(blocks):
                raise forms.ValidationError(errors)
        return cleaned


WEEKDAYS = dict(enumerate(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")))


@admin.register(WorkingHours)
class WorkingHoursAdmin(ScopedToDoctorMixin, admin.ModelAdmin):
    """Weekly hours; a doctor sees and edits their own (the API's working-hours rule)."""

    form = WorkingHoursForm
    list_display = ("doctor", "day", "start", "end")
    list_filter = ("weekday", ("doctor", admin.RelatedOnlyFieldListFilter))
    search_fields = ("doctor__full_name", "doctor__username")
    list_select_related = ("doctor",)
    ordering = ("doctor__full_name", "weekday", "start")

    @admin.display(description="Weekday", ordering="weekday")
    def day(self, block):
        return WEEKDAYS.get(block.weekday, block.weekday)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "doctor":
            kwargs = _doctor_choices(request, db_field, kwargs)
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


@admin.register(TimeOff)
class TimeOffAdmin(ScopedToDoctorMixin, admin.ModelAdmin):
    list_display = ("doctor", "starts_at", "ends_at", "reason")
    list_filter = (("doctor", admin.RelatedOnlyFieldListFilter), "starts_at")
    search_fields = ("doctor__full_name", "doctor__username", "reason")
    date_hierarchy = "starts_at"
    list_select_related = ("doctor",)
    ordering = ("-starts_at",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "doctor":
            kwargs = _doctor_choices(request, db_field, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.save_time_off(time_off=obj)

    def delete_model(self, request, obj):
        services.remove_time_off(time_off=obj)

    def delete_queryset(self, request, queryset):
        for time_off in queryset:
            services.remove_time_off(time_off=time_off)


reminders_admin.register(admin.site)
