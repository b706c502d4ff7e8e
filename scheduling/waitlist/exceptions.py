"""The waitlist's own errors (API.md, "Waitlist")."""

from django.utils.translation import gettext_lazy as _

from config.exceptions import DomainError


class OfferExpired(DomainError):
    status_code = 410
    default_detail = _("This offer has expired or was already answered.")
    default_code = "offer_expired"


class EntryNotWaiting(DomainError):
    status_code = 409
    default_detail = _("Only a waiting entry can be offered a time.")
    default_code = "entry_not_waiting"


class NoFreeSlot(DomainError):
    status_code = 409
    default_detail = _("No free time suits this entry between its dates.")
    default_code = "no_free_slot"
