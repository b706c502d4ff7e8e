from django.urls import re_path

from config.routers import Router
from scheduling.reminder_views import AppointmentRemindersView

router = Router()

urlpatterns = [
    re_path(
        r"^appointments/(?P<pk>\d+)/reminders/?$",
        AppointmentRemindersView.as_view(),
        name="appointment-reminders",
    ),
    *router.urls,
]
