from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from diaodu.accounts.scope import Perm, has_perm


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav": {
            "data": any(has_perm(user, p) for p in (Perm.VIEW_DATA, Perm.ENTER_DATA, Perm.REVIEW_DATA)),
            "enter": has_perm(user, Perm.ENTER_DATA),
            "review": has_perm(user, Perm.REVIEW_DATA),
            "audit": has_perm(user, Perm.VIEW_AUDIT),
            "admin": has_perm(user, Perm.MANAGE_CONFIG) or has_perm(user, Perm.MANAGE_ACCOUNTS),
        }
    }
