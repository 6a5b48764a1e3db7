from __future__ import annotations

import os
from typing import Any

from django.http import HttpRequest

from diaodu.accounts.scope import Perm, has_perm


def _supervision_badge(user: Any) -> Any:
    """Evaluated only when a full page renders the nav (htmx partials skip it): one query."""

    def count() -> int:
        from diaodu.supervision.worklists import badge_count

        return badge_count(user)

    return count


def demo_flag() -> bool:
    """True when the instance runs on demo data (``DIAODU_DEMO=1``, set by whoever starts the demo); no query."""
    return os.environ.get("DIAODU_DEMO", "") in ("1", "true", "yes")


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"diaodu_demo": demo_flag()}
    return {
        "diaodu_demo": demo_flag(),
        "nav": {
            "data": any(has_perm(user, p) for p in (Perm.VIEW_DATA, Perm.ENTER_DATA, Perm.REVIEW_DATA)),
            "enter": has_perm(user, Perm.ENTER_DATA),
            "review": has_perm(user, Perm.REVIEW_DATA),
            "audit": has_perm(user, Perm.VIEW_AUDIT),
            "login_log": has_perm(user, Perm.VIEW_AUDIT) or has_perm(user, Perm.MANAGE_ACCOUNTS),
            "admin": has_perm(user, Perm.MANAGE_CONFIG) or has_perm(user, Perm.MANAGE_ACCOUNTS),
            "config": has_perm(user, Perm.MANAGE_CONFIG),
            "supervision": any(
                has_perm(user, p) for p in (Perm.VIEW_DATA, Perm.ENTER_DATA, Perm.REVIEW_DATA, Perm.SUPERVISE)
            ),
        },
        "supervision_badge": _supervision_badge(user),
    }
