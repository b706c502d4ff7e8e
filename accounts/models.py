from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device

from config.encryption import EncryptedTextField
from config.languages import default_language

# Raised, as unique violations, by the trigger that keeps one identifier to one
# account (migration 0006): a username may not be another account's email, nor
# an email another account's username, case-insensitively.
USERNAME_IS_ANOTHER_EMAIL = "user_username_is_another_email"
EMAIL_IS_ANOTHER_USERNAME = "user_email_is_another_username"


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    DOCTOR = "doctor", _("Doctor")
    STAFF = "staff", _("Staff")  # nurses and front desk
    PATIENT = "patient", _("Patient")


class UserQuerySet(models.QuerySet):
    def active_doctors(self):
        """Doctors who can be booked (`User.is_active_doctor`, as a query)."""
        return self.filter(role=Role.DOCTOR, is_active=True, is_superuser=False)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def create_user(self, username, email, password=None, **fields):
        if not username:
            raise ValueError("A username is required.")
        if not email:
            raise ValueError("An email is required.")
        user = self.model(username=username, email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username, email, password=None, **fields):
        fields.update(is_superuser=True, is_staff=True, role=Role.ADMIN)
        return self.create_user(username, email, password, **fields)

    def get_by_natural_key(self, login):
        """Login by username or email, case-insensitively. No identifier belongs
        to two accounts (services and a trigger refuse it); should older rows
        still overlap, the username match wins, then the lowest id."""
        username_first = models.Case(models.When(username__iexact=login, then=0), default=1)
        user = (
            self.filter(models.Q(username__iexact=login) | models.Q(email__iexact=login))
            .order_by(username_first, "id")
            .first()
        )
        if user is None:
            raise self.model.DoesNotExist
        return user


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: admin, doctor, staff (nurse, front desk) or patient."""

    username = models.CharField(_("username"), max_length=150, unique=True)
    email = models.EmailField(_("email"), max_length=254)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    role = models.CharField(
        _("role"), max_length=16, choices=Role.choices, default=Role.PATIENT, db_index=True
    )
    is_active = models.BooleanField(_("is active"), default=True)
    is_staff = models.BooleanField(
        _("is staff"), default=False, help_text=_("May sign in to the admin site.")
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Tokens issued before this instant are refused (password change, reset,
    # deactivation, role change): revocation that needs no token list.
    tokens_valid_after = models.DateTimeField(_("tokens valid after"), null=True, blank=True, editable=False)
    # A confirmed authenticator app (accounts/mfa.py keeps it in step): signing
    # in then takes a second step, read from the cached user with no query.
    mfa_enabled = models.BooleanField(_("mfa enabled"), default=False, db_default=False, editable=False)
    # The admin, the API (without Accept-Language) and their emails speak it.
    # db_default: rows the previous version inserts during an upgrade get one.
    language = models.CharField(
        _("language"),
        max_length=16,
        choices=settings.LANGUAGES,
        default=default_language,
        db_default=settings.LANGUAGE_CODE,
        help_text=_("The language of the admin, the API's messages and this user's emails."),
    )

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]
        ordering = ["id"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.username

    def set_password(self, raw_password):
        """A new password revokes every token issued before it, whatever path set it
        (API, reset, admin form, `changepassword`)."""
        super().set_password(raw_password)
        if not self._state.adding:
            self.revoke_tokens()

    def revoke_tokens(self):
        """Refuse every token issued until now (saved with the user)."""
        self.tokens_valid_after = timezone.now()

    def accepts_token_issued_at(self, issued_at: float) -> bool:
        return self.tokens_valid_after is None or issued_at >= self.tokens_valid_after.timestamp()

    @property
    def is_admin(self) -> bool:
        """A superuser counts as admin whatever its role."""
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def is_doctor(self) -> bool:
        return self.role == Role.DOCTOR and not self.is_superuser

    @property
    def is_active_doctor(self) -> bool:
        """One row's answer to `User.objects.active_doctors()`."""
        return self.is_doctor and self.is_active

    @property
    def is_clinic_staff(self) -> bool:
        """Admin or staff: sees every record."""
        return self.is_admin or self.role == Role.STAFF

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT and not self.is_superuser


class AuditAction(models.TextChoices):
    VIEW = "view", _("View")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Login failed")
    LOGOUT = "logout", _("Logout")
    # Break-glass access to a record outside one's scope.
    EMERGENCY_ACCESS = "emergency_access", _("Emergency access")
    # A used refresh token came back: every token of its user was revoked.
    TOKEN_REUSE = "token_reuse", _("Token reuse")
    MFA_ENABLED = "mfa_enabled", _("Second factor enabled")
    MFA_DISABLED = "mfa_disabled", _("Second factor disabled")
    MFA_FAILED = "mfa_failed", _("Second factor failed")
    RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
    PASSKEY_ADDED = "passkey_added", _("Passkey added")
    PASSKEY_REMOVED = "passkey_removed", _("Passkey removed")
    MFA_RESET = "mfa_reset", _("Second factor reset")  # an admin cleared another user's second factor
    # A record or a day schedule left the system as a file (PDF, JSON).
    EXPORT = "export", _("Export")


class AuditEvent(models.Model):
    """Who did what to which record, when and from where. Never PHI values:
    `fields` holds the names of changed fields only."""

    # PROTECT, not SET_NULL: rows are append-only in the database (a trigger
    # refuses UPDATE/DELETE); users are deactivated, never deleted.
    actor = models.ForeignKey(
        User, verbose_name=_("actor"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=32, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    fields = models.JSONField(_("fields"), default=list, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor", "-at"]),
            models.Index(fields=["action", "-at"]),
        ]

    def __str__(self):
        return f"{self.action} {self.object_type}:{self.object_id}"


class TOTPDevice(Device):
    """An authenticator app (RFC 6238 TOTP, checked by django-otp's `oath`). The
    secret is encrypted at rest with FIELD_ENCRYPTION_KEYS; `last_t` is the time
    step of the last accepted code, so no code is accepted twice. One confirmed
    device per user; an unconfirmed one waits for its first code."""

    key = EncryptedTextField(_("key"), help_text=_("The shared secret, hex-encoded (encrypted at rest)."))
    last_t = models.BigIntegerField(_("last time step"), default=-1)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")
        constraints = [
            models.UniqueConstraint(fields=["user"], name="totp_device_one_per_user"),
        ]


class RecoveryCode(models.Model):
    """One single-use recovery code, kept only as its SHA-256 (accounts/mfa.py)."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(_("code hash"), max_length=64)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_unique")]
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self):
        return f"recovery code {self.pk} of user {self.user_id}"


class MfaChallenge(models.Model):
    """A sign-in waiting for its second factor: the password was right. The
    client holds it as the encrypted `mfa_token`; it works until `expires_at`
    and once (`used_at`). `webauthn_challenge`: the one its passkey options asked."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    webauthn_challenge = models.BinaryField(_("WebAuthn challenge"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in challenge")
        verbose_name_plural = _("sign-in challenges")

    def __str__(self):
        return f"sign-in {self.pk} of user {self.user_id}"


class Passkey(models.Model):
    """A WebAuthn credential (checked by py_webauthn): its id and public key;
    the private key never leaves the user's authenticator."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="passkeys")
    name = models.CharField(_("name"), max_length=64)
    credential_id = models.BinaryField(_("credential id"), unique=True)
    public_key = models.BinaryField(_("public key"))
    sign_count = models.BigIntegerField(_("sign count"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("passkey")
        verbose_name_plural = _("passkeys")

    def __str__(self):
        return self.name
