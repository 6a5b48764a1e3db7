"""Model instances from hand-written SQL, for the few statements that run on every request.

Every request reads its session, its user (with the org unit) and the user's roles. Through the ORM each of
these costs more in building the SQL than in running it (≈ 0.5–1 ms of CPU each, several times the database's
time); with fixed statements written once per process they cost a fraction of that. The rows are turned into
instances exactly as the ORM does it: the database backend's and the fields' converters
(``get_db_converters``), then ``Model.from_db``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import connections
from django.db.models import Model

M = TypeVar("M", bound=Model)
Converter = Callable[[Any, Any, Any], Any]


@functools.cache
def _plan(model: type[Model], using: str) -> tuple[list[str], list[str], list[tuple[Any, list[Converter]]]]:
    connection = connections[using]
    fields = list(model._meta.concrete_fields)
    columns = [connection.ops.quote_name(f.column) for f in fields]
    converters = []
    for f in fields:
        col = f.get_col(model._meta.db_table)
        converters.append((col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)))
    return [f.attname for f in fields], columns, converters


def columns(model: type[Model], table_alias: str, using: str) -> str:
    """The select list of ``model``'s concrete fields, qualified by ``table_alias``, in ``from_db`` order."""
    return ", ".join(f"{table_alias}.{c}" for c in _plan(model, using)[1])


def width(model: type[Model], using: str) -> int:
    return len(_plan(model, using)[0])


def instance(model: type[M], using: str, values: Sequence[Any]) -> M:
    """An instance of ``model`` from the values of :func:`columns`, converted as the ORM converts them."""
    attnames, _columns, converters = _plan(model, using)
    connection = connections[using]
    converted = []
    for value, (col, funcs) in zip(values, converters, strict=True):
        for func in funcs:
            value = func(value, col, connection)
        converted.append(value)
    return model.from_db(using, attnames, converted)
