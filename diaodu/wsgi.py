"""The WSGI application (granian or gunicorn: docs/deploy.md)."""

import os
import sys

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diaodu.settings")
application = get_wsgi_application()
# Load the URL configuration (every view module, the API and its schemas) as the worker process starts, not in
# the first request it serves: about a second of CPU that a user would otherwise wait for after each start.
get_resolver().url_patterns  # noqa: B018 - evaluated for its side effect
# How long a thread may hold the interpreter before another is let in: 1 ms (CPython's default is 5). A worker's
# threads mostly wait on PostgreSQL and each return from the database waits for the interpreter, so a shorter slice
# keeps cached pages and writes (which hold the audit chain's lock across two round trips) from queueing behind a
# page being computed. Measured in BENCHMARKS.md (deadline rush, cold start: p95 420–460 ms at 5 ms, 340 at 1 ms);
# DIAODU_SWITCH_INTERVAL_MS sets it.
SWITCH_INTERVAL_MS = float(os.environ.get("DIAODU_SWITCH_INTERVAL_MS", "1"))
sys.setswitchinterval(SWITCH_INTERVAL_MS / 1000)
