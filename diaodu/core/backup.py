"""Backup and restore of the whole database (等保: 数据备份与恢复), used by ``diaodu backup`` / ``diaodu restore``.

* SQLite: the online backup API (a consistent copy while the site runs); restore copies the file back the same
  way, page by page, into the live database.
* PostgreSQL: ``pg_dump -Fc`` (one consistent snapshot) and ``pg_restore --clean --if-exists``; the client
  programs are taken from PATH or the newest /usr/lib/postgresql/*/bin.

:func:`fingerprint` gives every table's row count and a checksum of its rows, so a round trip can be proved.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connections

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    pass


def pg_program(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: [int(n) for n in re.findall(r"\d+", p.parent.parent.name)] or [0],
    )
    if not candidates:
        raise BackupError(f"{name} 未找到：请安装 postgresql-client / {name} not found")
    return str(candidates[-1])


def _pg_args(settings: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["-h", settings.get("HOST") or "localhost", "-U", settings.get("USER") or "postgres"]
    if settings.get("PORT"):
        args += ["-p", str(settings["PORT"])]
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    return args, env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} 失败 / failed:\n{result.stderr.strip()}")


def backup(path: Path | str, using: str = "default") -> None:
    """Write a consistent copy of database ``using`` to ``path``."""
    path = Path(path)
    connection = connections[using]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        args, env = _pg_args(connection.settings_dict)
        _run(
            [
                pg_program("pg_dump"),
                *args,
                "-Fc",
                "--no-owner",
                "-f",
                str(path),
                connection.settings_dict["NAME"],
            ],
            env,
        )
    else:
        raise BackupError(f"不支持的数据库 / unsupported database: {connection.vendor}")


def restore(path: Path | str, using: str = "default") -> None:
    """Replace every table of database ``using`` with the contents of the backup at ``path``."""
    path = Path(path)
    head = path.read_bytes()[:16] if path.exists() else b""
    connection = connections[using]
    if connection.vendor == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError("不是 SQLite 备份文件 / not an SQLite backup")
        connection.ensure_connection()
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    elif connection.vendor == "postgresql":
        if not head.startswith(PGDUMP_MAGIC):
            raise BackupError("不是 pg_dump -Fc 备份文件 / not a pg_dump custom-format backup")
        connection.close()  # pg_restore --clean drops tables; our idle connection must not hold locks
        args, env = _pg_args(connection.settings_dict)
        _run(
            [
                pg_program("pg_restore"),
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "-d",
                connection.settings_dict["NAME"],
                str(path),
            ],
            env,
        )
    else:
        raise BackupError(f"不支持的数据库 / unsupported database: {connection.vendor}")


def fingerprint(using: str = "default") -> dict[str, tuple[int, str]]:
    """``{table: (row count, sha256 of all rows in primary-key order)}`` for every table Django knows."""
    connection = connections[using]
    out: dict[str, tuple[int, str]] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            quoted = connection.ops.quote_name(table)
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            order = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT * FROM {quoted} ORDER BY {order}")  # noqa: S608 - introspected names
            digest = hashlib.sha256()
            count = 0
            for row in cursor.fetchall():
                digest.update(repr(tuple(_plain(v) for v in row)).encode())
                count += 1
            out[table] = (count, digest.hexdigest())
    return out


def _plain(value: Any) -> Any:
    # The same value reads back as the same Python value on both backends, except these.
    if isinstance(value, memoryview):
        return bytes(value)
    return value
