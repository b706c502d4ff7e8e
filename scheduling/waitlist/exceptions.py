"""The waitlist's own errors (API.md, "Waitlist")."""

from django.utils.translation import gettext_lazy as _

from config.exceptions import DomainError


class OfferExpired(DomainError):
    status_code = 410
    default_detail = _("This offer has expired or was already answered.")
    default_code = "offer_expired"
