"""Admin classes whose objects' names are PHI (a patient's name) keep them out
of Django's LogEntry, which stores str(obj): the AuditEvent rows the services
write (ids and field names only) are the record of admin changes instead."""


class NoLogEntryMixin:
    def log_addition(self, request, obj, message):
        return None

    def log_change(self, request, obj, message):
        return None

    def log_deletions(self, request, queryset):
        return None
