"""Admin for appointments, time off and (inline on the doctor) working hours.
Every write goes through scheduling.services, so the admin obeys the API's rules."""

from django import forms
from django.contrib import admin, messages
from rest_framework.exceptions import APIException, ValidationError

from scheduling import cache, reminder_admin, services  # noqa: F401 (reminder_admin registers ReminderAdmin)
from scheduling.models import Appointment, TimeOff, WorkingHours


def _detail_messages(detail) -> list[str]:
    if isinstance(detail, list):
        return [str(item) for item in detail]
    return [str(detail)]


class AppointmentAdminForm(forms.ModelForm):
    """Books or changes through the services inside `clean()`, so every refusal
    (overlap, working hours, the past, even a lost race) is a form error, never a 500.
    The admin's change view is atomic: a later failure rolls the booking back."""

    acting_user = None

    class Meta:
        model = Appointment
        fields = ["client", "doctor", "starts_at", "duration_minutes", "reason", "notes"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.instance = self._save_through_services(cleaned)
        except ValidationError as error:
            for field, detail in error.detail.items():
                self.add_error(field if field in self.fields else None, _detail_messages(detail))
        except APIException as error:
            raise forms.ValidationError(str(error.detail), code=error.default_code) from error
        return cleaned

    def _save_through_services(self, cleaned):
        if self.instance.pk is None:
            return services.book_appointment(
                client=cleaned["client"], doctor=cleaned["doctor"], starts_at=cleaned["starts_at"],
                duration_minutes=cleaned["duration_minutes"], reason=cleaned.get("reason", ""),
                notes=cleaned.get("notes", ""), created_by=self.acting_user,
            )  # fmt: skip
        changes = {name: cleaned[name] for name in services.EDITABLE_FIELDS if name in cleaned}
        return services.update_appointment(appointment=self.instance, changes=changes, by=self.acting_user)


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    form = AppointmentAdminForm
    list_display = ("starts_at", "ends_at", "doctor", "client", "status", "duration_minutes")
    list_filter = ("status", ("doctor", admin.RelatedOnlyFieldListFilter), "starts_at")
    date_hierarchy = "starts_at"
    ordering = ("-starts_at",)
    list_select_related = ("doctor", "client")
    autocomplete_fields = ("client", "doctor")
    readonly_fields = ("status", "ends_at", "created_by", "created_at", "updated_at")
    actions = ("confirm_selected", "cancel_selected")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.acting_user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "client") if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        """Saved by the form's services call already."""

    def delete_model(self, request, obj):
        services.delete_appointment(appointment=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for appointment in queryset:
            services.delete_appointment(appointment=appointment, by=request.user)

    def _apply(self, request, queryset, action: str):
        done = 0
        for appointment in queryset:
            try:
                services.change_status(appointment=appointment, action=action, by=request.user)
                done += 1
            except APIException as error:
                self.message_user(request, f"Appointment #{appointment.pk}: {error.detail}", messages.ERROR)
        if done:
            self.message_user(request, f"{done} appointment(s): {action} done.", messages.SUCCESS)

    @admin.action(description="Confirm selected appointments")
    def confirm_selected(self, request, queryset):
        self._apply(request, queryset, "confirm")

    @admin.action(description="Cancel selected appointments")
    def cancel_selected(self, request, queryset):
        self._apply(request, queryset, "cancel")


class WorkingHoursFormSet(forms.BaseInlineFormSet):
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


@admin.register(TimeOff)
class TimeOffAdmin(admin.ModelAdmin):
    list_display = ("doctor", "starts_at", "ends_at", "reason")
    list_filter = (("doctor", admin.RelatedOnlyFieldListFilter),)
    date_hierarchy = "starts_at"
    list_select_related = ("doctor",)
    autocomplete_fields = ("doctor",)

    def save_model(self, request, obj, form, change):
        services.save_time_off(time_off=obj)

    def delete_model(self, request, obj):
        services.remove_time_off(time_off=obj)

    def delete_queryset(self, request, queryset):
        for time_off in queryset:
            services.remove_time_off(time_off=time_off)
