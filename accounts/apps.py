from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self):
        from accounts import schema, signals  # noqa: F401 (registers handlers and the OpenAPI scheme)
