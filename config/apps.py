from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectConfig(AppConfig):
    """The project package as an app: registers its system checks."""

    name = "config"
    verbose_name = _("Project configuration")

    def ready(self):
        from config import checks  # noqa: F401 (registers the deploy checks)
