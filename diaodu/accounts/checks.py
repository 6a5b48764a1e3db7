"""System check (Django checks framework): no account may keep the published demo password in production.

``diaodu demo`` creates accounts whose password is printed on screen and in the README. With DEBUG off,
each such account that is still active and still has that password is reported: a warning on every start
(``diaodu serve`` shows it), an error under ``diaodu check --deploy``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.db import DatabaseError

WARNING_ID = "diaodu.W001"
ERROR_ID = "diaodu.E001"


def demo_accounts_with_demo_password() -> list[str]:
    from diaodu.accounts.models import User
    from diaodu.core.demo.users import DEMO_PASSWORD, DEMO_USERS

    names = [d.username for d in DEMO_USERS]
    try:
        users = list(User.objects.filter(username__in=names, is_active=True))
    except DatabaseError:  # not migrated yet
        return []
    return sorted(u.username for u in users if u.check_password(DEMO_PASSWORD))


def _message(names: list[str]) -> str:
    return (
        "演示账号仍使用公开的演示密码 / demo accounts still have the published demo password: "
        + ", ".join(names)
    )


HINT = "停用这些账号或修改其密码（diaodu changepassword 用户名）/ deactivate them or change their passwords."


def check_demo_passwords(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.DEBUG:
        return []
    names = demo_accounts_with_demo_password()
    return [checks.Warning(_message(names), hint=HINT, id=WARNING_ID)] if names else []


def check_demo_passwords_deploy(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.DEBUG:
        return []
    names = demo_accounts_with_demo_password()
    return [checks.Error(_message(names), hint=HINT, id=ERROR_ID)] if names else []
