"""Demo accounts, one per persona. The same list builds the test personas."""

from __future__ import annotations

from typing import NamedTuple

from diaodu.accounts import roles

# Meets the password rules (≥8 characters, ≥3 classes). Printed by `diaodu demo`; demo data only.
DEMO_PASSWORD = "Diaodu@2025"


class DemoUser(NamedTuple):
    username: str
    full_name: str
    org_unit_code: str
    role_codes: tuple[str, ...]
    title: str


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("leader", "县领导（演示）", "320723", (roles.COUNTY_LEADER,), "县长"),
    DemoUser("fgw", "发改委审核员（演示）", "320723-D01", (roles.REVIEWER,), "发改委综合科"),
    DemoUser("tjj", "统计局审核员（演示）", "320723-D03", (roles.REVIEWER,), "统计局综合科"),
    DemoUser("yishan", "伊山镇填报员（演示）", "320723-T02", (roles.UNIT_OFFICER,), "伊山镇经发局"),
    DemoUser("yangji", "杨集镇填报员（演示）", "320723-T03", (roles.UNIT_OFFICER,), "杨集镇经发局"),
    DemoUser("lingang", "临港产业区填报员（演示）", "320723-Z01", (roles.UNIT_OFFICER,), "临港产业区经发局"),
    DemoUser("kaifaqu", "经济开发区填报员（演示）", "320723-Z02", (roles.UNIT_OFFICER,), "开发区经发局"),
    DemoUser("county", "县统计填报员（演示）", "320723", (roles.UNIT_OFFICER,), "县统计局数据岗"),
    DemoUser("sysadmin", "系统管理员（演示）", "320723", (roles.SYSTEM_ADMIN,), "系统管理员"),
    DemoUser("secadmin", "安全管理员（演示）", "320723", (roles.SECURITY_ADMIN,), "安全管理员"),
    DemoUser("auditadmin", "审计管理员（演示）", "320723", (roles.AUDIT_ADMIN,), "审计管理员"),
    DemoUser("dcs", "督查室督查员（演示）", "320723-D11", (roles.SUPERVISOR,), "县委县政府督查室"),
    DemoUser(
        "ziran",
        "自然资源和规划局经办人（演示）",
        "320723-D06",
        (roles.UNIT_OFFICER,),
        "自然资源和规划局综合科",
    ),
)
