"""The base of every app's domain exceptions (`<app>/exceptions.py`).

Services raise these or Django's `ValidationError`, never DRF's: the API's
exception handler (config/errors.py) turns both into `{"detail", "code"}` with
the status below, the admin into form errors (config/admin_errors.py).

`default_detail` is marked with gettext_lazy and `detail` stays lazy: it is
made text when the answer is rendered, in the language of that request."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status_code = 400
    default_detail = _("Error.")
    default_code = "error"

    def __init__(self, detail=None):
        self.detail = detail if detail is not None else self.default_detail
        super().__init__(self.detail)
