"""`manage.py reset_mfa <username or email>`: clear a user's second factor
(a lost phone, and no admin at hand who can), audited `mfa_reset`; every
token of the user is revoked. They sign in with the password alone and set
up a new authenticator (or are held to enrolment by MFA_REQUIRED_ROLES)."""

from django.core.management.base import BaseCommand, CommandError

from accounts import mfa
from accounts.models import User


class Command(BaseCommand):
    help = "Clear a user's second factor (app, recovery codes, passkeys) and revoke their tokens."

    def add_arguments(self, parser):
        parser.add_argument("login", help="The user's username or email.")

    def handle(self, *args, login, **options):
        try:
            user = User.objects.get_by_natural_key(login)
        except User.DoesNotExist:
            raise CommandError("No user signs in with that name.") from None
        mfa.reset(user=user, by=None)
        self.stdout.write(f"Second factor reset for user {user.pk}; their tokens are revoked.")
