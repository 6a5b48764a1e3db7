"""Rows and model instances from hand-written SQL, for the hot statements: those every request runs (session,
user with their unit, roles) and the cockpit's largest reads.

Through the ORM each of these costs more in building the SQL than in running it (≈ 0.5–1 ms of CPU each, several
times the database's time); with fixed statements they cost a fraction of that. Values are converted exactly as
the ORM does it (the backend's and the fields' ``get_db_converters``): :func:`converted` for plain rows,
:func:`instance` (then ``Model.from_db``) for instances.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import connections, router
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)
Converter = Callable[[Any, Any, Any], Any]


@functools.cache
def _converters(field: Field[Any, Any], using: str) -> tuple[Any, list[Converter]]:
    """The column expression of ``field`` and the converters the ORM's compiler applies to it: the backend's,
    then the field's own (e.g. decimals, datetimes and JSON on SQLite, JSON on PostgreSQL)."""
    connection = connections[using]
    col = field.get_col(field.model._meta.db_table)
    return col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)


@functools.cache
def _plan(
    model: type[Model], using: str, skip: tuple[str, ...] = ()
) -> tuple[list[str], list[str], list[tuple[Any, list[Converter]]]]:
    connection = connections[using]
    fields = [f for f in model._meta.concrete_fields if f.name not in skip]
    columns = [connection.ops.quote_name(f.column) for f in fields]
    return [f.attname for f in fields], columns, [_converters(f, using) for f in fields]


def columns(model: type[Model], table_alias: str, using: str, skip: tuple[str, ...] = ()) -> str:
    """The select list of ``model``'s concrete fields, qualified by ``table_alias``, in ``from_db`` order.
    ``skip``: fields left out (the instances have them deferred, as ``defer()`` does: e.g. a plan's speech)."""
    return ", ".join(f"{table_alias}.{c}" for c in _plan(model, using, skip)[1])


def width(model: type[Model], using: str, skip: tuple[str, ...] = ()) -> int:
    return len(_plan(model, using, skip)[0])


def instance(model: type[M], using: str, values: Sequence[Any], skip: tuple[str, ...] = ()) -> M:
    """An instance of ``model`` from the values of :func:`columns` (with the same ``skip``), converted as the ORM
    converts them."""
    attnames, _columns, converters = _plan(model, using, skip)
    connection = connections[using]
    converted = []
    for value, (col, funcs) in zip(values, converters, strict=True):
        for func in funcs:
            value = func(value, col, connection)
        converted.append(value)
    return model.from_db(using, attnames, converted)


def plain_rows(
    model: type[Model],
    columns: Sequence[str],
    where: str,
    params: Sequence[Any],
    *,
    order_by: str = "",
    using: str | None = None,
) -> list[tuple[Any, ...]]:
    """The rows ``values_list(*columns)`` would give for ``model`` (column names; the field converters applied,
    e.g. decimals on SQLite), filtered by ``where`` (SQL on the table's columns, ``%s`` for ``params``) but
    without building and compiling a queryset: for the hot reads of a page, where the ORM's work costs more than
    the statement. No scope applies here: for reads keyed by what the caller already loaded through its scope.
    ``using``: the database, by default the one the routers read ``model`` from (as a queryset would)."""
    using = using or router.db_for_read(model)
    connection = connections[using]
    table = connection.ops.quote_name(model._meta.db_table)
    select = ", ".join(connection.ops.quote_name(c) for c in columns)
    order = f" ORDER BY {order_by}" if order_by else ""
    sql = f"SELECT {select} FROM {table} WHERE {where}{order}"  # noqa: S608 - the callers' constant SQL, values as params
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        rows = cursor.fetchall()
    by_column = {f.column: f for f in model._meta.concrete_fields}
    return converted(rows, [by_column[c] for c in columns], using=using)


def converted(
    rows: list[tuple[Any, ...]], fields: Sequence[Field[Any, Any] | None], *, using: str
) -> list[tuple[Any, ...]]:
    """``rows`` of a hand-written statement with the converters the ORM applies to ``fields`` (one a column;
    None: as it comes), as its compiler finds them: the backend's, then the field's own (on PostgreSQL none of
    the fields read here has any; on SQLite decimals come back as floats without them)."""
    connection = connections[using]
    converters: list[tuple[int, list[Converter], Any]] = []
    for i, field in enumerate(fields):
        if field is None:
            continue
        expression, funcs = _converters(field, using)
        if funcs:
            converters.append((i, funcs, expression))
    if not converters:
        return rows
    out = []
    for row in rows:
        values = list(row)
        for i, funcs, expression in converters:
            for func in funcs:
                values[i] = func(values[i], expression, connection)
        out.append(tuple(values))
    return out
