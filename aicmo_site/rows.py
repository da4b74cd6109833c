"""The statements pages write out themselves: their WHERE clauses (Where), and their rows read as
the ORM would have read them (fetch_converted)."""

from __future__ import annotations

import functools

from django.db import connection


@functools.cache
def _converters(model, columns: tuple[str, ...], vendor: str) -> tuple:
    """(index, functions, column) of each of `columns` the backend hands over unconverted; the
    same for every statement reading them, so worked out once per process and backend."""
    converters = []
    for index, name in enumerate(columns):
        field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        column = field.get_col(model._meta.db_table)
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            converters.append((index, tuple(functions), column))
    return tuple(converters)


def fetch_converted(model, columns: tuple[str, ...], sql: str, params: list) -> list[list]:
    """The rows of a fixed statement reading `model`'s `columns` first (any columns after them
    are taken as read; "pk" names the primary key), converted from the database as the ORM
    converts them (SQLCompiler.get_converters: the backend's conversions, then each field's
    from_db_value): JSON decoded, and on SQLite dates parsed and datetimes made aware. Each row
    is a list, which callers may change in place."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    converters = _converters(model, columns, connection.vendor)
    converted = []
    for row in rows:
        values = list(row)
        for index, functions, column in converters:
            for function in functions:
                values[index] = function(values[index], column, connection)
        converted.append(values)
    return converted


class Where:
    """The WHERE clause of a written-out statement, added to condition by condition with each
    condition's parameters; sql() gives " WHERE a AND b ..." (or "" for none) and the parameters
    in the order they appear."""

    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.params: list = []

    def add(self, clause: str, *values) -> None:
        self.clauses.append(clause)
        self.params.extend(values)

    def sql(self) -> tuple[str, list]:
        return (f" WHERE {' AND '.join(self.clauses)}" if self.clauses else ""), self.params
