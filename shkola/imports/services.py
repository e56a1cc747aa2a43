"""Importing students and their parents from a spreadsheet (B4).

The flow: ``import_check`` reads the file, plans every row against the school (create, update
or refuse, with the row and column of each error) and keeps the rows in an ``ImportJob``
without touching the school. ``import_apply`` queues the job; the worker runs
``import_job_run``, which plans the rows again against the school as it is by then and writes
all of them in one transaction, or nothing. Writes are batched: a handful of queries per
thousand rows.

Re-importing the same people updates them: a student is found by СНИЛС, or (without one) by
ФИО and birth date within the school; a parent by СНИЛС or by ФИО among the parents of the
school. Nothing outside the school is read or changed."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shkola.accounts.models import AuditEvent, Role, RoleAssignment, Sex, SpecialistKind, User
from shkola.accounts.services import people_cache_drop_all
from shkola.core import clock
from shkola.core.exports import append_row, sheet_title
from shkola.schools.models import (
    AcademicYear,
    ClassUnit,
    Enrolment,
    EnrolmentAction,
    Guardian,
    Guardianship,
    Organisation,
    RepresentativeKind,
    Student,
)
from shkola.schools.validators import snils_digits, snils_is_valid
from shkola.timetable.models import Lesson

from .models import ImportJob, ImportKind
from .reading import read_sheet

CHUNK = 1000
# bulk_update writes one CASE per field over its batch; a small batch keeps each statement
# linear (a batch of 1,000 made a 10,000-row update take 40 s on SQLite).
UPDATE_BATCH = 100
ORDER_NUMBER_DEFAULT = "б/н"


@dataclass(frozen=True)
class Column:
    key: str
    title: Any  # lazy Russian text, the header in the template
    required: bool = False
    example: str = ""
    hint: Any = ""


STUDENT_COLUMNS = (
    Column("last_name", gettext_lazy("Фамилия"), True, "Иванова"),
    Column("first_name", gettext_lazy("Имя"), True, "Мария"),
    Column("middle_name", gettext_lazy("Отчество"), False, "Петровна"),
    Column(
        "birth_date",
        gettext_lazy("Дата рождения"),
        True,
        "17.05.2013",
        gettext_lazy("ДД.ММ.ГГГГ"),
    ),
    Column("sex", gettext_lazy("Пол"), True, "ж", gettext_lazy("м или ж")),
    Column(
        "snils",
        gettext_lazy("СНИЛС"),
        False,
        "112-233-445 95",
        gettext_lazy("11 цифр, с дефисами или без; по нему повторная загрузка обновляет данные"),
    ),
    Column(
        "class", gettext_lazy("Класс"), True, "7А", gettext_lazy("класс текущего учебного года")
    ),
    Column("id_document", gettext_lazy("Документ"), False, "свидетельство о рождении I-МЮ 123456"),
    Column("special_needs", gettext_lazy("ОВЗ"), False, "нет", gettext_lazy("да или нет")),
    Column("email", gettext_lazy("E-mail"), False, ""),
    Column(
        "order_number",
        gettext_lazy("Номер приказа"),
        False,
        "15-у",
        gettext_lazy("о зачислении или переводе; пусто — «б/н»"),
    ),
)

PARENT_COLUMNS = (
    Column("last_name", gettext_lazy("Фамилия"), True, "Иванова"),
    Column("first_name", gettext_lazy("Имя"), True, "Елена"),
    Column("middle_name", gettext_lazy("Отчество"), False, "Сергеевна"),
    Column("birth_date", gettext_lazy("Дата рождения"), False, "03.02.1985"),
    Column("snils", gettext_lazy("СНИЛС"), False, "123-456-789 64"),
    Column("phone", gettext_lazy("Телефон"), False, "+79161234567"),
    Column("email", gettext_lazy("E-mail"), False, "ivanova@example.org"),
    Column(
        "kind",
        gettext_lazy("Кем приходится"),
        True,
        "мать",
        gettext_lazy("мать, отец, опекун, попечитель или иной представитель"),
    ),
    Column(
        "child_snils",
        gettext_lazy("СНИЛС ребёнка"),
        False,
        "112-233-445 95",
        gettext_lazy("ребёнок находится по СНИЛС, а без него — по ФИО и дате рождения"),
    ),
    Column("child_last_name", gettext_lazy("Фамилия ребёнка"), False, "Иванова"),
    Column("child_first_name", gettext_lazy("Имя ребёнка"), False, "Мария"),
    Column("child_middle_name", gettext_lazy("Отчество ребёнка"), False, "Петровна"),
    Column("child_birth_date", gettext_lazy("Дата рождения ребёнка"), False, "17.05.2013"),
)

STAFF_COLUMNS = (
    Column("last_name", gettext_lazy("Фамилия"), True, "Смирнова"),
    Column("first_name", gettext_lazy("Имя"), True, "Ольга"),
    Column("middle_name", gettext_lazy("Отчество"), False, "Ивановна"),
    Column(
        "snils",
        gettext_lazy("СНИЛС"),
        False,
        "",
        gettext_lazy("по нему сотрудник находится при повторной загрузке"),
    ),
    Column(
        "username",
        gettext_lazy("Логин"),
        False,
        "smirnova.oi",
        gettext_lazy("латиницей; пусто — логин составится из фамилии и инициалов"),
    ),
    Column("email", gettext_lazy("E-mail"), False, "smirnova@example.org"),
    Column("phone", gettext_lazy("Телефон"), False, "+79161112233"),
    Column(
        "roles",
        gettext_lazy("Роли"),
        True,
        "учитель, классный руководитель",
        gettext_lazy(
            "через запятую: учитель, классный руководитель, заместитель директора, директор, "
            "специалист, куратор"
        ),
    ),
    Column(
        "specialist_kind",
        gettext_lazy("Специальность"),
        False,
        "",
        gettext_lazy(
            "для роли «специалист»: социальный педагог, психолог, медицинский работник, "
            "библиотекарь или секретарь"
        ),
    ),
)

KTP_COLUMNS = (
    Column(
        "number",
        gettext_lazy("Номер урока"),
        True,
        "1",
        gettext_lazy("1, 2, 3… — по порядку уроков в расписании"),
    ),
    Column("topic", gettext_lazy("Тема"), True, "Введение. Повторение курса 6 класса"),
    Column("homework", gettext_lazy("Домашнее задание"), False, "§1, № 5, 7"),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    ImportKind.KTP: KTP_COLUMNS,
    ImportKind.STUDENTS: STUDENT_COLUMNS,
    ImportKind.PARENTS: PARENT_COLUMNS,
    ImportKind.STAFF: STAFF_COLUMNS,
}

_ROLES = {
    "учитель": Role.TEACHER,
    "классный руководитель": Role.CLASS_TEACHER,
    "заместитель директора": Role.DEPUTY,
    "завуч": Role.DEPUTY,
    "директор": Role.DIRECTOR,
    "специалист": Role.SPECIALIST,
    "куратор": Role.CURATOR,
}
_SPECIALIST_KINDS = {str(label).lower(): value for value, label in SpecialistKind.choices}

# Latin letters that look like Cyrillic ones in a class name («7A» typed on an English layout).
_LOOKALIKES = str.maketrans("ABEKMHOPCTXaebkmhopctx", "АВЕКМНОРСТХАВЕКМНОРСТХ")
_KINDS = {
    "мать": RepresentativeKind.MOTHER,
    "отец": RepresentativeKind.FATHER,
    "опекун": RepresentativeKind.GUARDIAN,
    "попечитель": RepresentativeKind.TRUSTEE,
    "иной": RepresentativeKind.OTHER,
    "иной представитель": RepresentativeKind.OTHER,
    "иной законный представитель": RepresentativeKind.OTHER,
}


def _norm(text: str) -> str:
    return " ".join(text.replace("ё", "е").replace("Ё", "Е").split()).lower()


def class_key(text: str) -> str:
    return "".join(text.split()).translate(_LOOKALIKES).upper().replace("Ё", "Е")


# --------------------------------------------------------------------------- the plan


@dataclass
class RowPlan:
    number: int
    name: str
    action: str = "create"  # create | update | refuse
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column title, message)
    target_id: int | None = None
    values: dict[str, Any] = field(default_factory=dict)

    def refuse(self, column: Column | None, message: str) -> None:
        self.action = "refuse"
        self.errors.append((str(column.title) if column else "", message))


@dataclass
class Plan:
    kind: str
    rows: list[RowPlan]
    file_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and all(r.action != "refuse" for r in self.rows)

    def counts(self) -> dict[str, int]:
        out = {"create": 0, "update": 0, "refuse": 0}
        for r in self.rows:
            out[r.action] = out.get(r.action, 0) + 1
        return out

    def as_report(self) -> dict[str, Any]:
        return {
            "counts": self.counts(),
            "file_errors": self.file_errors,
            "rows": [
                {"number": r.number, "name": r.name, "action": r.action, "errors": r.errors}
                for r in self.rows
            ],
        }


def _header_keys(kind: str, header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Field key → index in the row, and the file-level errors about the header."""
    by_title = {_norm(str(c.title)): c for c in COLUMNS[kind]}
    positions: dict[str, int] = {}
    errors: list[str] = []
    for index, title in enumerate(header):
        column = by_title.get(_norm(title.rstrip("*")))
        if column is None:
            continue
        if column.key in positions:
            errors.append(_("Столбец «%(c)s» встречается дважды.") % {"c": column.title})
        positions[column.key] = index
    missing = [str(c.title) for c in COLUMNS[kind] if c.required and c.key not in positions]
    if missing:
        errors.append(
            _("В первой строке файла нет обязательных столбцов: %(c)s.")
            % {"c": ", ".join(f"«{m}»" for m in missing)}
        )
    return positions, errors


def _date(text: str) -> dt.date | None:
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _rows_as_dicts(kind: str, header: list[str], rows: Iterable[tuple[int, list[str]]]) -> Any:
    positions, errors = _header_keys(kind, header)
    dicts = [
        {"_row": number, **{k: (cells[i] if i < len(cells) else "") for k, i in positions.items()}}
        for number, cells in rows
    ]
    return dicts, errors


class _Checker:
    """Reads one row's cells, collecting each bad cell's column and message."""

    def __init__(self, row: dict[str, Any], columns: tuple[Column, ...], plan: RowPlan) -> None:
        self.row = row
        self.columns = {c.key: c for c in columns}
        self.plan = plan

    def text(self, key: str, limit: int = 150) -> str:
        column = self.columns[key]
        value = " ".join(str(self.row.get(key, "")).split())
        if column.required and not value:
            self.plan.refuse(column, _("не заполнено."))
        elif len(value) > limit:
            self.plan.refuse(column, _("длиннее %(n)s знаков.") % {"n": limit})
        return value[:limit]

    def date(self, key: str, *, earliest: int = 1900) -> dt.date | None:
        column = self.columns[key]
        value = str(self.row.get(key, "")).strip()
        if not value:
            if column.required:
                self.plan.refuse(column, _("не заполнено."))
            return None
        day = _date(value)
        if day is None or not (earliest <= day.year and day <= clock.today()):
            self.plan.refuse(
                column, _("«%(v)s» — не дата; нужна дата вида 17.05.2013.") % {"v": value[:40]}
            )
            return None
        return day

    def snils(self, key: str) -> str:
        column = self.columns[key]
        value = str(self.row.get(key, "")).strip()
        if not value:
            return ""
        digits = snils_digits(value)
        if len(digits) != 11:
            self.plan.refuse(
                column, _("«%(v)s» — в СНИЛС должно быть 11 цифр.") % {"v": value[:40]}
            )
            return ""
        if not snils_is_valid(digits):
            self.plan.refuse(
                column,
                _("СНИЛС %(v)s указан неверно: не сходится контрольное число.") % {"v": value},
            )
            return ""
        return digits

    def email(self, key: str) -> str:
        from django.core.validators import validate_email

        value = str(self.row.get(key, "")).strip()
        if value:
            try:
                validate_email(value)
            except ValidationError:
                self.plan.refuse(
                    self.columns[key], _("«%(v)s» — не адрес e-mail.") % {"v": value[:60]}
                )
                return ""
        return value


def _current_year(organisation: Organisation) -> AcademicYear | None:
    return (
        AcademicYear.objects.filter(organisation=organisation, is_current=True)
        .order_by("-start")
        .first()
    )


def _person_key(last: str, first: str, middle: str, birth: dt.date | None) -> tuple[str, ...]:
    return (_norm(last), _norm(first), _norm(middle), birth.isoformat() if birth else "")


def _students_of(organisation: Organisation) -> list[dict[str, Any]]:
    fields = ("id", "last_name", "first_name", "middle_name", "birth_date", "snils")
    return [
        dict(row)
        for row in Student.objects.filter(organisation=organisation).values(
            *fields, "current_class_id"
        )
    ]


def plan_students(
    organisation: Organisation,
    rows: list[dict[str, Any]],
    progress: Callable[[int], None] | None = None,
) -> Plan:
    year = _current_year(organisation)
    plan = Plan(kind=ImportKind.STUDENTS, rows=[])
    if year is None:
        plan.file_errors.append(
            _("В школе нет текущего учебного года: сначала создайте год и классы.")
        )
        return plan
    classes = {
        class_key(c.name): c
        for c in ClassUnit.objects.filter(parallel__academic_year=year).select_related("parallel")
    }
    existing = _students_of(organisation)
    by_snils = {s["snils"]: s for s in existing if s["snils"]}
    by_person: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for s in existing:
        key = _person_key(s["last_name"], s["first_name"], s["middle_name"], s["birth_date"])
        by_person.setdefault(key, []).append(s)
    columns = {c.key: c for c in STUDENT_COLUMNS}
    seen_snils: dict[str, int] = {}
    seen_person: dict[tuple[str, ...], int] = {}
    for index, row in enumerate(rows, start=1):
        p = RowPlan(number=row["_row"], name="")
        check = _Checker(row, STUDENT_COLUMNS, p)
        last = check.text("last_name")
        first = check.text("first_name")
        middle = check.text("middle_name")
        p.name = " ".join(x for x in (last, first, middle) if x)
        birth = check.date("birth_date", earliest=1990)
        sex_text = _norm(str(row.get("sex", "")))
        sex = {"м": Sex.MALE, "муж": Sex.MALE, "мужской": Sex.MALE, "ж": Sex.FEMALE}.get(
            sex_text.rstrip("."), {"жен": Sex.FEMALE, "женский": Sex.FEMALE}.get(sex_text)
        )
        if sex is None:
            if sex_text:
                p.refuse(columns["sex"], _("«%(v)s» — укажите «м» или «ж».") % {"v": sex_text[:20]})
            else:
                p.refuse(columns["sex"], _("не заполнено."))
        snils = check.snils("snils")
        class_text = str(row.get("class", "")).strip()
        class_unit = classes.get(class_key(class_text)) if class_text else None
        if not class_text:
            p.refuse(columns["class"], _("не заполнено."))
        elif class_unit is None:
            p.refuse(
                columns["class"],
                _("класса «%(v)s» нет в школе в %(year)s учебном году.")
                % {"v": class_text[:20], "year": year.name},
            )
        special_text = _norm(str(row.get("special_needs", "")))
        if special_text not in ("", "да", "нет", "+", "-", "1", "0"):
            p.refuse(columns["special_needs"], _("укажите «да» или «нет»."))
        email = check.email("email")
        id_document = check.text("id_document", limit=100)
        order_number = check.text("order_number", limit=50) or ORDER_NUMBER_DEFAULT
        person = _person_key(last, first, middle, birth)
        if snils:
            if snils in seen_snils:
                p.refuse(
                    columns["snils"],
                    _("СНИЛС повторяет строку %(n)s: один человек — одна строка.")
                    % {"n": seen_snils[snils]},
                )
            seen_snils[snils] = p.number
        elif last and first and birth:
            if person in seen_person:
                p.refuse(
                    columns["last_name"],
                    _("ФИО и дата рождения повторяют строку %(n)s: один человек — одна строка.")
                    % {"n": seen_person[person]},
                )
            seen_person[person] = p.number
        if p.action != "refuse":
            match = by_snils.get(snils) if snils else None
            if match is None:
                # Without a СНИЛС in the school yet: the same ФИО and birth date, once.
                same = [s for s in by_person.get(person, []) if not s["snils"] or not snils]
                if len(same) > 1:
                    p.refuse(
                        columns["last_name"],
                        _(
                            "в школе несколько обучающихся с такими ФИО и датой рождения: "
                            "укажите СНИЛС."
                        ),
                    )
                match = same[0] if len(same) == 1 else None
            if match is not None and p.action != "refuse":
                p.action = "update"
                p.target_id = match["id"]
        if p.action != "refuse":
            assert birth is not None and sex is not None and class_unit is not None
            p.values = {
                "last_name": last,
                "first_name": first,
                "middle_name": middle,
                "birth_date": birth,
                "sex": sex,
                "snils": snils,
                "id_document": id_document,
                "special_needs": special_text in ("да", "+", "1"),
                "email": email,
                "class_unit": class_unit,
                "order_number": order_number,
            }
            if p.target_id is not None and match is not None and not snils:
                # An update without a СНИЛС in the file keeps the one the school has.
                p.values["snils"] = match["snils"]
        plan.rows.append(p)
        if progress and index % CHUNK == 0:
            progress(index)
    return plan


def plan_parents(
    organisation: Organisation,
    rows: list[dict[str, Any]],
    progress: Callable[[int], None] | None = None,
) -> Plan:
    plan = Plan(kind=ImportKind.PARENTS, rows=[])
    students = _students_of(organisation)
    child_by_snils = {s["snils"]: s for s in students if s["snils"]}
    child_by_person: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for s in students:
        key = _person_key(s["last_name"], s["first_name"], s["middle_name"], s["birth_date"])
        child_by_person.setdefault(key, []).append(s)
    # Only the parents of this school's students are matched: another school's people are
    # neither read nor changed (a parent known there is created here as a new record).
    guardians = list(
        Guardian.objects.filter(guardianships__student__organisation=organisation)
        .distinct()
        .values(
            "id", "last_name", "first_name", "middle_name", "snils", "birth_date", "phone", "email"
        )
    )
    guardian_by_snils = {g["snils"]: g["id"] for g in guardians if g["snils"]}
    guardian_by_name: dict[tuple[str, ...], list[Any]] = {}
    for g in guardians:
        key = _person_key(g["last_name"], g["first_name"], g["middle_name"], None)
        guardian_by_name.setdefault(key, []).append(g)
    links = set(
        Guardianship.objects.filter(student__organisation=organisation).values_list(
            "guardian_id", "student_id"
        )
    )
    columns = {c.key: c for c in PARENT_COLUMNS}
    seen_links: dict[tuple[Any, int], int] = {}
    for index, row in enumerate(rows, start=1):
        p = RowPlan(number=row["_row"], name="")
        check = _Checker(row, PARENT_COLUMNS, p)
        last = check.text("last_name")
        first = check.text("first_name")
        middle = check.text("middle_name")
        p.name = " ".join(x for x in (last, first, middle) if x)
        birth = check.date("birth_date")
        snils = check.snils("snils")
        phone = check.text("phone", limit=20)
        email = check.email("email")
        kind_text = _norm(str(row.get("kind", "")))
        kind = _KINDS.get(kind_text)
        if kind is None:
            p.refuse(
                columns["kind"],
                _("«%(v)s» — укажите: мать, отец, опекун, попечитель или иной представитель.")
                % {"v": kind_text[:30]}
                if kind_text
                else _("не заполнено."),
            )
        child_snils = check.snils("child_snils")
        child_last = check.text("child_last_name")
        child_first = check.text("child_first_name")
        child_middle = check.text("child_middle_name")
        child_birth = check.date("child_birth_date")
        child = None
        if child_snils:
            child = child_by_snils.get(child_snils)
            if child is None:
                p.refuse(
                    columns["child_snils"],
                    _("обучающегося с таким СНИЛС в школе нет: сначала загрузите обучающихся."),
                )
        elif child_last and child_first and child_birth:
            found = child_by_person.get(
                _person_key(child_last, child_first, child_middle, child_birth), []
            )
            if len(found) == 1:
                child = found[0]
            elif not found:
                p.refuse(
                    columns["child_last_name"],
                    _("обучающегося с такими ФИО и датой рождения в школе нет."),
                )
            else:
                p.refuse(
                    columns["child_snils"],
                    _(
                        "в школе несколько обучающихся с такими ФИО и датой рождения: укажите СНИЛС."
                    ),
                )
        elif p.action != "refuse":
            p.refuse(
                columns["child_snils"],
                _(
                    "укажите СНИЛС ребёнка или его фамилию, имя и дату рождения "
                    "(столбцы «Фамилия ребёнка», «Имя ребёнка», «Дата рождения ребёнка»)."
                ),
            )
        guardian_id: int | None = None
        if snils:
            guardian_id = guardian_by_snils.get(snils)
        if guardian_id is None and last and first:
            # A namesake is the same parent only when they already represent this child (a
            # re-import) or something personal agrees too (birth date, phone or e-mail): a
            # name alone would show one mother another's child.
            same = [
                g
                for g in guardian_by_name.get(_person_key(last, first, middle, None), [])
                if (child is not None and (g["id"], child["id"]) in links)
                or (birth and g["birth_date"] == birth)
                or (phone and g["phone"] == phone)
                or (email and (g["email"] or "").lower() == email.lower())
            ]
            if len(same) == 1:
                guardian_id = same[0]["id"]
        # Rows of one parent share a key in the file: a parent with two children is one record
        # — by СНИЛС, else by name with a birth date, phone or e-mail; a row with a name only
        # is a parent of its own (two namesakes must never become one record).
        file_key: Any
        if snils:
            file_key = ("snils", snils)
        elif birth:
            file_key = ("name", _person_key(last, first, middle, birth))
        elif phone or email:
            file_key = (
                "contact",
                _person_key(last, first, middle, None),
                phone,
                (email or "").lower(),
            )
        else:
            file_key = ("row", p.number)
        if child is not None:
            link = (file_key, child["id"])
            if link in seen_links:
                p.refuse(
                    columns["last_name"],
                    _("повторяет строку %(n)s: тот же родитель и тот же ребёнок.")
                    % {"n": seen_links[link]},
                )
            seen_links[link] = p.number
        if p.action != "refuse":
            assert child is not None and kind is not None
            p.target_id = guardian_id
            p.action = "update" if guardian_id else "create"
            p.values = {
                "file_key": file_key,
                "last_name": last,
                "first_name": first,
                "middle_name": middle,
                "birth_date": birth,
                "snils": snils,
                "phone": phone,
                "email": email,
                "kind": kind,
                "student_id": child["id"],
                "linked": guardian_id is not None and (guardian_id, child["id"]) in links,
            }
            p.name = _("%(parent)s → %(child)s") % {
                "parent": p.name,
                "child": " ".join(x for x in (child["last_name"], child["first_name"]) if x),
            }
        plan.rows.append(p)
        if progress and index % CHUNK == 0:
            progress(index)
    return plan


def plan_staff(
    organisation: Organisation,
    rows: list[dict[str, Any]],
    progress: Callable[[int], None] | None = None,
) -> Plan:
    plan = Plan(kind=ImportKind.STAFF, rows=[])
    # Only the staff of this school are matched and changed; a login of somebody elsewhere
    # is refused as taken, never taken over.
    staff = list(
        User.objects.filter(roles__organisation=organisation)
        .distinct()
        .values("id", "username", "last_name", "first_name", "middle_name", "snils")
    )
    by_snils = {u["snils"]: u["id"] for u in staff if u["snils"]}
    by_login = {u["username"].lower(): u["id"] for u in staff}
    by_name: dict[tuple[str, ...], list[int]] = {}
    for u in staff:
        by_name.setdefault(
            _person_key(u["last_name"], u["first_name"], u["middle_name"], None), []
        ).append(u["id"])
    wanted_logins = {str(r.get("username", "")).strip().lower() for r in rows} - {""}
    # Logins are unique whatever the case («Ivanova» takes «ivanova»), as user_create checks.
    taken = set(
        User.objects.annotate(login=Lower("username"))
        .filter(login__in=wanted_logins)
        .values_list("login", flat=True)
    ) - set(by_login)
    columns = {c.key: c for c in STAFF_COLUMNS}
    seen: dict[str, int] = {}
    for index, row in enumerate(rows, start=1):
        p = RowPlan(number=row["_row"], name="")
        check = _Checker(row, STAFF_COLUMNS, p)
        last = check.text("last_name")
        first = check.text("first_name")
        middle = check.text("middle_name")
        p.name = " ".join(x for x in (last, first, middle) if x)
        snils = check.snils("snils")
        email = check.email("email")
        phone = check.text("phone", limit=20)
        login = check.text("username", limit=150)
        if login and not all(ch.isascii() and (ch.isalnum() or ch in "._-@") for ch in login):
            p.refuse(
                columns["username"],
                _("«%(v)s» — логин пишется латиницей и цифрами.") % {"v": login},
            )
        elif login and len(login) < 3:
            p.refuse(columns["username"], _("логин короче 3 знаков."))
        elif login and login.lower() in taken:
            p.refuse(columns["username"], _("логин «%(v)s» уже занят.") % {"v": login})
        roles: list[str] = []
        for part in str(row.get("roles", "")).split(","):
            word = _norm(part)
            if not word:
                continue
            role = _ROLES.get(word)
            if role is None:
                p.refuse(
                    columns["roles"], _("«%(v)s» — такой роли нет.") % {"v": part.strip()[:40]}
                )
            elif role not in roles:
                roles.append(role)
        if not roles and p.action != "refuse":
            p.refuse(columns["roles"], _("не заполнено."))
        specialist_kind = ""
        if Role.SPECIALIST in roles:
            specialist_kind = _SPECIALIST_KINDS.get(_norm(str(row.get("specialist_kind", ""))), "")
            if not specialist_kind:
                p.refuse(
                    columns["specialist_kind"], _("укажите специальность для роли «специалист».")
                )
        user_id = by_snils.get(snils) if snils else None
        if user_id is None and login:
            user_id = by_login.get(login.lower())
        if user_id is None and last and first:
            same = by_name.get(_person_key(last, first, middle, None), [])
            user_id = same[0] if len(same) == 1 else None
        key = f"u{user_id}" if user_id else (snils or login.lower() or p.name.lower())
        if key in seen:
            p.refuse(
                columns["last_name"],
                _("повторяет строку %(n)s: один сотрудник — одна строка.") % {"n": seen[key]},
            )
        seen[key] = p.number
        if p.action != "refuse":
            p.target_id = user_id
            p.action = "update" if user_id else "create"
            p.values = {
                "last_name": last,
                "first_name": first,
                "middle_name": middle,
                "snils": snils,
                "email": email,
                "phone": phone,
                "username": login,
                "roles": roles,
                "specialist_kind": specialist_kind,
            }
        plan.rows.append(p)
        if progress and index % CHUNK == 0:
            progress(index)
    return plan


def ktp_lessons(class_unit: ClassUnit, subject: Any) -> list[Lesson]:
    """The lessons of a class's journal of a subject in the class's year, in date order."""
    return list(
        Lesson.objects.filter(
            class_unit=class_unit,
            subject=subject,
            group__isnull=True,
            is_cancelled=False,
            academic_year_id=class_unit.parallel.academic_year_id,
        )
        .select_related("period", "subject")
        .order_by("date", "lesson_number", "id")
    )


def plan_ktp(
    class_unit: ClassUnit,
    subject: Any,
    rows: list[dict[str, Any]],
    user: Any,
    progress: Callable[[int], None] | None = None,
) -> Plan:
    plan = Plan(kind=ImportKind.KTP, rows=[])
    lessons = ktp_lessons(class_unit, subject)
    if not lessons:
        plan.file_errors.append(
            _(
                "У %(cls)s по предмету «%(subject)s» в расписании нет уроков: сначала составьте расписание."
            )
            % {"cls": class_unit.name, "subject": subject.name}
        )
        return plan
    may_edit_closed = user.has_perm("journal.edit_closed", lessons[0])
    columns = {c.key: c for c in KTP_COLUMNS}
    topic_limit = Lesson._meta.get_field("topic").max_length or 500
    seen: dict[int, int] = {}
    for index, row in enumerate(rows, start=1):
        p = RowPlan(number=row["_row"], name="")
        check = _Checker(row, KTP_COLUMNS, p)
        raw = str(row.get("number", "")).strip()
        topic = check.text("topic", limit=topic_limit)
        homework = str(row.get("homework", "")).strip()
        lesson = None
        if not raw:
            p.refuse(columns["number"], _("не заполнено."))
        elif not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            p.refuse(
                columns["number"], _("«%(v)s» — нужен номер урока: 1, 2, 3…") % {"v": raw[:20]}
            )
        elif int(raw) > len(lessons):
            p.refuse(
                columns["number"],
                _("урока №%(n)s нет: в расписании %(total)s уроков до конца года.")
                % {"n": raw, "total": len(lessons)},
            )
        else:
            number = int(raw)
            if number in seen:
                p.refuse(
                    columns["number"],
                    _("урок №%(n)s уже в строке %(row)s.") % {"n": number, "row": seen[number]},
                )
            seen[number] = p.number
            lesson = lessons[number - 1]
            p.name = _("Урок №%(n)s, %(date)s: %(topic)s") % {
                "n": number,
                "date": lesson.date.strftime("%d.%m.%Y"),
                "topic": topic,
            }
            closed = lesson.period is not None and lesson.period.is_closed
            if closed and not may_edit_closed and p.action != "refuse":
                # A whole-year plan loaded mid-year: the closed quarter stays as the journal
                # has it (the journal's rule), the rest of the plan still loads.
                p.action = "skip"
                p.errors.append(
                    (
                        str(columns["number"].title),
                        _("урок %(date)s в закрытом периоде — останется как есть.")
                        % {"date": lesson.date.strftime("%d.%m.%Y")},
                    )
                )
        if p.action not in ("refuse", "skip") and lesson is not None:
            p.action = "update"
            p.target_id = lesson.pk
            p.values = {"topic": topic, "homework": homework, "lesson": lesson}
        plan.rows.append(p)
        if progress and index % CHUNK == 0:
            progress(index)
    return plan


def _apply_ktp(plan: Plan, user: Any) -> dict[str, int]:
    """Through the journal's own services, so the topic and homework rules (closed periods,
    lengths, notifications for tomorrow) are the journal's."""
    from shkola.journal import services as journal
    from shkola.journal.models import Homework

    topics = homeworks = 0
    for r in plan.rows:
        if r.action != "update":
            continue
        lesson = r.values["lesson"]
        may_edit_closed = user.has_perm("journal.edit_closed", lesson)
        if lesson.topic != r.values["topic"]:
            journal.lesson_update(
                lesson=lesson,
                topic=r.values["topic"],
                control_form=lesson.control_form,
                user=user,
                may_edit_closed=may_edit_closed,
            )
            topics += 1
        text = r.values["homework"]
        if text:
            own = list(
                Homework.objects.filter(lesson=lesson, student__isnull=True).prefetch_related(
                    "files"
                )
            )
            if any(h.text.strip() == text for h in own):
                continue
            # The plan's earlier homework (no files attached) is replaced, never doubled.
            for h in own:
                if not h.files.all():
                    journal.homework_delete(homework=h, may_edit_closed=may_edit_closed)
            journal.homework_assign(
                lesson=lesson, text=text, user=user, may_edit_closed=may_edit_closed
            )
            homeworks += 1
    return {"created": 0, "updated": topics, "homework": homeworks}


PLANNERS = {
    ImportKind.STUDENTS: plan_students,
    ImportKind.PARENTS: plan_parents,
    ImportKind.STAFF: plan_staff,
}


# --------------------------------------------------------------------------- the writes


def _apply_students(organisation: Organisation, plan: Plan, actor: Any) -> dict[str, int]:
    day = clock.today()
    creates = [r for r in plan.rows if r.action == "create"]
    updates = [r for r in plan.rows if r.action == "update"]
    fields = [
        "last_name",
        "first_name",
        "middle_name",
        "birth_date",
        "sex",
        "snils",
        "id_document",
        "special_needs",
        "email",
    ]
    new_students = [
        Student(
            organisation=organisation,
            current_class=r.values["class_unit"],
            **{f: r.values[f] for f in fields},
        )
        for r in creates
    ]
    Student.objects.bulk_create(new_students, batch_size=CHUNK)
    enrolments = [
        Enrolment(
            student=s,
            organisation=organisation,
            action=EnrolmentAction.ADMIT,
            date=day,
            order_number=r.values["order_number"],
            class_unit=r.values["class_unit"],
            class_type=r.values["class_unit"].class_type,
        )
        for s, r in zip(new_students, creates, strict=True)
    ]
    existing = Student.objects.in_bulk([r.target_id for r in updates])
    # Only what changes is written: a re-import of the same file writes nothing, a file that
    # moves students writes one UPDATE per class, and changed details are batched by the
    # fields they touch.
    by_fields: dict[tuple[str, ...], list[Student]] = {}
    moves: dict[int, list[int]] = {}
    moved = 0
    for r in updates:
        student = existing[r.target_id]
        differs = tuple(f for f in fields if getattr(student, f) != r.values[f])
        for f in differs:
            setattr(student, f, r.values[f])
        if differs:
            by_fields.setdefault(differs, []).append(student)
        class_unit = r.values["class_unit"]
        if student.current_class_id != class_unit.id:
            # A student who is in another class (or in none) by now moves by this file.
            enrolments.append(
                Enrolment(
                    student=student,
                    organisation=organisation,
                    action=EnrolmentAction.TRANSFER
                    if student.current_class_id
                    else EnrolmentAction.ADMIT,
                    date=day,
                    order_number=r.values["order_number"],
                    class_unit=class_unit,
                    class_type=class_unit.class_type,
                )
            )
            moves.setdefault(class_unit.id, []).append(student.pk)
            moved += 1
    for changed_fields, students in by_fields.items():
        Student.objects.bulk_update(students, list(changed_fields), batch_size=UPDATE_BATCH)
    for class_id, ids in moves.items():
        for start in range(0, len(ids), CHUNK):
            Student.objects.filter(pk__in=ids[start : start + CHUNK]).update(
                current_class_id=class_id
            )
    Enrolment.objects.bulk_create(enrolments, batch_size=CHUNK)
    return {"created": len(creates), "updated": len(updates), "moved": moved}


def _apply_parents(organisation: Organisation, plan: Plan, actor: Any) -> dict[str, int]:
    del organisation, actor
    rows = [r for r in plan.rows if r.action in ("create", "update")]
    fields = ["last_name", "first_name", "middle_name", "birth_date", "snils", "phone", "email"]
    # One new record per parent of the file, however many children it lists.
    new_by_key: dict[Any, Guardian] = {}
    for r in rows:
        key = _freeze(r.values["file_key"])
        if r.target_id is None and key not in new_by_key:
            new_by_key[key] = Guardian(**{f: r.values[f] for f in fields})
    Guardian.objects.bulk_create(list(new_by_key.values()), batch_size=CHUNK)
    existing = Guardian.objects.in_bulk({r.target_id for r in rows if r.target_id})
    changed: dict[int, set[str]] = {}
    for r in rows:
        if r.target_id:
            guardian = existing[r.target_id]
            for f in fields:
                value = r.values[f]
                # An empty cell keeps what the school already has.
                if value not in ("", None) and getattr(guardian, f) != value:
                    setattr(guardian, f, value)
                    changed.setdefault(guardian.pk, set()).add(f)
    by_fields: dict[tuple[str, ...], list[Guardian]] = {}
    for pk, names in changed.items():
        by_fields.setdefault(tuple(sorted(names)), []).append(existing[pk])
    for changed_fields, guardians in by_fields.items():
        Guardian.objects.bulk_update(guardians, list(changed_fields), batch_size=UPDATE_BATCH)
    new_links: list[Guardianship] = []
    kinds: dict[tuple[int, int], str] = {}
    for r in rows:
        guardian_id = r.target_id or new_by_key[_freeze(r.values["file_key"])].pk
        if r.values["linked"]:
            kinds[(guardian_id, r.values["student_id"])] = r.values["kind"]
        else:
            new_links.append(
                Guardianship(
                    guardian_id=guardian_id,
                    student_id=r.values["student_id"],
                    kind=r.values["kind"],
                )
            )
    Guardianship.objects.bulk_create(new_links, batch_size=CHUNK)
    if kinds:
        old = list(
            Guardianship.objects.filter(
                guardian_id__in={g for g, _s in kinds}, student_id__in={s for _g, s in kinds}
            )
        )
        for link in old:
            wanted = kinds.get((link.guardian_id, link.student_id))
            if wanted:
                link.kind = wanted
        Guardianship.objects.bulk_update(old, ["kind"], batch_size=UPDATE_BATCH)
    return {
        "created": len(new_by_key),
        "updated": len(existing),
        "links": len(new_links),
    }


def _freeze(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _login_for(last: str, first: str, middle: str, used: set[str]) -> str:
    from shkola.core.exports import ascii_filename

    base = (
        ascii_filename(f"{last}.{first[:1]}{middle[:1]}" if first else last)
        .lower()
        .strip("._-")[:30]
        or "staff"
    )
    login, n = base, 1
    while login in used or len(login) < 3:
        n += 1
        login = f"{base}{n}"
    used.add(login)
    return login


def _apply_staff(organisation: Organisation, plan: Plan, actor: Any) -> dict[str, int]:
    rows = [r for r in plan.rows if r.action in ("create", "update")]
    fields = ["last_name", "first_name", "middle_name", "snils", "email", "phone"]
    creates = [r for r in rows if r.target_id is None]
    stems = {
        _login_for(r.values["last_name"], r.values["first_name"], r.values["middle_name"], set())
        for r in creates
        if not r.values["username"]
    }
    used = set(
        User.objects.annotate(login=Lower("username"))
        .filter(login__in=[f"{s}{n}" if n > 1 else s for s in stems for n in range(1, 30)])
        .values_list("login", flat=True)
    )
    used |= {r.values["username"].lower() for r in rows if r.values["username"]}
    new_users = []
    for r in creates:
        login = r.values["username"] or _login_for(
            r.values["last_name"], r.values["first_name"], r.values["middle_name"], used
        )
        user = User(username=login, **{f: r.values[f] for f in fields})
        # No password yet: the curator issues one («Выдать пароль») or the person resets it.
        user.set_unusable_password()
        new_users.append(user)
    User.objects.bulk_create(new_users, batch_size=CHUNK)
    existing = User.objects.in_bulk([r.target_id for r in rows if r.target_id])
    by_fields: dict[tuple[str, ...], list[User]] = {}
    for r in rows:
        if r.target_id:
            user = existing[r.target_id]
            differs = tuple(
                f
                for f in fields
                if r.values[f] not in ("", None) and getattr(user, f) != r.values[f]
            )
            for f in differs:
                setattr(user, f, r.values[f])
            if differs:
                by_fields.setdefault(differs, []).append(user)
    for changed_fields, users in by_fields.items():
        User.objects.bulk_update(users, list(changed_fields), batch_size=UPDATE_BATCH)
    new_of_row = {id(r): user for r, user in zip(creates, new_users, strict=True)}
    users_of_rows = [existing[r.target_id] if r.target_id else new_of_row[id(r)] for r in rows]
    held = set(
        RoleAssignment.objects.filter(
            organisation=organisation, user_id__in=[u.pk for u in users_of_rows]
        ).values_list("user_id", "role")
    )
    grants = [
        RoleAssignment(
            user=user,
            role=role,
            organisation=organisation,
            specialist_kind=r.values["specialist_kind"] if role == Role.SPECIALIST else "",
        )
        for r, user in zip(rows, users_of_rows, strict=True)
        for role in r.values["roles"]
        if (user.pk, role) not in held
    ]
    RoleAssignment.objects.bulk_create(grants, batch_size=CHUNK)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                kind=AuditEvent.Kind.ROLE_CHANGE,
                actor=actor,
                subject_user=g.user,
                organisation=organisation,
                username=g.user.username,
                details={"granted": str(g.role), "import": True},
            )
            for g in grants
        ],
        batch_size=CHUNK,
    )
    return {"created": len(new_users), "updated": len(existing), "roles": len(grants)}


APPLIERS = {
    ImportKind.STUDENTS: _apply_students,
    ImportKind.PARENTS: _apply_parents,
    ImportKind.STAFF: _apply_staff,
}


# --------------------------------------------------------------------------- the job


def _plan(
    job: ImportJob, rows: list[dict[str, Any]], progress: Callable[[int], None] | None = None
) -> Plan:
    if job.kind == ImportKind.KTP:
        assert job.class_unit is not None and job.subject is not None
        return plan_ktp(job.class_unit, job.subject, rows, job.created_by, progress)
    return PLANNERS[ImportKind(job.kind)](job.organisation, rows, progress)


def import_check(
    *,
    organisation: Organisation,
    kind: str,
    content: bytes,
    file_name: str,
    user: Any,
    class_unit: ClassUnit | None = None,
    subject: Any = None,
) -> ImportJob:
    """The dry run: read and plan the file, keep the rows and the report; write nothing to
    the school. A file that cannot be read raises ValidationError on «file». A КТП names its
    journal: a class and a subject of the same school."""
    if kind not in COLUMNS:
        raise ValidationError({"kind": _("Выберите, что загружается.")})
    if kind == ImportKind.KTP and (
        class_unit is None
        or subject is None
        or class_unit.parallel.organisation_id != organisation.id
        or subject.organisation_id != organisation.id
    ):
        raise ValidationError({"journal": _("Выберите класс и предмет своей школы.")})
    sheet = read_sheet(content, file_name)
    rows, header_errors = _rows_as_dicts(kind, sheet.header, sheet.rows)
    job = ImportJob(
        organisation=organisation,
        kind=kind,
        class_unit=class_unit if kind == ImportKind.KTP else None,
        subject=subject if kind == ImportKind.KTP else None,
        created_by=user if getattr(user, "pk", None) else None,
    )
    if header_errors:
        plan = Plan(kind=kind, rows=[], file_errors=header_errors)
    else:
        plan = _plan(job, rows)
    return ImportJob.objects.create(
        organisation=organisation,
        kind=kind,
        class_unit=job.class_unit,
        subject=job.subject,
        file_name=file_name[:255],
        created_by=user if getattr(user, "pk", None) else None,
        status=ImportJob.Status.CHECKED if plan.ok else ImportJob.Status.REFUSED,
        rows=[] if header_errors else _jsonable(rows),
        total=len(rows),
        report=_jsonable(plan.as_report()),
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def import_apply(*, job: ImportJob, user: Any) -> ImportJob:
    """«Применить»: queue a checked job for the worker (once; a second press changes nothing)."""
    from .tasks import run_import_job

    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != ImportJob.Status.CHECKED:
            if locked.status == ImportJob.Status.REFUSED:
                raise ValidationError(
                    {"file": _("В файле есть ошибки: исправьте их и загрузите файл заново.")}
                )
            return locked
        locked.status = ImportJob.Status.QUEUED
        locked.progress = 0
        locked.save(update_fields=["status", "progress"])
        transaction.on_commit(lambda: run_import_job.enqueue(locked.pk))
    return locked


def import_job_run(*, job_id: int) -> ImportJob:
    """The worker's part: plan the rows again against the school as it is now (people may
    have been added since the dry run) and write them all in one transaction, or none."""
    job = ImportJob.objects.select_related(
        "organisation", "created_by", "class_unit__parallel", "subject"
    ).get(pk=job_id)
    if job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING):
        return job  # done, failed or never applied: running twice changes nothing
    # Conditional: a second run (a task put back after its worker was thought dead) that waited
    # for the first run's lock must find DONE and stop, never turn it back into RUNNING.
    if not ImportJob.objects.filter(
        pk=job.pk, status__in=(ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
    ).update(status=ImportJob.Status.RUNNING):
        job.refresh_from_db()
        return job

    def progress(done: int) -> None:
        # Half of the bar is the check, half the write; each step is its own short update.
        ImportJob.objects.filter(pk=job.pk).update(progress=done // 2)

    plan = _plan(job, job.rows, progress)
    if not plan.ok:
        # (a concurrent run that wrote the job makes this plan fail: its DONE stands)
        ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
            status=ImportJob.Status.FAILED,
            report=_jsonable(plan.as_report()),
            result={
                "error": _("С момента проверки в школе что-то изменилось: ничего не записано.")
            },
            finished_at=timezone.now(),
        )
        job.refresh_from_db()
        return job
    ImportJob.objects.filter(pk=job.pk).update(progress=job.total // 2)
    try:
        with transaction.atomic():
            # Two runs of one job (a task put back in the queue while its first worker was
            # only slow): the job's row lock lets one write and the other find it done.
            if (
                not ImportJob.objects.select_for_update()
                .filter(pk=job.pk, status=ImportJob.Status.RUNNING)
                .exists()
            ):
                job.refresh_from_db()
                return job
            if job.kind == ImportKind.KTP:
                result = _apply_ktp(plan, job.created_by)
            else:
                result = APPLIERS[ImportKind(job.kind)](job.organisation, plan, job.created_by)
            AuditEvent.objects.create(
                kind=AuditEvent.Kind.DATA_CHANGE,
                actor=job.created_by,
                organisation=job.organisation,
                username=getattr(job.created_by, "username", "") or "",
                details={"import": job.kind, "job": job.pk, "file": job.file_name, **result},
            )
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportJob.Status.DONE,
                progress=job.total,
                result=result,
                finished_at=timezone.now(),
            )
            # Bulk writes of people, children, classes and roles send no signal.
            people_cache_drop_all()
    except Exception:
        ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
            status=ImportJob.Status.FAILED,
            result={"error": _("Запись прервалась: ничего не записано. Попробуйте ещё раз.")},
            finished_at=timezone.now(),
        )
        raise
    job.refresh_from_db()
    return job


# --------------------------------------------------------------------------- templates


def template_workbook(kind: str) -> bytes:
    """The file to fill: the header in Russian, an example row, and a sheet «Как заполнять»."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    columns = COLUMNS[kind]
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title(str(ImportKind(kind).label))
    append_row(sheet, [str(c.title) for c in columns])
    append_row(sheet, [c.example for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(
            14, len(str(column.title)) + 4
        )
    help_sheet = book.create_sheet(_("Как заполнять"))
    append_row(help_sheet, [_("Столбец"), _("Обязательный"), _("Что писать")])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for column in columns:
        append_row(
            help_sheet,
            [str(column.title), _("да") if column.required else _("нет"), str(column.hint)],
        )
    append_row(help_sheet, [])
    for line in (
        _("Первая строка — заголовки, как в шаблоне; строку-пример замените своими данными."),
        _("Можно сохранить лист как CSV (UTF-8, разделитель «;» или «,»)."),
        _("Повторная загрузка того же файла обновляет данные и не создаёт дублей."),
    ):
        append_row(help_sheet, [line])
    help_sheet.column_dimensions["A"].width = 28
    help_sheet.column_dimensions["B"].width = 14
    help_sheet.column_dimensions["C"].width = 70
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
