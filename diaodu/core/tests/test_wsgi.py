"""A worker process loads the URL configuration (views, API) when it starts, not in its first request."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings


def test_importing_the_wsgi_application_loads_every_view_module() -> None:
    code = (
        "import sys, diaodu.wsgi; "
        "print(all(m in sys.modules for m in ('diaodu.cockpit.views', 'diaodu.plans.api', 'diaodu.api')))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")} | {
        "DJANGO_SETTINGS_MODULE": "diaodu.settings"
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "True", out.stderr


def test_a_worker_hands_the_interpreter_over_every_millisecond_unless_told_otherwise() -> None:
    code = "import sys, diaodu.wsgi; print(round(sys.getswitchinterval() * 1000, 3))"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DIAODU_SWITCH"))}
    seen = []
    for extra in ({}, {"DIAODU_SWITCH_INTERVAL_MS": "5"}):
        env = base | {"DJANGO_SETTINGS_MODULE": "diaodu.settings"} | extra
        out = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        )
        seen.append(out.stdout.strip().splitlines()[-1])
    assert seen == ["1.0", "5.0"]
