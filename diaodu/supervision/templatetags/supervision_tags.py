"""Template filters for other apps' pages that show supervision bits (e.g. the project page's blockers)."""

from __future__ import annotations

from typing import Any

from django import template

from diaodu.accounts.scope import Perm, has_perm

register = template.Library()


@register.filter
def can_supervise(user: Any) -> bool:
    """May register and route items (督查室); no query, the roles are cached on the user."""
    return has_perm(user, Perm.SUPERVISE)
