from django.urls import re_path

from accounts.views import auth, mfa
from accounts.views.users import AuditEventViewSet, DoctorViewSet, UserViewSet
from config.routers import Router

router = Router()
router.register("users", UserViewSet, basename="user")
router.register("doctors", DoctorViewSet, basename="doctor")
router.register("audit-events", AuditEventViewSet, basename="audit-event")

auth_views = {
    "login": auth.LoginView,
    "refresh": auth.RefreshView,
    "logout": auth.LogoutView,
    "me": auth.MeView,
    "password/change": auth.PasswordChangeView,
    "password/reset": auth.PasswordResetView,
    "password/reset/confirm": auth.PasswordResetConfirmView,
    "mfa": mfa.MfaStatusView,
    "mfa/totp": mfa.TotpView,
    "mfa/totp/confirm": mfa.TotpConfirmView,
    "mfa/recovery-codes": mfa.RecoveryCodesView,
    "mfa/verify": mfa.MfaVerifyView,
    "mfa/passkey-options": mfa.MfaPasskeyOptionsView,
    "passkeys/options": mfa.PasskeyOptionsView,
    "passkeys": mfa.PasskeyListView,
}

urlpatterns = [
    *(
        re_path(rf"^auth/{path}/?$", view.as_view(), name=f"auth-{path.replace('/', '-')}")
        for path, view in auth_views.items()
    ),
    re_path(
        r"^auth/passkeys/(?P<passkey_id>\d+)/?$", mfa.PasskeyDetailView.as_view(), name="auth-passkey-detail"
    ),
    *router.urls,
]
