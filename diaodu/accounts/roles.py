"""The default roles every installation has. Administrators are separated (三员分立)."""

from __future__ import annotations

from typing import NamedTuple

from diaodu.accounts.scope import DataScope, Perm


class RoleSeed(NamedTuple):
    code: str
    name: str
    permissions: tuple[str, ...]
    data_scope: str
    description: str


COUNTY_LEADER = "county_leader"
REVIEWER = "reviewer"
UNIT_OFFICER = "unit_officer"
UNIT_VIEWER = "unit_viewer"
SYSTEM_ADMIN = "system_admin"
SECURITY_ADMIN = "security_admin"
AUDIT_ADMIN = "audit_admin"
SUPERVISOR = "supervisor"

DEFAULT_ROLES: tuple[RoleSeed, ...] = (
    RoleSeed(COUNTY_LEADER, "县领导", (Perm.VIEW_DATA,), DataScope.ALL, "查看全县所有目标与数据"),
    RoleSeed(
        REVIEWER,
        "审核员",
        (Perm.VIEW_DATA, Perm.REVIEW_DATA),
        DataScope.ALL,
        "发改委、统计局等：审核范围内单位报送的数据",
    ),
    RoleSeed(
        UNIT_OFFICER,
        "单位填报员",
        (Perm.VIEW_DATA, Perm.ENTER_DATA),
        DataScope.UNIT_AND_BELOW,
        "填报本单位（及下属）数据",
    ),
    RoleSeed(UNIT_VIEWER, "单位查看员", (Perm.VIEW_DATA,), DataScope.UNIT, "只读查看本单位数据"),
    RoleSeed(SYSTEM_ADMIN, "系统管理员", (Perm.MANAGE_CONFIG,), DataScope.ALL, "管理指标、单位等系统配置"),
    RoleSeed(SECURITY_ADMIN, "安全管理员", (Perm.MANAGE_ACCOUNTS,), DataScope.ALL, "管理账号与角色"),
    RoleSeed(AUDIT_ADMIN, "审计管理员", (Perm.VIEW_AUDIT,), DataScope.ALL, "只读查看审计日志"),
    RoleSeed(
        SUPERVISOR,
        "督查员",
        (Perm.VIEW_DATA, Perm.SUPERVISE),
        DataScope.ALL,
        "督查室：登记、交办、核验、办结督办件，查看全县目标与数据",
    ),
)
