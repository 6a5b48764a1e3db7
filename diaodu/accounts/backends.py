"""The authentication backend: Django's ``ModelBackend`` (password check, ``is_active``), except that the user of
a session is read with their org unit in the same query (nearly every page and API call needs that unit for the
data scope and the header)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from diaodu.accounts.models import User


class UnitUserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = User._default_manager.select_related("org_unit").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
