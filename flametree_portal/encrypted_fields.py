"""A text field stored encrypted at rest with Fernet (MultiFernet: first key encrypts, all decrypt).

We keep this field ourselves rather than depend on django-fernet-fields (unmaintained, does not
load on Django 5) because MultiFernet gives key rotation with a list of keys from settings.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class UndecryptableSecret(Exception):
    """A stored secret was encrypted with a key that is no longer in SECRET_ENCRYPTION_KEYS."""


@lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "SECRET_ENCRYPTION_KEYS holds a value that is not a Fernet key (32 url-safe base64-encoded bytes)."
        ) from exc


def secret_box() -> MultiFernet:
    """The MultiFernet built from the configured keys."""
    return _fernet_for(tuple(settings.SECRET_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return secret_box().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return secret_box().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise UndecryptableSecret(
            "A stored secret cannot be decrypted with any key in SECRET_ENCRYPTION_KEYS; "
            "add back the key it was encrypted with."
        ) from None


class EncryptedTextField(models.TextField):
    """Holds a secret; the database only ever sees its Fernet token."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)
