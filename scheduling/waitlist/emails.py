"""The waitlist offer email (`X-Clinic-Email: waitlist_offer`), text + HTML,
in the client's language, with the link that answers the offer."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from scheduling.emails import spelled_out
from scheduling.selectors import clinic_zone

KIND = "waitlist_offer"
SUBJECT = _("A visit on %(when)s is free for you")


def offer_link(token: str) -> str:
    return f"{settings.FRONTEND_URL.rstrip('/')}/waitlist/offer?{urlencode({'token': token})}"


def send_offer_email(offer) -> None:
    """Send it now; SMTP errors propagate so the RQ job can retry."""
    client = offer.entry.client
    with translation.override(client.language):
        starts = timezone.localtime(offer.starts_at, clinic_zone())
        expires = timezone.localtime(offer.expires_at, clinic_zone())
        context = {
            "language": translation.get_language(),
            "clinic_name": settings.CLINIC_NAME,
            "client_first_name": client.first_name,
            "doctor_name": offer.doctor.full_name or offer.doctor.username,
            "when": spelled_out(starts),
            "expires": spelled_out(expires),
            "link": offer_link(offer.token),
        }
        subject = SUBJECT % {"when": date_format(starts, "SHORT_DATETIME_FORMAT")}
        message = EmailMultiAlternatives(
            subject=f"{settings.CLINIC_NAME}: {subject}",
            body=render_to_string(f"emails/{KIND}.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[client.email],
            headers={"X-Clinic-Email": KIND},
        )
        message.attach_alternative(render_to_string(f"emails/{KIND}.html", context), "text/html")
    message.send(fail_silently=False)
