"""MultiFernet over key lists from settings: the first key encrypts, all decrypt.

Token encryption (accounts) and field/document encryption (clinic) use
separate key lists, so either can be rotated on its own.
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.signals import setting_changed

__all__ = ["InvalidToken", "field_fernet", "token_fernet"]


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def token_fernet() -> MultiFernet:
    return _fernet(tuple(settings.TOKEN_ENCRYPTION_KEYS))


def field_fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def _forget_keys(*, setting, **kwargs):
    if setting in {"TOKEN_ENCRYPTION_KEYS", "FIELD_ENCRYPTION_KEYS"}:
        _fernet.cache_clear()


setting_changed.connect(_forget_keys)
