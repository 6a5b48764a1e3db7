"""The `diaodu` console script: Django's management commands under a friendlier name.

diaodu migrate | demo | serve | plan load FILE | plan status ... | tasks list ... | worker | createsuperuser
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

HELP = """\
调度 Diaodu — 县域年度发展计划目标调度平台
Usage / 用法: diaodu <command> [options]

常用命令 / Main commands:
  diaodu migrate                     建立或升级数据库 / create or upgrade the database
  diaodu demo                        载入演示数据并打印演示账号 / load the demo data, print demo logins
  diaodu serve [--port 8000]         在 http://127.0.0.1:8000 启动服务 / serve on 127.0.0.1
  diaodu plan load FILE              导入计划文件 (YAML) / load a plan file
  diaodu plan status --year 2025 --as-of 2025-09 [--json]
                                     查看目标完成情况 / show target status
  diaodu extract FILE [--year 2025] [--json] [--compare PLANFILE]
                                     从讲话/报告提取目标与任务 / draft targets and tasks from prose
  diaodu briefing --unit 320723 --month 2025-09 --out FILE.docx [--as USERNAME]
                                     生成月度调度通报 (Word) / write the monthly briefing
  diaodu tasks list --year 2025 --as-of 2025-09-30 [--json]
                                     重点任务及红黄绿灯 / key tasks with their lights
  diaodu worker                      后台任务与督办提醒、逾期升级 / background jobs, reminders, escalation
  diaodu workbooks recover           把后台进程异常终止的导入标记为失败 / fail imports whose worker died
  diaodu createsuperuser             创建管理员账号 / create an administrator

diaodu help <command> 查看某个命令的参数 / shows a command's options.
"""


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diaodu.settings")
    from django.core.management import execute_from_command_line

    if not args or args[0] in {"-h", "--help"}:
        print(HELP)
        sys.stdout.flush()
        args = ["help"]
    execute_from_command_line(["diaodu", *args])


if __name__ == "__main__":
    main()
