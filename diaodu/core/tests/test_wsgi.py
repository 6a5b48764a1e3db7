"""A worker process loads the URL configuration (views, API) when it starts, not in its first request, and sets
the interpreter's switch interval."""

from __future__ import annotations

from diaodu.core.testing.interpreter import last_line_of


def _last_line_of(code: str, **extra_env: str) -> str:
    """What ``code`` prints last in a fresh interpreter (as a worker process starts)."""
    return last_line_of(code, drop=("DIAODU_SWITCH",), **extra_env)


def test_importing_the_wsgi_application_loads_every_view_module() -> None:
    code = (
        "import sys, diaodu.wsgi; "
        "print(all(m in sys.modules for m in ('diaodu.cockpit.views', 'diaodu.plans.api', 'diaodu.api')))"
    )
    assert _last_line_of(code) == "True"


def test_a_worker_hands_the_interpreter_over_every_millisecond_unless_told_otherwise() -> None:
    code = "import sys, diaodu.wsgi; print(round(sys.getswitchinterval() * 1000, 3))"
    assert _last_line_of(code) == "1.0"
    assert _last_line_of(code, DIAODU_SWITCH_INTERVAL_MS="5") == "5.0"
