"""The base of every app's domain exceptions (`<app>/exceptions.py`).

Services raise these or Django's `ValidationError`, never DRF's: the API's
exception handler (config/errors.py) turns both into `{"detail", "code"}` with
the status below, the admin into form errors (config/admin_errors.py)."""


class DomainError(Exception):
    status_code = 400
    default_detail = "Error."
    default_code = "error"

    def __init__(self, detail: str | None = None):
        self.detail = str(detail) if detail is not None else self.default_detail
        super().__init__(self.detail)
