from django.apps import AppConfig


class ClinicConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "clinic"

    def ready(self):
        from clinic.demo import seed_clients
        from config import demo

        demo.register(seed_clients)
