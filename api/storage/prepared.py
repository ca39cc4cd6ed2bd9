"""Where the busiest requests' statements run: on the driver itself, sqlite3's or psycopg's, as
statements compiled once.

The functions of ``api.answers`` (and the parts of ``pages`` and ``decisions`` they call) are
written once against ``Statements`` and awaited on either:

* ``OnSqlite``, sqlite3's connection from SQLAlchemy's pool: the statements run at once, so the
  function finishes without ever waiting on anything and can also be run to its end in a thread
  (``finished``);
* ``OnDriver``, a psycopg ``AsyncConnection`` in autocommit mode from a pool of its own
  (PostgreSQL): each round trip to the server is awaited in the event loop, so a request costs no
  hop to a thread and back (a decision under 50 clients: 1.0–1.1 ms of the web process's CPU in a
  thread, 0.7–0.8 ms in the loop).

Either way SQLAlchemy's execution, which costs about 200 µs of CPU per statement even compiled
and cached before (the execution context, bind and result processing set up again, and a
``cursor.description`` of every column, for which psycopg builds a ``Column`` object each: 29 for
a proposal with its people's summaries), is left out: the proposal read by a decision took
250–350 µs through SQLAlchemy and 100–140 µs on psycopg; on SQLite a decision with two web
processes under 50 clients went from 0.87–1.38 to 0.70–0.77 ms of CPU.

A ``Prepared`` keeps the Core statement as the one definition of the query. For the driver it is
compiled once for the dialect and each execution hands the SQL and the values to the driver
(psycopg: ``prepare=True`` for the statements built once: the server plans each once per
connection; sqlite3 keeps its own cache of compiled statements), with
the type processing SQLAlchemy would apply, from the types' public ``bind_processor`` and
``result_processor`` (JSON values wrapped for psycopg, which decodes JSON results with pydantic's
parser itself; timestamps in UTC). A driver's error is raised as SQLAlchemy raises it
(``DataError`` for a NUL character, which the service answers 422; the values left out); a
connection the error left broken is discarded by the pool when it comes back.

For statements whose values are bound by name when executed or fixed when the statement is built
(no expanding ``IN`` lists, no values rendered into the SQL).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from psycopg import AsyncConnection
from sqlalchemy import Dialect, Insert, PoolProxiedConnection, Select, Update
from sqlalchemy.exc import DBAPIError, StatementError

Processor = Callable[[Any], Any]
Statement = Select[Any] | Update | Insert
T = TypeVar("T")


class Described(Protocol):
    """A driver's cursor, which describes the columns of its result."""

    @property
    def description(self) -> Sequence[Any] | None: ...


@dataclass(frozen=True)
class _ForDriver:
    """A statement compiled for the driver: its SQL, the values it holds itself (processed), the
    processors of the values given when executed and, for a driver of positional parameters
    (sqlite3's ``?``), the names of the values in their order."""

    sql: str
    fixed: dict[str, Any]
    binds: dict[str, Processor]
    positions: tuple[str, ...] | None

    def values(self, given: Mapping[str, Any]) -> dict[str, Any] | tuple[Any, ...]:
        values = {**self.fixed, **given}
        for name, process in self.binds.items():
            if values.get(name) is not None:
                values[name] = process(values[name])
        if self.positions is None:
            return values
        return tuple(values[name] for name in self.positions)


def _for_driver(statement: Statement, dialect: Dialect) -> _ForDriver:
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
    positions = tuple(compiled.positiontup or ()) if compiled.positional else None
    return _ForDriver(str(compiled), fixed, binds, positions)


class Prepared:
    """A statement, compiled for the driver when first run on it (see the module); ``reused``
    False for one built per request (a search by name), which psycopg prepares on the server only
    once the same SQL has come back a few times (its ``prepare_threshold``)."""

    def __init__(self, statement: Statement, *, reused: bool = True) -> None:
        self.statement = statement
        self.reused = reused
        self._driver: dict[str, _ForDriver] = {}
        self._results: dict[str, tuple[Processor | None, ...]] = {}

    def for_driver(self, dialect: Dialect) -> _ForDriver:
        driver = self._driver.get(dialect.name)
        if driver is None:
            driver = self._driver[dialect.name] = _for_driver(self.statement, dialect)
        return driver

    def processed(
        self, dialect: Dialect, cursor: Described, rows: list[tuple[Any, ...]]
    ) -> Sequence[Sequence[Any]]:
        """The driver's rows with SQLAlchemy's result processing of the columns' types (the
        cursor's description is read once per dialect: psycopg builds an object per column for
        it each time, 29 for a proposal with its people, 3 % of a decision's CPU)."""
        results = self._results.get(dialect.name)
        if results is None:
            assert isinstance(self.statement, Select)
            columns = self.statement.selected_columns
            results = self._results[dialect.name] = tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, described[1])
                for column, described in zip(columns, cursor.description or (), strict=True)
            )
        if not any(results):
            return rows
        return [
            tuple(v if p is None or v is None else p(v) for v, p in zip(row, results, strict=True))
            for row in rows
        ]


class Statements:
    """Runs ``Prepared`` statements for the functions of ``api.answers``."""

    dialect: Dialect

    async def rows(self, statement: Prepared, values: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        """All rows of a select for ``values``."""
        raise NotImplementedError

    async def changed(self, statement: Prepared, values: Mapping[str, Any]) -> int:
        """The number of rows a writing statement changed."""
        raise NotImplementedError

    async def commit(self) -> None:
        """Ends the transaction the writes began (none in autocommit mode)."""

    async def rollback(self) -> None:
        """Undoes the transaction's writes (none in autocommit mode)."""

    async def first(self, statement: Prepared, values: Mapping[str, Any]) -> Sequence[Any] | None:
        rows = await self.rows(statement, values)
        return rows[0] if rows else None

    async def scalar(self, statement: Prepared, values: Mapping[str, Any]) -> Any:
        row = await self.first(statement, values)
        return None if row is None else row[0]


class OnSqlite(Statements):
    """On sqlite3's connection (from SQLAlchemy's pool: ``Engine.raw_connection``), nothing
    awaited; the module's transactions (one begun before the first write)."""

    def __init__(self, connection: PoolProxiedConnection, dialect: Dialect) -> None:
        self.dialect = dialect
        driver = connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        self._driver = driver

    def _executed(
        self, statement: Prepared, values: Mapping[str, Any]
    ) -> tuple[sqlite3.Cursor, list[tuple[Any, ...]]]:
        """The cursor and its rows: a statement runs while its rows are fetched, so an error (an
        interruption) may come from either."""
        driver = statement.for_driver(self.dialect)
        try:
            cursor = self._driver.execute(driver.sql, driver.values(values))
            return cursor, cursor.fetchall()
        except sqlite3.Error as error:
            raise _wrapped(driver.sql, error, self.dialect) from error

    async def rows(self, statement: Prepared, values: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        cursor, rows = self._executed(statement, values)
        return statement.processed(self.dialect, cursor, rows)

    async def changed(self, statement: Prepared, values: Mapping[str, Any]) -> int:
        return int(self._executed(statement, values)[0].rowcount)

    async def commit(self) -> None:
        self._driver.commit()

    async def rollback(self) -> None:
        self._driver.rollback()


def _wrapped(sql: str, error: Exception, dialect: Dialect) -> StatementError:
    """The driver's error as SQLAlchemy raises it (``OperationalError`` for a lock or an
    interruption, ``DataError`` for a NUL character on PostgreSQL), the values left out."""
    return DBAPIError.instance(
        sql, None, error, dialect.loaded_dbapi.Error, hide_parameters=True, dialect=dialect
    )


class OnDriver(Statements):
    """On psycopg's ``AsyncConnection`` in autocommit mode, each round trip awaited."""

    def __init__(self, connection: AsyncConnection[Any], dialect: Dialect) -> None:
        self.connection = connection
        self.dialect = dialect

    async def _executed(self, statement: Prepared, values: Mapping[str, Any]) -> Any:
        driver = statement.for_driver(self.dialect)
        try:
            return await self.connection.execute(
                driver.sql, driver.values(values), prepare=statement.reused or None
            )
        except self.dialect.loaded_dbapi.Error as error:
            raise _wrapped(driver.sql, error, self.dialect) from error

    async def rows(self, statement: Prepared, values: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        cursor = await self._executed(statement, values)
        rows: list[tuple[Any, ...]] = await cursor.fetchall()
        return statement.processed(self.dialect, cursor, rows)

    async def changed(self, statement: Prepared, values: Mapping[str, Any]) -> int:
        cursor = await self._executed(statement, values)
        return int(cursor.rowcount)


def finished(coroutine: Coroutine[Any, Any, T]) -> T:
    """The value of a coroutine that awaits nothing (a function of ``api.answers`` on
    ``OnSqlite``), run to its end here, outside any event loop (in a thread)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coroutine.close()
    raise RuntimeError("a function on a SQLAlchemy connection awaited something")
