"""A throwaway PostgreSQL cluster for tests.

    from pgcluster import throwaway_cluster

    with throwaway_cluster() as url:   # postgres://postgres@127.0.0.1:PORT/postgres
        ...

initdb/pg_ctl are taken from PATH, else from the newest /usr/lib/postgresql/*/bin.
When running as root the cluster belongs to the `postgres` OS user (PostgreSQL refuses
to run as root). The cluster is stopped and its directory deleted on exit, including
on failure and Ctrl-C. Nothing is written outside the temporary directory.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PG_USER = "postgres"
SERVER_OPTIONS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


class ClusterError(RuntimeError):
    pass


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path.parent.parent.name)) or (0,)


def find_pg_bin() -> Path:
    """Directory holding initdb and pg_ctl."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).resolve().parent
    candidates = [
        p for p in Path("/usr/lib/postgresql").glob("*/bin/initdb") if (p.parent / "pg_ctl").exists()
    ]
    if not candidates:
        raise ClusterError(
            "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin. "
            "Install the Debian package `postgresql` (make setup does this as root). / "
            "未找到 PostgreSQL 服务器程序，请安装 postgresql。"
        )
    return max(candidates, key=_version_key).parent


def _as_pg_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        import pwd

        pwd.getpwnam(PG_USER)
    except KeyError as exc:
        raise ClusterError(
            f"Running as root but there is no `{PG_USER}` OS user to own the cluster "
            "(PostgreSQL refuses to run as root). Install the `postgresql` package or run as a normal user."
        ) from exc
    runuser = shutil.which("runuser") or "/usr/sbin/runuser"
    return [runuser, "-u", PG_USER, "--"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)


def _initdb(prefix: list[str], bindir: Path, root: Path, data: Path) -> None:
    last = None
    for locale in ("C.UTF-8", "C"):
        if data.exists():
            shutil.rmtree(data)
        cmd = [
            *prefix,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            PG_USER,
            "--encoding=UTF8",
            f"--locale={locale}",
            "--no-sync",
        ]
        last = _run(cmd, root)
        if last.returncode == 0:
            return
    assert last is not None
    raise ClusterError(f"initdb failed:\n{last.stdout}\n{last.stderr}")


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass(frozen=True)
class Cluster:
    """A running throwaway cluster, for tests that need more than its URL (e.g. a restart under load)."""

    url: str
    data: Path
    root: Path
    pg_ctl: str
    prefix: tuple[str, ...]

    def restart(self, mode: str = "fast") -> subprocess.CompletedProcess[str]:
        """``pg_ctl restart`` with the same options; raises ClusterError if it fails."""
        log = self.root / "postgres.log"  # without -l the server would inherit (and hold open) our pipes
        result = _run(
            [
                *self.prefix,
                self.pg_ctl,
                "-w",
                "-t",
                "60",
                "-D",
                str(self.data),
                "-l",
                str(log),
                "-m",
                mode,
                "restart",
            ],
            self.root,
        )
        if result.returncode != 0:
            raise ClusterError(f"pg_ctl restart failed:\n{result.stdout}\n{result.stderr}")
        return result


@contextlib.contextmanager
def throwaway_cluster(port: int | None = None) -> Iterator[str]:
    """Start a fresh PostgreSQL cluster on 127.0.0.1 and yield its DATABASE_URL."""
    with running_cluster(port) as cluster:
        yield cluster.url


@contextlib.contextmanager
def running_cluster(port: int | None = None) -> Iterator[Cluster]:
    """Like :func:`throwaway_cluster` but yields a :class:`Cluster` handle."""
    bindir = find_pg_bin()
    prefix = _as_pg_user()
    # Short path: the unix socket lives here too and socket paths are limited to ~107 bytes.
    root = Path(tempfile.mkdtemp(prefix="diaodu-pg-", dir="/tmp" if os.path.isdir("/tmp") else None))  # noqa: S108
    data = root / "data"
    log = root / "postgres.log"
    pg_ctl = str(bindir / "pg_ctl")
    started = False
    chosen = 0
    try:
        if prefix:
            shutil.chown(root, user=PG_USER, group=None)
            os.chmod(root, 0o700)
        _initdb(prefix, bindir, root, data)
        for attempt in range(3):
            chosen = port or free_port()
            opts = f"-c listen_addresses=127.0.0.1 -p {chosen} -k {root} {SERVER_OPTIONS}"
            result = _run(
                [*prefix, pg_ctl, "-w", "-t", "60", "-D", str(data), "-l", str(log), "-o", opts, "start"],
                root,
            )
            if result.returncode == 0:
                started = True
                break
            if port is not None or attempt == 2:
                raise ClusterError(
                    f"pg_ctl start failed:\n{result.stdout}\n{result.stderr}\n--- log ---\n{_tail(log)}"
                )
        yield Cluster(f"postgres://{PG_USER}@127.0.0.1:{chosen}/postgres", data, root, pg_ctl, tuple(prefix))
    finally:
        try:
            # postmaster.pid also covers an interrupt that lands while pg_ctl start is still waiting.
            if started or (data / "postmaster.pid").exists():
                stop = _run([*prefix, pg_ctl, "-w", "-D", str(data), "-m", "fast", "stop"], root)
                if stop.returncode != 0 and (data / "postmaster.pid").exists():
                    # Last resort so we never leave a server behind.
                    _run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], root)
                    print(f"pgcluster: fast stop failed: {stop.stderr.strip()}", file=sys.stderr)
        finally:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    # Handy for manual use: keeps a cluster up until Enter or Ctrl-C.
    with throwaway_cluster() as url:
        print(url, flush=True)
        with contextlib.suppress(KeyboardInterrupt, EOFError):
            input("PostgreSQL is running; press Enter to stop / 按回车停止 ")
