"""A slice of a region for scale tests (issue 15): ``manage.py seed_region --schools 300``.

Building 300 schools with the demo builder would take the better part of an hour (its timetable
search and its per-mark dice run in Python). Instead:

1. **base** — the demo builder makes a few real schools (the first one holds the demo logins);
2. **accounts** — every student and guardian of those schools gets an account (a region's
   families do sign in, and the bench signs in as many of them);
3. **clone** — the schools after the first are templates: each clone copies one template
   school's rows, table by table, every id shifted by a per-table offset. A foreign key into
   a cloned table is shifted by that table's offset; a key into a shared table (the
   territory) is kept. Logins and e-mails get a suffix, a school's name its new number. The
   rows travel as ``COPY (SELECT …remapped…) TO STDOUT`` on one connection streamed into
   ``COPY … FROM STDIN`` on another (binary, no Python per row), so the reading and the
   writing backend work side by side;
4. **indexes** — the big tables' secondary indexes are dropped before the copy and built
   afterwards (one sort beats millions of random B-tree inserts); foreign-key triggers are off
   during the copy (``session_replication_role = replica``): the remapping keeps every key
   inside the copied set, and the test checks it;
5. **sequences** past the new maximum ids, then ``VACUUM (ANALYZE)``.

A template row is one that hangs from a template school (``CLONED`` names the key that says
so) and whose other keys into cloned tables point at rows of the same template school: rows
that join a template school with another one (the demo's cross-school parent) stay behind.
Portfolios, messages, notifications and audit events are not cloned: the pages this slice is
for (diary, report card, journal, mark save) do not read them. PostgreSQL only."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction

from shkola.accounts.models import RoleAssignment, User
from shkola.journal.models import Attendance, FinalMark, Homework, Mark, MarkHistory, Remark
from shkola.schools.models import (
    AcademicYear,
    AttestationPeriod,
    ClassUnit,
    ControlForm,
    CurriculumItem,
    Enrolment,
    Guardian,
    Guardianship,
    Holiday,
    Organisation,
    Parallel,
    SchoolEvent,
    Student,
    StudyGroup,
    Subject,
    Territory,
)
from shkola.timetable.models import BellSlot, Lesson, Room, TimetableEntry

from .services import DemoError, demo_region_build

# Schools the demo builder makes before cloning: the demo school and two templates (a third
# template costs ~8 s more and adds little variety to 300 schools).
BASE_SCHOOLS = 3

Model = type[models.Model]

# (model, the key that ties a row to its template school), in dependency order. Organisation
# (the anchor), User and Guardian (tied to a school only through other rows) come first.
CLONED: list[tuple[Model, str]] = [
    (AcademicYear, "organisation"),
    (AttestationPeriod, "academic_year"),
    (Holiday, "academic_year"),
    (ControlForm, "organisation"),
    (Subject, "organisation"),
    (BellSlot, "organisation"),
    (Room, "organisation"),
    (Parallel, "organisation"),
    (RoleAssignment, "organisation"),
    (ClassUnit, "parallel"),
    (CurriculumItem, "class_unit"),
    (Student, "organisation"),
    (Guardianship, "student"),
    (Enrolment, "student"),
    (StudyGroup, "organisation"),
    (StudyGroup.students.through, "studygroup"),
    (SchoolEvent, "organisation"),
    (SchoolEvent.class_units.through, "schoolevent"),
    (SchoolEvent.students.through, "schoolevent"),
    (TimetableEntry, "academic_year"),
    (Lesson, "academic_year"),
    (Mark, "lesson"),
    (Attendance, "lesson"),
    (Homework, "lesson"),
    (FinalMark, "academic_year"),
    (MarkHistory, "student"),
    (Remark, "student"),
]
# Keys into these stay as they are in a clone (one region, one municipality).
SHARED: set[Model] = {Territory}
# Their secondary indexes are built once after the copy instead of row by row during it.
REINDEXED: list[Model] = [Mark, Lesson, Attendance, Homework, FinalMark, Enrolment]


def _all_cloned() -> list[Model]:
    """Every cloned model, in the order of the copy."""
    return [Organisation, User, Guardian, *(m for m, _owner in CLONED)]


class RegionError(DemoError):
    """The region slice cannot be built here."""


@dataclass
class RegionReport:
    schools: int = 0
    phases: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    database_bytes: int = 0

    def summary(self) -> str:
        total = sum(self.phases.values())
        phases = ", ".join(f"{name} {seconds:.1f} с" for name, seconds in self.phases.items())
        counts = ", ".join(
            f"{name}: {count:,}".replace(",", " ") for name, count in self.counts.items()
        )
        size = self.database_bytes / 2**30
        return (
            f"Регион: школ {self.schools}. {counts}.\n"
            f"Время: {total:.1f} с ({phases}).\n"
            f"Размер базы: {size:.2f} ГиБ."
        )


def _table(model: Model) -> str:
    return model._meta.db_table


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _tpl(model: Model) -> str:
    """The temporary table of a model's template rows: (id, sch), sch = template school index."""
    return f"tpl_{_table(model)}"


def _src(model: Model) -> str:
    """The temporary copy of a model's template rows, with their template school (tpl_sch)."""
    return f"src_{_table(model)}"


def _keys(model: Model) -> list[models.ForeignKey[Any, Any]]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey)  # OneToOneField is one
    ]


def region_seed(
    *,
    schools: int,
    size: str = "full",
    log: Callable[[str], None] = lambda _line: None,
) -> RegionReport:
    """Build a region of ``schools`` schools into an empty PostgreSQL database."""
    if connection.vendor != "postgresql":
        raise RegionError(
            "seed_region работает только с PostgreSQL (COPY); сейчас база — "
            f"{connection.vendor}. / seed_region needs PostgreSQL (it uses COPY)."
        )
    base = 2 if size == "tiny" else min(schools, BASE_SCHOOLS)
    if schools < base:
        raise RegionError(f"Нужно не меньше {base} школ.")
    report = RegionReport(schools=schools)

    def phase(name: str, work: Callable[[], None]) -> None:
        log(f"{name}…")
        started = time.monotonic()
        work()
        report.phases[name] = time.monotonic() - started
        log(f"{name}: {report.phases[name]:.1f} с")

    phase("base", lambda: _base(base, size))
    phase("accounts", _accounts)
    templates = list(Organisation.objects.order_by("id").values_list("id", flat=True))[1:]
    clones = schools - base
    if clones and not templates:
        raise RegionError("Нет школ-образцов для копирования.")
    if clones:
        _clone(templates, clones, phase, log)
    phase("vacuum analyze", _vacuum)
    from shkola.accounts.services import people_cache_drop_all

    people_cache_drop_all()  # people were written behind the cache's back
    report.counts = {
        "школ": Organisation.objects.count(),
        "обучающихся": Student.objects.count(),
        "законных представителей": Guardian.objects.count(),
        "учётных записей": User.objects.count(),
        "уроков": Lesson.objects.count(),
        "отметок": Mark.objects.count(),
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        report.database_bytes = int(cursor.fetchone()[0])
    return report


def _base(base: int, size: str) -> None:
    demo_region_build(schools=base, size=size, portfolio=False)


def _accounts() -> None:
    """An account for every student and guardian who has none: unusable password (they would
    sign in through the state's single sign-on), the login says whose it is."""
    password = make_password(None)
    with transaction.atomic():
        users: list[User] = []
        students = list(Student.objects.filter(user__isnull=True).order_by("id"))
        guardians = list(Guardian.objects.filter(user__isnull=True).order_by("id"))
        for s in students:
            users.append(
                User(
                    username=f"st{s.pk}",
                    last_name=s.last_name,
                    first_name=s.first_name,
                    middle_name=s.middle_name,
                    sex=s.sex,
                    birth_date=s.birth_date,
                    snils=s.snils,
                    password=password,
                )
            )
        for g in guardians:
            users.append(
                User(
                    username=f"pr{g.pk}",
                    last_name=g.last_name,
                    first_name=g.first_name,
                    middle_name=g.middle_name,
                    sex=g.sex,
                    birth_date=g.birth_date,
                    snils=g.snils,
                    phone=g.phone,
                    email=g.email,
                    password=password,
                )
            )
        User.objects.bulk_create(users, batch_size=2000)
        for s, u in zip(students, users, strict=False):
            s.user = u
        for g, u in zip(guardians, users[len(students) :], strict=True):
            g.user = u
        Student.objects.bulk_update(students, ["user"], batch_size=2000)
        Guardian.objects.bulk_update(guardians, ["user"], batch_size=2000)


def _vacuum() -> None:
    # The planner needs statistics at once, and index-only scans need the visibility map.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


# ------------------------------------------------------------------------------------------
# Cloning
# ------------------------------------------------------------------------------------------


def _clone(
    templates: list[int],
    clones: int,
    phase: Callable[[str, Callable[[], None]], None],
    log: Callable[[str], None],
) -> None:
    reader = connection.get_new_connection(connection.get_connection_params())
    reader.autocommit = True
    try:
        models_ = _all_cloned()
        phase("templates", lambda: _templates(reader, templates))
        offsets = _offsets(reader, models_)
        rounds = math.ceil(clones / len(templates))
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                if cursor.fetchone()[0]:
                    cursor.execute("SET LOCAL session_replication_role = replica")
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            dropped: list[str] = []
            phase("drop indexes", lambda: dropped.extend(_drop_indexes()))

            def copy_all() -> None:
                for model in models_:
                    started = time.monotonic()
                    rows = _copy(reader, model, offsets, len(templates), clones, rounds)
                    if rows:
                        log(
                            f"  {_table(model)}: {rows:,} строк, {time.monotonic() - started:.1f} с"
                        )

            phase("copy", copy_all)
            phase("build indexes", lambda: _build_indexes(dropped))
            phase("sequences", lambda: _sequences(models_))
    finally:
        reader.close()


def _templates(reader: Any, templates: list[int]) -> None:
    """Temporary tables of each cloned model's template rows (in the reader's session)."""
    q = _q
    run = reader.execute
    run("CREATE TEMP TABLE tpl_org (id bigint PRIMARY KEY, sch int NOT NULL)")
    with reader.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO tpl_org VALUES (%s, %s)", [(org, i) for i, org in enumerate(templates)]
        )
    run(f"CREATE TEMP VIEW {_tpl(Organisation)} AS SELECT * FROM tpl_org")
    student, guardianship, guardian = (_table(m) for m in (Student, Guardianship, Guardian))
    # A guardian whose children all study in one template school.
    run(
        f"CREATE TEMP TABLE {_tpl(Guardian)} AS "
        f"SELECT gs.guardian_id AS id, min(o.sch) AS sch FROM {q(guardianship)} gs "
        f"JOIN {q(student)} s ON s.id = gs.student_id "
        "LEFT JOIN tpl_org o ON o.id = s.organisation_id "
        "GROUP BY gs.guardian_id HAVING bool_and(o.id IS NOT NULL) AND min(o.sch) = max(o.sch)"
    )
    # A user whose every role, student record and guardian record is in one template school
    # (territory roles and the demo school's people stay behind).
    run(
        f"CREATE TEMP TABLE {_tpl(User)} AS WITH links(uid, sch) AS ("
        f"SELECT ra.user_id, o.sch FROM {q(_table(RoleAssignment))} ra "
        "LEFT JOIN tpl_org o ON o.id = ra.organisation_id "
        f"UNION ALL SELECT s.user_id, o.sch FROM {q(student)} s "
        "LEFT JOIN tpl_org o ON o.id = s.organisation_id WHERE s.user_id IS NOT NULL "
        f"UNION ALL SELECT g.user_id, t.sch FROM {q(guardian)} g "
        f"LEFT JOIN {_tpl(Guardian)} t ON t.id = g.id WHERE g.user_id IS NOT NULL) "
        "SELECT uid AS id, min(sch) AS sch FROM links GROUP BY uid "
        "HAVING bool_and(sch IS NOT NULL) AND min(sch) = max(sch)"
    )
    run(
        f"DELETE FROM {_tpl(Guardian)} t USING {q(guardian)} g WHERE g.id = t.id "
        f"AND g.user_id IS NOT NULL AND NOT EXISTS "
        f"(SELECT 1 FROM {_tpl(User)} u WHERE u.id = g.user_id AND u.sch = t.sch)"
    )
    for table in (_tpl(Guardian), _tpl(User)):
        run(f"ALTER TABLE {table} ADD PRIMARY KEY (id)")
    cloned = set(_all_cloned())
    for model, owner in CLONED:
        owner_field = model._meta.get_field(owner)
        assert isinstance(owner_field, models.ForeignKey)
        conditions = []
        for key in _keys(model):
            target = key.related_model
            if key.name == owner:
                continue
            if target in cloned:
                conditions.append(
                    f"(m.{q(key.column)} IS NULL OR EXISTS (SELECT 1 FROM {_tpl(target)} x "
                    f"WHERE x.id = m.{q(key.column)} AND x.sch = o.sch))"
                )
            elif target not in SHARED:
                # a key into a table that is not copied would point at the template's row
                conditions.append(f"m.{q(key.column)} IS NULL")
        where = " AND ".join(conditions) or "true"
        run(
            f"CREATE TEMP TABLE {_tpl(model)} AS SELECT m.id, o.sch "
            f"FROM {q(_table(model))} m "
            f"JOIN {_tpl(owner_field.related_model)} o ON o.id = m.{q(owner_field.column)} "
            f"WHERE {where}"
        )
        run(f"ALTER TABLE {_tpl(model)} ADD PRIMARY KEY (id)")
        run(f"ANALYZE {_tpl(model)}")
    # The template rows themselves, so that the copy never reads the real tables, whose
    # indexes the writing transaction drops (its lock would block this session).
    for model in _all_cloned():
        run(
            f"CREATE TEMP TABLE {_src(model)} AS SELECT m.*, t.sch AS tpl_sch "
            f"FROM {q(_table(model))} m JOIN {_tpl(model)} t ON t.id = m.id"
        )


@dataclass(frozen=True)
class Offset:
    base: int  # the first clone's id = template id + base
    span: int  # each further clone adds span


def _offsets(reader: Any, models_: list[Model]) -> dict[Model, Offset]:
    offsets = {}
    for model in models_:
        table = _q(_table(model))
        low, high = reader.execute(f"SELECT min(id), max(id) FROM {_tpl(model)}").fetchone()
        (top,) = reader.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()
        if low is None:
            offsets[model] = Offset(0, 0)
            continue
        offsets[model] = Offset(base=top + 1 - low, span=high - low + 1)
    return offsets


def _columns(reader: Any, table: str) -> list[tuple[str, str]]:
    return [
        (name, kind)
        for name, kind in reader.execute(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            (table,),
        ).fetchall()
    ]


def _shift(model: Model, offsets: dict[Model, Offset], column: str) -> str:
    o = offsets[model]
    return f"(m.{_q(column)} + ({o.base}::bigint + g.k::bigint * {o.span}))"


def _copy(
    reader: Any,
    model: Model,
    offsets: dict[Model, Offset],
    templates: int,
    clones: int,
    rounds: int,
) -> int:
    """Copy the template rows of one table ``rounds`` times (the last round may take only some
    template schools) with their ids and keys remapped; the number of rows written."""
    if offsets[model].span == 0:
        return 0
    table = _table(model)
    keys = {f.column: f.related_model for f in _keys(model)}
    suffix = "'-k' || (g.k + 1)"
    special: dict[str, str] = {}
    if model is User:
        special = {
            "username": f"m.username || {suffix}",
            "email": f"CASE WHEN m.email = '' THEN '' ELSE replace(m.email, '@', {suffix} || '@') END",
        }
    elif model is Organisation:
        number = f"'№' || {_shift(Organisation, offsets, 'id')}"
        special = {
            "short_name": f"regexp_replace(m.short_name, '№[0-9]+', {number})",
            "full_name": f"regexp_replace(m.full_name, '№[0-9]+', {number})",
            "admin_email": f"replace(m.admin_email, '@', {suffix} || '@')",
        }
    columns = _columns(reader, table)
    select = []
    for name, kind in columns:
        if name == "id":
            expression = _shift(model, offsets, "id")
        elif name in special:
            expression = special[name]
        elif name in keys and keys[name] in offsets:
            expression = _shift(keys[name], offsets, name)
        else:
            select.append(f"m.{_q(name)}")
            continue
        select.append(f"({expression})::{kind}")
    source = (
        f"SELECT {', '.join(select)} FROM {_src(model)} m "
        f"CROSS JOIN generate_series(0, {rounds - 1}) AS g(k) "
        f"WHERE m.tpl_sch + g.k * {templates} < {clones}"
    )
    names = ", ".join(_q(name) for name, _kind in columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {_q(table)} ({names}) FROM STDIN (FORMAT BINARY)") as target,
        reader.cursor() as rc,
        rc.copy(f"COPY ({source}) TO STDOUT (FORMAT BINARY)") as origin,
    ):
        for block in origin:
            target.write(block)
    # what was written: the template rows times the rounds each takes part in (cheaper than
    # counting the new rows of a table that has just grown by millions)
    (written,) = reader.execute(
        f"SELECT count(*) FROM {_src(model)} m CROSS JOIN generate_series(0, {rounds - 1}) "
        f"AS g(k) WHERE m.tpl_sch + g.k * {templates} < {clones}"
    ).fetchone()
    return int(written)


def _drop_indexes() -> list[str]:
    """Drop the secondary indexes of the big tables (not those behind a constraint) and
    return their definitions."""
    definitions = []
    with connection.cursor() as cursor:
        for model in REINDEXED:
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                "FROM pg_index i WHERE i.indrelid = %s::regclass AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
                [_table(model)],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f"DROP INDEX {name}")
                definitions.append(definition)
    return definitions


def _build_indexes(definitions: list[str]) -> None:
    with connection.cursor() as cursor:
        for definition in definitions:
            cursor.execute(definition)


def _sequences(models_: list[Model]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), models_)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def region_dangling_keys() -> dict[str, int]:
    """Rows of the cloned tables whose foreign key points at no row (the copy ran without the
    foreign-key triggers; this is the check they would have made): constraint → rows."""
    tables = [_table(m) for m in _all_cloned()]
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conname, c.conrelid::regclass::text, a.attname, "
            "c.confrelid::regclass::text, fa.attname FROM pg_constraint c "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
            "JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1] "
            "WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)",
            [tables],
        )
        for name, table, column, target, target_column in cursor.fetchall():
            cursor.execute(
                f"SELECT count(*) FROM {table} m WHERE m.{_q(column)} IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM {target} t WHERE t.{_q(target_column)} = m.{_q(column)})"
            )
            count = int(cursor.fetchone()[0])
            if count:
                found[name] = count
    return found
