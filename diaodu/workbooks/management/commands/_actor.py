"""Who a command acts as.

``--user USERNAME`` (or ``DIAODU_CLI_USER``): that account, with its scope. Without either, the command acts
as the command-line account ``cli`` ("命令行（系统）"): it can enter and review data in every unit (whoever
can run commands on the server can reach the database anyway), it has no usable password so nobody can log
in as it, and every write it makes is audited under its name.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import CommandError
from django.db import transaction

CLI_USERNAME = "cli"
CLI_ROLE = "cli_system"


def cli_actor(username: str | None) -> Any:
    from diaodu.accounts.models import User

    name = username or os.environ.get("DIAODU_CLI_USER", "")
    if not name:
        return command_line_account()
    user = User.objects.filter(username=name, is_active=True).first()
    if user is None:
        raise CommandError(f"找不到账号“{name}” / no active user {name!r}")
    return user


@transaction.atomic
def command_line_account() -> Any:
    """The ``cli`` account and its role, created (and audited) the first time a command needs them."""
    from diaodu.accounts.models import Role, User
    from diaodu.accounts.scope import DataScope, Perm
    from diaodu.audit.models import AuditAction
    from diaodu.audit.services import record

    role, created = Role.objects.get_or_create(
        code=CLI_ROLE,
        defaults={
            "name": "命令行（系统）",
            "permissions": [str(Perm.VIEW_DATA), str(Perm.ENTER_DATA), str(Perm.REVIEW_DATA)],
            "data_scope": DataScope.ALL,
            "description": "diaodu 命令行导入导出使用；不能登录",
        },
    )
    if created:
        record(
            actor=None,
            actor_name="cli",
            action=AuditAction.CREATE,
            obj=role,
            after={"code": role.code, "permissions": role.permissions, "data_scope": role.data_scope},
        )
    user = User.objects.filter(username=CLI_USERNAME).first()
    if user is None:
        user = User(username=CLI_USERNAME, full_name="命令行（系统）")
        user.set_unusable_password()
        user.save()
        user.roles.add(role)
        record(
            actor=None,
            actor_name="cli",
            action=AuditAction.CREATE,
            obj=user,
            after={"username": CLI_USERNAME, "roles": [CLI_ROLE]},
        )
    return user
