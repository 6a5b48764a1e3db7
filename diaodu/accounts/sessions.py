"""The session engine: Django's database sessions, read with one fixed statement (every request of a logged-in
user reads its session first; see :mod:`diaodu.core.rawrows`). Writing, expiry and cleanup are Django's."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.db import connections, router
from django.utils import timezone


@functools.cache
def _sql(using: str, table: str) -> str:
    qn = connections[using].ops.quote_name
    return (
        f"SELECT {qn('session_data')} FROM {qn(table)} "  # noqa: S608 - names from the model
        f"WHERE {qn('session_key')} = %s AND {qn('expire_date')} > %s"
    )


class SessionStore(DbSessionStore):
    def _get_session_from_db(self) -> Any:
        if not self.session_key:
            self._session_key = None
            return None
        using = router.db_for_read(self.model)
        connection = connections[using]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(_sql(using, self.model._meta.db_table), [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=row[0])
