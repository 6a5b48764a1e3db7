"""Run a line of Python in a fresh interpreter with the project's settings, as a server process starts: for tests
of what happens at start-up (settings read from the environment, modules loaded by the WSGI application)."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings


def last_line_of(code: str, *, drop: tuple[str, ...] = (), **extra_env: str) -> str:
    """What ``code`` prints last. The environment is this process's without pytest's variables and those starting
    with one of ``drop``, plus ``extra_env``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", *drop))}
    env |= {"DJANGO_SETTINGS_MODULE": "diaodu.settings", **extra_env}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip(), out.stderr
    return out.stdout.strip().splitlines()[-1]
