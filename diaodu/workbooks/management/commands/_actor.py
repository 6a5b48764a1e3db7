"""Who a command acts as: ``--user USERNAME`` (or ``DIAODU_CLI_USER``); writes are scoped and audited as that user."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import CommandError


def cli_actor(username: str | None) -> Any:
    from diaodu.accounts.models import User

    name = username or os.environ.get("DIAODU_CLI_USER", "")
    if not name:
        raise CommandError(
            "请用 --user 账号（或环境变量 DIAODU_CLI_USER）指定以哪个账号的权限导入导出 / "
            "give --user USERNAME: imports and exports are scoped to that account"
        )
    user = User.objects.filter(username=name, is_active=True).first()
    if user is None:
        raise CommandError(f"找不到账号“{name}” / no active user {name!r}")
    return user
