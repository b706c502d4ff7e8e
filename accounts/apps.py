from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from accounts import roles, schema, signals  # noqa: F401 (registers handlers and the OpenAPI scheme)
        from accounts.demo import seed_accounts
        from config import demo

        demo.register(seed_accounts)
        # After `migrate` (and a test flush): the role groups of accounts.roles.
        post_migrate.connect(roles.on_post_migrate, sender=self, dispatch_uid="accounts_role_groups")
