from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scheduling"

    def ready(self):
        from config import metrics
        from scheduling.reminders.metrics import ReminderCollector

        # The layers below know nothing of scheduling: it plugs its gauges into
        # /metrics here (and its working-hours inline into the User admin in
        # scheduling/admin.py).
        metrics.register(ReminderCollector())
