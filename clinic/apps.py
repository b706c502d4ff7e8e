from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClinicConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "clinic"
    verbose_name = _("Clinic")

    def ready(self):
        from clinic.demo import seed_clients
        from config import demo

        demo.register(seed_clients)
