"""The admin's sign-in and sign-out (accounts/admin_login.py), rate-limited and
audited: config/urls.py includes them under `admin/`, ahead of the admin site."""

from django.urls import path

from accounts import admin_login

urlpatterns = [
    path("login/", admin_login.login),
    path("logout/", admin_login.logout),
]
