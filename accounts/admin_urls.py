"""The admin's sign-in and sign-out (accounts/admin_login.py), rate-limited and
audited (with a passkey: accounts/admin_webauthn.py), and the second-factor
page (accounts/admin_enrolment.py):
config/urls.py includes them under `admin/`, ahead of the admin site."""

from django.urls import path

from accounts import admin_enrolment, admin_login, admin_webauthn

urlpatterns = [
    path("login/", admin_login.login),
    path("login/passkey-options/", admin_webauthn.sign_in_options, name="admin-login-passkey-options"),
    path("logout/", admin_login.logout),
    path("second-factor/", admin_enrolment.second_factor, name="admin-second-factor"),
    path(
        "second-factor/passkey-options/",
        admin_webauthn.registration_options,
        name="admin-passkey-options",
    ),
]
