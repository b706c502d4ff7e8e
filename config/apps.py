from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project package as an app: registers its system checks and makes
    DRF's text fields strict."""

    name = "config"
    verbose_name = "Project configuration"

    def ready(self):
        from config import checks  # noqa: F401 (registers the deploy checks)

        _strict_text_fields()


def _strict_text_fields() -> None:
    """A text field takes a JSON string, as the schema says: DRF would turn
    `0` or `true` into "0"/"True" and save it, and judge `maxLength` only after
    trimming whitespace; here both are a 400."""
    from rest_framework import fields

    if getattr(fields.CharField, "_clinic_strict", False):
        return
    lenient = fields.CharField.to_internal_value

    def to_internal_value(self, data):
        if isinstance(data, (bool, int, float)):
            self.fail("invalid")
        if isinstance(data, str) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)  # as sent, before trimming
        return lenient(self, data)

    lenient_run = fields.CharField.run_validation

    def run_validation(self, data=fields.empty):
        # DRF returns a whitespace-only string as "" before to_internal_value
        # sees it: its length is judged as sent here too.
        if isinstance(data, str) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return lenient_run(self, data)

    fields.CharField.to_internal_value = to_internal_value
    fields.CharField.run_validation = run_validation
    fields.CharField._clinic_strict = True
