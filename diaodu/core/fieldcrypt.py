"""Encryption at rest for secret columns (等保: confidentiality of important data in storage).

A column declared as :class:`EncryptedCharField` holds Fernet tokens (AES-128-CBC with an HMAC-SHA256, from the
maintained ``cryptography`` package) while the model attribute holds the plain value, so neither the database,
its dumps nor ``diaodu backup`` files contain the secret. Used for the TOTP secrets (``accounts.User.totp_secret``).

The key comes from the ``DIAODU_FIELD_KEY`` setting (environment variable of the same name): any long random
string, kept out of the database and its backups. Each string is stretched to a Fernet key with HKDF-SHA256.
A comma-separated list rotates keys: the first one encrypts, every one decrypts; ``diaodu fieldkey rotate``
re-encrypts every stored value with the first key, after which the old keys can be dropped.

When the setting is empty (development), the key is derived from ``SECRET_KEY`` instead; a system check warns
about that when DEBUG is off and ``diaodu check --deploy`` refuses it. That derived key stays readable (never
used to encrypt) once DIAODU_FIELD_KEY is set, so an installation can move to its own key with one rotation.

Tokens are randomised, so an encrypted column cannot be filtered or indexed by its value.
"""

from __future__ import annotations

import base64
import functools
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core import checks
from django.db import models

WARNING_ID = "diaodu.W002"
ERROR_ID = "diaodu.E002"


class FieldKeyError(RuntimeError):
    """A stored token cannot be decrypted with the configured keys (wrong or missing DIAODU_FIELD_KEY)."""


def _fernet_key(secret: str, purpose: bytes) -> bytes:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret.encode())
    return base64.urlsafe_b64encode(raw)


@functools.lru_cache(maxsize=4)
def _fernet(field_key: str, secret_key: str) -> MultiFernet:
    keys = [
        Fernet(_fernet_key(k.strip(), b"diaodu field encryption")) for k in field_key.split(",") if k.strip()
    ]
    # Development: without DIAODU_FIELD_KEY the key is derived from SECRET_KEY (its own HKDF purpose, so the
    # derived key reveals nothing about SECRET_KEY; changing SECRET_KEY makes the stored secrets unreadable).
    # With DIAODU_FIELD_KEY set it comes last: it only decrypts what was stored before, until a rotation.
    from_secret_key = Fernet(_fernet_key(secret_key, b"diaodu field encryption from SECRET_KEY"))
    return MultiFernet([*keys, from_secret_key])


def _field_key() -> str:
    return str(getattr(settings, "DIAODU_FIELD_KEY", "") or "")


def _keys() -> MultiFernet:
    return _fernet(_field_key(), str(settings.SECRET_KEY))


def encrypt(plain: str) -> str:
    return _keys().encrypt(plain.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _keys().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError):
        raise FieldKeyError(
            "加密字段无法解密：DIAODU_FIELD_KEY 与加密时不同或未设置 / an encrypted column cannot be decrypted: "
            "DIAODU_FIELD_KEY differs from the key it was encrypted with, or is missing"
        ) from None


def encrypted_fields() -> list[tuple[type[models.Model], str]]:
    """(model, field name) of every encrypted column."""
    from django.apps import apps

    return [
        (model, f.name)
        for model in apps.get_models()
        for f in model._meta.get_fields()
        if isinstance(f, EncryptedCharField)
    ]


def is_encrypted(value: str) -> bool:
    """Whether ``value`` is a token readable with the configured keys."""
    try:
        decrypt(value)
    except FieldKeyError:
        return False
    return True


class EncryptedCharField(models.CharField):
    """Stores a Fernet token of the value; reads back the plain value. Empty stays empty (nothing to hide).

    ``max_length`` bounds the stored token (about 1.4 × the value + 60 characters), not the plain value."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))


def check_field_key(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.DEBUG or _field_key():
        return []
    return [checks.Warning(_MESSAGE, hint=_HINT, id=WARNING_ID)]


def check_field_key_deploy(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.DEBUG or _field_key():
        return []
    return [checks.Error(_MESSAGE, hint=_HINT, id=ERROR_ID)]


_MESSAGE = (
    "未设置 DIAODU_FIELD_KEY，动态口令密钥的加密密钥由 SECRET_KEY 派生 / DIAODU_FIELD_KEY is not set: the key "
    "encrypting the TOTP secrets is derived from SECRET_KEY"
)
_HINT = (
    "设置环境变量 DIAODU_FIELD_KEY（随机长字符串，与数据库及其备份分开保存），见 docs/deploy.md / set "
    "DIAODU_FIELD_KEY to a long random string kept apart from the database and its backups (docs/deploy.md)."
)
