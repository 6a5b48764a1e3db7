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
# How long a thread may hold the interpreter before another is let in (CPython's default: 5 ms). A worker's threads
# mostly wait on PostgreSQL; each return from the database waits for the interpreter, so a shorter slice keeps a
# cached page from queueing behind a page being computed. DIAODU_SWITCH_INTERVAL_MS (see BENCHMARKS.md).
sys.setswitchinterval(float(os.environ.get("DIAODU_SWITCH_INTERVAL_MS", "5")) / 1000)
