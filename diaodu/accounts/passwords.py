"""Password rules of 等保 level 3: at least three character classes (length is Django's validator)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def character_classes(password: str) -> int:
    classes = [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    return sum(classes)


class CharacterClassValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < 3:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少三类。"), code="password_too_simple"
            )

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号中的至少三类。")


class PasswordHistoryValidator:
    """等保: a new password may not be one of the user's last ``history`` passwords (the current one included)."""

    def __init__(self, history: int = 5) -> None:
        self.history = history

    def validate(self, password: str, user: Any = None) -> None:
        from django.contrib.auth.hashers import check_password

        if user is None or getattr(user, "pk", None) is None:
            return
        from diaodu.accounts.models import PasswordHistory

        hashes = [user.password] if user.password else []
        hashes += list(
            PasswordHistory.objects.filter(user_id=user.pk)
            .order_by("-created_at", "-id")
            .values_list("password", flat=True)[: self.history]
        )
        seen: set[str] = set()
        for encoded in hashes:
            if encoded in seen:
                continue
            seen.add(encoded)
            if check_password(password, encoded):
                raise ValidationError(
                    _("新密码不能与最近%(n)d次使用过的密码相同。") % {"n": self.history},
                    code="password_reused",
                )

    def get_help_text(self) -> str:
        return _("不能与最近%(n)d次使用过的密码相同。") % {"n": self.history}


def password_expired(changed_at: Any, now: Any, max_age_days: int) -> bool:
    """True when a password set at ``changed_at`` is older than ``max_age_days`` (0 = never expires)."""
    if max_age_days <= 0 or changed_at is None:
        return False
    import datetime as dt

    return bool(now - changed_at > dt.timedelta(days=max_age_days))
