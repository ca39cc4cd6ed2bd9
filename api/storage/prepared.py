"""The busiest statements, on PostgreSQL sent to the driver itself as prepared statements.

SQLAlchemy's execution of a statement it has compiled and cached before still costs about 200 µs
of CPU on PostgreSQL: the execution context, the bind and result processing set up again, and a
``cursor.description`` of every column (psycopg builds a ``Column`` object for each, a proposal
with its people's summaries has 29) read for the result's metadata. psycopg executes the same
prepared statement, its round trip included, in 100–140 µs (measured in one process, the proposal
read by a decision: 250–350 µs through SQLAlchemy).

A ``Prepared`` keeps the Core statement as the one definition of the query. On PostgreSQL it is
compiled once for the dialect and each execution hands the SQL and the values to psycopg
(``prepare=True``: the server plans it once per connection), with the type processing SQLAlchemy
would apply, taken from the types' public ``bind_processor`` and ``result_processor`` (JSON values
wrapped for psycopg, which decodes JSON results with the engine's deserializer itself; timestamps
in UTC). Other databases run the statement through SQLAlchemy as before: SQLite's connections of
the event loop are watched through SQLAlchemy's events (``db.lock_free_engine``).

A driver's error is raised as SQLAlchemy raises it (``DataError`` for a NUL character, which
the service answers 422; the statement's values left out), and a connection the error found
broken is invalidated, so the pool replaces it, as SQLAlchemy's own execution does.

For statements whose values are bound by name when executed or fixed when the statement is built
(no expanding ``IN`` lists, no values rendered into the SQL). Nothing here begins or commits a
transaction: a writing statement needs a connection in autocommit mode (``db.answering_engine``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect, Select
from sqlalchemy.exc import DBAPIError

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _ForDriver:
    """A statement compiled for psycopg: its SQL, the values it holds itself (processed) and the
    processors of the values given when executed."""

    sql: str
    fixed: dict[str, Any]
    binds: dict[str, Processor]

    def values(self, given: Mapping[str, Any]) -> dict[str, Any]:
        values = {**self.fixed, **given}
        for name, process in self.binds.items():
            if values.get(name) is not None:
                values[name] = process(values[name])
        return values


def _for_driver(statement: Select[Any], dialect: Dialect) -> _ForDriver:
    compiled = statement.compile(dialect=dialect)
    if compiled.literal_execute_params or compiled.post_compile_params:
        raise ValueError("a statement with values rendered when executed cannot be prepared")
    fixed: dict[str, Any] = {}
    binds: dict[str, Processor] = {}
    for bind, name in compiled.bind_names.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if bind.required:
            if process is not None:
                binds[name] = process
            continue
        value = bind.effective_value
        fixed[name] = value if process is None or value is None else process(value)
    return _ForDriver(str(compiled), fixed, binds)


class Prepared:
    """A select run as a prepared statement of the driver on PostgreSQL (see the module)."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._driver: _ForDriver | None = None
        self._results: tuple[Processor | None, ...] | None = None

    def rows(self, connection: Connection, values: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        """All rows for ``values``, as tuples of the statement's columns."""
        if connection.dialect.name != "postgresql":
            return connection.execute(self.statement, values).all()
        driver = self._driver
        if driver is None:
            driver = self._driver = _for_driver(self.statement, connection.dialect)
        driver_connection: Any = connection.connection.driver_connection
        dbapi_error = connection.dialect.loaded_dbapi.Error
        try:
            cursor = driver_connection.execute(driver.sql, driver.values(values), prepare=True)
            rows: list[tuple[Any, ...]] = cursor.fetchall()
        except dbapi_error as error:
            broken = connection.dialect.is_disconnect(error, driver_connection, None)
            if broken:
                connection.invalidate(error)
            raise DBAPIError.instance(
                driver.sql,
                None,
                error,
                dbapi_error,
                hide_parameters=True,
                dialect=connection.dialect,
                connection_invalidated=broken,
            ) from error
        results = self._results
        if results is None:
            results = self._results = self._result_processors(connection.dialect, cursor.description or [])
        if not any(results):
            return rows
        return [
            tuple(v if p is None or v is None else p(v) for v, p in zip(row, results, strict=True))
            for row in rows
        ]

    def _result_processors(
        self, dialect: Dialect, description: Sequence[Any]
    ) -> tuple[Processor | None, ...]:
        columns = self.statement.selected_columns
        return tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, described[1])
            for column, described in zip(columns, description, strict=True)
        )

    def first(self, connection: Connection, values: Mapping[str, Any]) -> Sequence[Any] | None:
        rows = self.rows(connection, values)
        return rows[0] if rows else None

    def scalar(self, connection: Connection, values: Mapping[str, Any]) -> Any:
        row = self.first(connection, values)
        return None if row is None else row[0]
