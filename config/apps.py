from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project package as an app: registers its system checks."""

    name = "config"
    verbose_name = "Project configuration"

    def ready(self):
        from config import checks  # noqa: F401 (registers the deploy checks)
