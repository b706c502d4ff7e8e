from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts import user_cache
from accounts.models import User


@receiver(post_save, sender=User, dispatch_uid="accounts.forget_cached_user_on_save")
@receiver(post_delete, sender=User, dispatch_uid="accounts.forget_cached_user_on_delete")
def forget_cached_user(sender, instance, **kwargs):
    user_cache.forget(instance.pk)
