"""Outside `/api/v1/`: the private calendar subscription (API.md, "Calendar"),
where the token in the path is the credential. config/urls.py includes it."""

from django.urls import re_path

from scheduling.views.calendar import subscription_feed

urlpatterns = [
    re_path(r"^calendar/(?P<token>[A-Za-z0-9_-]{20,100})\.ics$", subscription_feed, name="calendar-feed-ics"),
]
