"""Hot reads compile their SQL once per process (issue 14).

Building a queryset and compiling it to SQL costs more Python than PostgreSQL spends running
the query: on the diary week about 45 % of the worker's time went there. A ``CompiledQuery``
builds its queryset once per process and database, keeps the SQL and the compiler's value
converters, and re-executes the same SQL with new parameters.

    _LESSONS = CompiledQuery(
        lambda p: Lesson.objects.filter(class_unit_id=p.class_id, date__range=(p.start, p.end))
        .order_by("date", "number")
        .values("id", "date", "number", "subject__name"),
        class_id=int,
        start=dt.date,
        end=dt.date,
    )
    rows = _LESSONS(class_id=cls.id, start=monday, end=sunday)   # list of dicts

How: the builder is called with distinctive stand-in values (``p.class_id`` is an integer
no real row has, ``p.start`` a date in the year 1000 + i); the compiled parameter list is
searched for them, and each call puts the real values in those slots, adapted the way the
backend adapts that type. Compilation fails loudly when a stand-in does not appear verbatim
(a lookup that transforms its value, such as ``icontains``, cannot be compiled once).

Rules for a builder:
- everything that varies between calls is a declared parameter; the builder must not read
  the clock, the request or settings (they would be frozen into the SQL);
- the queryset ends in ``values(...)`` or ``values_list(...)``: rows come back as dicts or
  tuples (plain records, no model instances);
- a list parameter (``ids=[int]``) compiles once per list length; an empty list returns no
  rows without a query.

The queries go through Django's cursor, so ``CaptureQueriesContext`` and the query-count
tests see them like any other query.

Where a caller needs model instances (a service saves what it read, a rule reads a related
object), select the models' columns with ``model_columns`` and build each instance from its
slice of the row with ``instance_from_row``: the instance is what the ORM would have built
(every concrete field loaded, nothing deferred, saveable); the caller wires the relations.

    COLUMNS = [*model_columns(Lesson), *model_columns(AttestationPeriod, "period__")]
    row = LESSON.first(id=lesson_id)
    lesson, at = instance_from_row(Lesson, row, 0)
    if lesson.period_id is not None:
        lesson.period, at = instance_from_row(AttestationPeriod, row, at)"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.signals import setting_changed
from django.db import connections
from django.db.models import QuerySet

from .replicas import read_alias

# Stand-ins: distinctive, inside the range of a 32-bit integer column (Django turns an
# out-of-range integer lookup into "no rows" before compiling).
_INT_BASE = 1_987_000_000
_STR_MARK = "\x1fshkola-param-{}\x1f"
# Compiled variants kept per query (one per combination of list lengths), most recent first.
MAX_VARIANTS = 32

ParamType = type | list[type]


class _Stand:
    """The builder's ``p``: attribute access gives the stand-in of a declared parameter."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _stand_in(kind: type, index: int) -> Any:
    if kind is int:
        return _INT_BASE + index
    if kind is dt.datetime:
        return dt.datetime(1000 + index, 1, 1, 0, 0, 7, tzinfo=dt.UTC)
    if kind is dt.date:
        return dt.date(1000 + index, 1, 1)
    if kind is str:
        return _STR_MARK.format(index)
    raise TypeError(f"CompiledQuery: unsupported parameter type {kind!r}")


class _Compiled:
    __slots__ = ("sql", "params", "slots", "names", "compiler", "converters", "flat", "kind")

    def __init__(self) -> None:
        self.sql = ""
        self.params: list[Any] = []
        # (position in params, parameter name, index in a list parameter or -1, type)
        self.slots: list[tuple[int, str, int, type]] = []
        self.names: list[str] = []
        self.compiler: Any = None
        self.converters: Any = None
        self.flat = False
        self.kind = "dict"


class CompiledQuery:
    def __init__(self, build: Callable[[Any], QuerySet[Any]], **params: ParamType) -> None:
        self.build = build
        self.params = params
        for name, kind in params.items():
            inner = kind[0] if isinstance(kind, list) else kind
            _stand_in(inner, 0)  # unsupported types fail at import, not on the first request
            if name.startswith("_"):
                raise ValueError(f"CompiledQuery: parameter name {name!r}")
        self._cache: dict[tuple[Any, ...], _Compiled] = {}
        self._lock = threading.Lock()
        _ALL.append(self)

    # -- compiling ------------------------------------------------------------------------

    def _compile(self, alias: str, lengths: tuple[int, ...]) -> _Compiled:
        values: dict[str, Any] = {}
        wanted: dict[Any, tuple[str, int, type]] = {}
        counter = 0
        length_of = dict(zip(self._list_names(), lengths, strict=True))
        for name, kind in self.params.items():
            if isinstance(kind, list):
                items = []
                for j in range(length_of[name]):
                    stand = _stand_in(kind[0], counter)
                    counter += 1
                    items.append(stand)
                    wanted[(kind[0], stand)] = (name, j, kind[0])
                values[name] = items
            else:
                stand = _stand_in(kind, counter)
                counter += 1
                values[name] = stand
                wanted[(kind, stand)] = (name, -1, kind)
        queryset = self.build(_Stand(values))
        if not isinstance(queryset, QuerySet):
            raise TypeError("CompiledQuery: the builder must return a QuerySet")
        query = queryset.query
        connection = connections[alias]
        compiler = query.get_compiler(alias)
        sql, params = compiler.as_sql()
        ops = connection.ops
        adapted: dict[Any, tuple[str, int, type]] = {}
        for (kind, stand), target in wanted.items():
            adapted[(kind, _adapt(ops, kind, stand))] = target
        compiled = _Compiled()
        compiled.sql = sql
        compiled.params = list(params)
        found: set[tuple[str, int]] = set()
        for position, value in enumerate(params):
            for kind in (int, str, dt.date, dt.datetime):
                slot = adapted.get((kind, value)) if _hashable(value) else None
                if slot is not None and _same_kind(kind, value):
                    compiled.slots.append((position, slot[0], slot[1], slot[2]))
                    found.add((slot[0], slot[1]))
                    break
        missing = {(name, j) for name, j, _kind in wanted.values()} - found
        if missing:
            raise ValueError(
                "CompiledQuery: these parameters do not appear verbatim in the SQL "
                f"(a transforming lookup?): {sorted(missing)}"
            )
        compiled.compiler = compiler
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        compiled.converters = compiler.get_converters(fields)
        iterable = getattr(queryset, "_iterable_class", None)
        name = getattr(iterable, "__name__", "")
        if name == "ValuesIterable":
            compiled.kind = "dict"
        elif name == "FlatValuesListIterable":
            compiled.kind = "flat"
        elif name in {"ValuesListIterable", "NamedValuesListIterable"}:
            compiled.kind = "tuple"
        else:
            raise TypeError("CompiledQuery: end the queryset in values() or values_list()")
        if query.selected:
            compiled.names = list(query.selected)
        else:
            compiled.names = [
                *query.extra_select,
                *query.values_select,
                *query.annotation_select,
            ]
        return compiled

    def _list_names(self) -> list[str]:
        return [name for name, kind in self.params.items() if isinstance(kind, list)]

    def _compiled(self, alias: str, arguments: dict[str, Any]) -> _Compiled:
        lengths = tuple(len(arguments[name]) for name in self._list_names())
        key = (alias, connections[alias].vendor, lengths)
        with self._lock:
            found = self._cache.get(key)
            if found is None:
                found = self._compile(alias, lengths)
                self._cache[key] = found
                # List lengths vary (a class's students, a digest batch's children): keep
                # the variants used most recently, not every one a long-lived worker met.
                while len(self._cache) > MAX_VARIANTS:
                    self._cache.pop(next(iter(self._cache)))
            else:
                self._cache[key] = self._cache.pop(key)
        return found

    # -- running --------------------------------------------------------------------------

    def sql_with_params(self, *, using: str = "default", **arguments: Any) -> tuple[str, list]:
        """The SQL and the parameters one call would execute (for tests and EXPLAIN)."""
        self._check(arguments)
        compiled = self._compiled(using, arguments)
        return compiled.sql, self._parameters(compiled, using, arguments)

    def _check(self, arguments: dict[str, Any]) -> None:
        if set(arguments) != set(self.params):
            raise TypeError(f"CompiledQuery expects {sorted(self.params)}, got {sorted(arguments)}")

    def _parameters(self, compiled: _Compiled, alias: str, arguments: dict[str, Any]) -> list[Any]:
        params = list(compiled.params)
        ops = connections[alias].ops
        for position, name, index, kind in compiled.slots:
            value = arguments[name] if index < 0 else arguments[name][index]
            if value is None:
                raise ValueError(f"CompiledQuery: parameter {name} is None")
            params[position] = _adapt(ops, kind, value)
        return params

    def __call__(self, *, using: str | None = None, **arguments: Any) -> list[Any]:
        # Where the router would send an ORM read now: a family page's replica (issue 15),
        # else the primary. The SQL is compiled per alias, so a replica gets its own.
        using = using or read_alias()
        self._check(arguments)
        for name in self._list_names():
            arguments[name] = list(arguments[name])
            if not arguments[name]:
                return []
        try:
            compiled = self._compiled(using, arguments)
        except EmptyResultSet:
            return []
        params = self._parameters(compiled, using, arguments)
        rows: Iterable[Any]
        if prepared_statements(using):
            # one shape: prepare at once; a list's length makes a shape of its own, prepared
            # only once it repeats (psycopg's threshold), so one-off lengths cost nothing
            rows = _execute_prepared(using, compiled.sql, params, at_once=not self._list_names())
        else:
            with connections[using].cursor() as cursor:
                cursor.execute(compiled.sql, params)
                rows = cursor.fetchall()
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        if compiled.kind == "flat":
            return [row[0] for row in rows]
        if compiled.kind == "tuple":
            return [tuple(row) for row in rows]
        names = compiled.names
        return [dict(zip(names, row, strict=True)) for row in rows]

    def first(self, *, using: str | None = None, **arguments: Any) -> Any:
        """The first row or None (put ``[:1]`` in the builder to let the database stop early)."""
        rows = self(using=using, **arguments)
        return rows[0] if rows else None

    def reset(self) -> None:
        with self._lock:
            self._cache.clear()


def prepared_statements(alias: str = "default") -> bool:
    """PostgreSQL prepared statements for compiled reads: ``SHKOLA_PREPARED_STATEMENTS``
    (settings; on with direct persistent connections, off behind a transaction-pooling
    PgBouncer, which cannot carry a statement prepared on one server connection to the
    next transaction's)."""
    return bool(getattr(settings, "SHKOLA_PREPARED_STATEMENTS", False)) and (
        connections[alias].vendor == "postgresql"
    )


def _execute_prepared(alias: str, sql: str, params: list[Any], *, at_once: bool) -> list[Any]:
    """Run ``sql`` as a server-side prepared statement (psycopg prepares it on the connection
    the first time and executes it by name afterwards: PostgreSQL parses and plans it once).
    Django's own cursors bind on the client and never prepare, so this goes to psycopg
    directly, inside Django's error wrapper and query log (query-count tests see it)."""
    import psycopg

    connection = connections[alias]
    # Django's cursors run the CONN_HEALTH_CHECKS check on a connection's first use in a
    # request; this path takes psycopg's cursor directly, so it asks for the check itself: a
    # restarted server's dead connection is replaced here instead of failing the page.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    started = time.monotonic()
    with connection.wrap_database_errors:
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, params, prepare=True if at_once else None)
            rows = cursor.fetchall()
    if connection.queries_logged:
        connection.queries_log.append(
            {"sql": f"{sql} -- prepared {params!r}", "time": f"{time.monotonic() - started:.3f}"}
        )
    return rows


def model_columns(model: Any, prefix: str = "") -> list[str]:
    """The ``values_list`` names of every concrete field of ``model``, reached by ``prefix``
    (``"period__"``), in the order ``instance_from_row`` reads them."""
    return [prefix + f.attname for f in model._meta.concrete_fields]


def instance_from_row(
    model: Any, row: Sequence[Any], start: int, *, using: str = "default"
) -> tuple[Any, int]:
    """The instance of ``model`` from ``row[start:]`` (columns of ``model_columns``), built as
    the ORM builds a fetched row, and the position where the next model's columns begin."""
    names = [f.attname for f in model._meta.concrete_fields]
    end = start + len(names)
    return model.from_db(using, names, row[start:end]), end


def _adapt(ops: Any, kind: type, value: Any) -> Any:
    if kind is dt.datetime:
        return ops.adapt_datetimefield_value(value)
    if kind is dt.date:
        return ops.adapt_datefield_value(value)
    if kind is int:
        return int(value)
    return str(value)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _same_kind(kind: type, value: Any) -> bool:
    """A compiled parameter of the stand-in's type (``True == 1`` must not match an int)."""
    if kind is int:
        return type(value) is int
    if kind is dt.datetime:
        return isinstance(value, dt.datetime | str)
    if kind is dt.date:
        return (isinstance(value, dt.date) and not isinstance(value, dt.datetime)) or isinstance(
            value, str
        )
    return isinstance(value, str)


_ALL: list[CompiledQuery] = []


def _forget(**kwargs: Any) -> None:
    """Tests that change DATABASES or time zones get fresh SQL."""
    if kwargs.get("setting") in {"DATABASES", "USE_TZ", "TIME_ZONE"}:
        for query in _ALL:
            query.reset()


setting_changed.connect(_forget)
