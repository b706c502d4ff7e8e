"""The admin's sign-in and sign-out (accounts/admin_login.py), rate-limited and
audited, and the second-factor page (accounts/admin_enrolment.py):
config/urls.py includes them under `admin/`, ahead of the admin site."""

from django.urls import path

from accounts import admin_enrolment, admin_login

urlpatterns = [
    path("login/", admin_login.login),
    path("logout/", admin_login.logout),
    path("second-factor/", admin_enrolment.second_factor, name="admin-second-factor"),
]
