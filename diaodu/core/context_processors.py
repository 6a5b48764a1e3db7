from __future__ import annotations

import os
from typing import Any

from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from diaodu.accounts.scope import Perm, has_perm


def supervision_badge_html(user: Any) -> SafeString:
    """The nav's red badge (unread notices and items waiting to be signed), or nothing: one query."""
    from diaodu.supervision.worklists import badge_count

    n = badge_count(user)
    if not n:
        return mark_safe("")
    return format_html(
        '<span class="badge bg-red text-red-fg ms-1" data-testid="supervision-badge" title="{}">{}</span>',
        _("未读消息或待签收的督办件"),
        n,
    )


def _supervision_badge(user: Any) -> Any:
    """Evaluated only when a full page renders the nav (htmx partials skip it)."""
    return lambda: supervision_badge_html(user)


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
        "supervision_badge_html": _supervision_badge(user),
    }
