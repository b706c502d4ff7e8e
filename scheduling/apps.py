from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scheduling"

    def ready(self):
        from config import demo, metrics, status_checks
        from scheduling.demo import seed_appointments
        from scheduling.reminders.health import reminder_check
        from scheduling.reminders.metrics import ReminderCollector
        from scheduling.series.demo import seed_series
        from scheduling.waitlist.demo import seed_waitlist

        # The layers below know nothing of scheduling: it plugs itself in here
        # (its gauges on /metrics, its line in stack_status, its demo data; its
        # working-hours inline joins the User admin in scheduling/admin_hours.py).
        metrics.register(ReminderCollector())
        status_checks.register_database_check("reminders", reminder_check)
        demo.register(seed_appointments)  # then, on what it made: a series and waitlist entries
        demo.register(seed_series)
        demo.register(seed_waitlist)
