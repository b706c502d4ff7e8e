"""Clinic's domain errors: the API's exception handler turns each into
`{"detail", "code"}` with its status."""

from django.utils.translation import gettext_lazy as _

from config.exceptions import DomainError


class FileTooLarge(DomainError):
    status_code = 413
    default_detail = _("The file is larger than the upload limit.")
    default_code = "file_too_large"


class UnsupportedFileType(DomainError):
    status_code = 400
    default_detail = _("Only PDF, PNG, JPEG, TIFF, DICOM and plain text files are accepted.")
    default_code = "unsupported_file_type"
