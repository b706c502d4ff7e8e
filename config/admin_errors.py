"""The one adapter from the services' errors to admin form errors."""

from django import forms
from django.core.exceptions import ValidationError

from config.exceptions import DomainError


def form_errors_from(form: forms.BaseForm, error: ValidationError | DomainError) -> None:
    """Add a service's refusal to `form`: a field's messages under the field when
    the form has it, everything else (and a domain error) above the form."""
    if isinstance(error, DomainError):
        form.add_error(None, ValidationError(error.detail, code=error.default_code))
    elif hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
