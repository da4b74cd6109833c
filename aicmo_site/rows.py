"""Rows of the statements pages write out themselves, read as the ORM would have read them."""

from __future__ import annotations

from django.db import connection


def fetch_converted(model, columns: tuple[str, ...], sql: str, params: list) -> list[list]:
    """The rows of a fixed statement reading `model`'s `columns` first (any columns after them
    are taken as read), converted from the database as the ORM converts them
    (SQLCompiler.get_converters: the backend's conversions, then each field's from_db_value):
    JSON decoded, and on SQLite dates parsed and datetimes made aware."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    converters = []
    for index, name in enumerate(columns):
        column = model._meta.get_field(name).get_col(model._meta.db_table)
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            converters.append((index, functions, column))
    converted = []
    for row in rows:
        values = list(row)
        for index, functions, column in converters:
            for function in functions:
                values[index] = function(values[index], column, connection)
        converted.append(values)
    return converted
