"""Import of students and parents: the dry run, row errors, all-or-nothing apply, re-import."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from shkola.core.testing.factories import make_school, valid_snils
from shkola.imports import services
from shkola.imports.models import ImportJob
from shkola.schools.models import Enrolment, Guardian, Guardianship, Student

from .conftest import PARENT_HEADER, STUDENT_HEADER, csv_bytes, xlsx

pytestmark = pytest.mark.django_db

ROWS = [
    ["Иванова", "Мария", "Петровна", "17.05.2013", "ж", valid_snils(200300400), "7А"],
    ["Петров", "Илья", "", "2013-02-01", "м", "", "7б"],
]


def check(school: Any, content: bytes, kind: str = "students", name: str = "f.xlsx") -> ImportJob:
    return services.import_check(
        organisation=school.organisation,
        kind=kind,
        content=content,
        file_name=name,
        user=school.curator,
    )


def run(job: ImportJob, django_capture_on_commit_callbacks: Any) -> ImportJob:
    with django_capture_on_commit_callbacks(execute=True):
        services.import_apply(job=job, user=job.created_by)
    job.refresh_from_db()
    return job


def errors_of(job: ImportJob) -> list[tuple[int, str, str]]:
    return [
        (r["number"], column, message)
        for r in job.report["rows"]
        for column, message in r["errors"]
    ]


@pytest.mark.parametrize(
    "content",
    [
        xlsx(STUDENT_HEADER, ROWS),
        csv_bytes(STUDENT_HEADER, ROWS, ";"),
        csv_bytes(STUDENT_HEADER, ROWS, ","),
        b"\xef\xbb\xbf" + csv_bytes(STUDENT_HEADER, ROWS, ";"),
    ],
    ids=["xlsx", "csv-semicolon", "csv-comma", "csv-bom"],
)
def test_both_formats_give_the_same_dry_run_and_write_nothing(school, content):
    job = check(school, content)

    assert job.status == ImportJob.Status.CHECKED
    assert job.report["counts"] == {"create": 2, "update": 0, "refuse": 0}
    assert [r["name"] for r in job.report["rows"]] == ["Иванова Мария Петровна", "Петров Илья"]
    assert not Student.objects.filter(organisation=school.organisation).exists()


def test_each_bad_cell_is_refused_with_its_row_and_column_in_russian(school):
    other = make_school(letter="Я")  # «7Я» exists, but in another school
    assert other.class_unit.name == "7Я"
    snils = valid_snils(300400500)
    bad_checksum = snils[:-2] + ("00" if snils[-2:] != "00" else "01")
    rows = [
        ["Сидоров", "Олег", "", "01.09.2013", "м", "", "7Я"],
        ["Кузнецова", "Анна", "", "01.09.2013", "ж", bad_checksum, "7А"],
        ["Орлов", "Пётр", "", "31.02.2013", "м", "", "7А"],
        ["", "Вера", "", "01.09.2013", "ж", "", "7А"],
        ["Лебедев", "Иван", "", "01.09.2013", "x", "", "7А"],
        ["Белова", "Ольга", "", "01.09.2013", "ж", snils, "7А"],
        ["Белова", "Оля", "", "02.09.2013", "ж", snils, "7Б"],
        ["Зайцев", "Лев", "", "01.09.2013", "м", "123", "7А"],
    ]

    job = check(school, xlsx(STUDENT_HEADER, rows))

    assert job.status == ImportJob.Status.REFUSED
    found = errors_of(job)
    assert (2, "Класс", "класса «7Я» нет в школе в 2026/2027 учебном году.") in found
    assert any(n == 3 and c == "СНИЛС" and "контрольное число" in m for n, c, m in found)
    assert any(n == 4 and c == "Дата рождения" and "31.02.2013" in m for n, c, m in found)
    assert (5, "Фамилия", "не заполнено.") in found
    assert any(n == 6 and c == "Пол" for n, c, m in found)
    assert (8, "СНИЛС", "СНИЛС повторяет строку 7: один человек — одна строка.") in found
    assert any(n == 9 and c == "СНИЛС" and "11 цифр" in m for n, c, m in found)
    assert job.report["counts"] == {"create": 1, "update": 0, "refuse": 7}
    assert not Student.objects.filter(organisation=school.organisation).exists()


def test_a_missing_required_column_refuses_the_file_naming_the_column(school):
    header = [h for h in STUDENT_HEADER if h != "Класс"]

    job = check(school, csv_bytes(header, [r[:-1] for r in ROWS]))

    assert job.status == ImportJob.Status.REFUSED
    assert job.report["file_errors"] == [
        "В первой строке файла нет обязательных столбцов: «Класс»."
    ]


def test_a_refused_file_cannot_be_applied(school, django_capture_on_commit_callbacks):
    rows = [*ROWS, ["Сидоров", "Олег", "", "01.09.2013", "м", "", "9Ж"]]
    job = check(school, xlsx(STUDENT_HEADER, rows))

    with pytest.raises(ValidationError):
        services.import_apply(job=job, user=school.curator)

    assert not Student.objects.filter(organisation=school.organisation).exists()


def test_apply_writes_students_with_their_class_and_education_history(
    school, django_capture_on_commit_callbacks
):
    job = run(check(school, xlsx(STUDENT_HEADER, ROWS)), django_capture_on_commit_callbacks)

    assert job.status == ImportJob.Status.DONE
    assert job.result == {"created": 2, "updated": 0, "moved": 0}
    assert job.progress == job.total == 2
    maria = Student.objects.get(organisation=school.organisation, first_name="Мария")
    assert maria.current_class == school.class_unit
    assert maria.birth_date == dt.date(2013, 5, 17)
    assert maria.snils == valid_snils(200300400)
    ilya = Student.objects.get(organisation=school.organisation, first_name="Илья")
    assert ilya.current_class.name == "7Б"
    assert Enrolment.objects.filter(student__in=[maria, ilya], action="admit").count() == 2


def test_reimport_updates_by_snils_or_name_and_birth_date_and_never_duplicates(
    school, django_capture_on_commit_callbacks
):
    run(check(school, xlsx(STUDENT_HEADER, ROWS)), django_capture_on_commit_callbacks)
    changed = [
        ["Иванова", "Мария", "Петровна", "17.05.2013", "ж", valid_snils(200300400), "7Б"],
        ["Петров", "Илья", "Андреевич", "01.02.2013", "м", "", "7Б"],
    ]
    changed[1][2] = ""  # the name must match to find a student without a СНИЛС

    job = check(school, csv_bytes(STUDENT_HEADER, changed))
    assert job.report["counts"] == {"create": 0, "update": 2, "refuse": 0}
    job = run(job, django_capture_on_commit_callbacks)

    assert job.result == {"created": 0, "updated": 2, "moved": 1}
    students = Student.objects.filter(organisation=school.organisation)
    assert students.count() == 2
    maria = students.get(first_name="Мария")
    assert maria.current_class.name == "7Б"
    assert list(maria.enrolments.values_list("action", flat=True)) == ["admit", "transfer"]

    job = run(check(school, csv_bytes(STUDENT_HEADER, changed)), django_capture_on_commit_callbacks)
    assert job.result == {"created": 0, "updated": 2, "moved": 0}
    assert students.count() == 2


def test_an_error_while_writing_leaves_nothing(
    school, django_capture_on_commit_callbacks, monkeypatch
):
    job = check(school, xlsx(STUDENT_HEADER, ROWS))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Enrolment.objects, "bulk_create", broken)
    job = run(job, django_capture_on_commit_callbacks)  # the worker logs the failure

    assert job.status == ImportJob.Status.FAILED
    assert "ничего не записано" in job.result["error"]
    assert not Student.objects.filter(organisation=school.organisation).exists()


def test_a_change_in_the_school_since_the_dry_run_fails_the_job_whole(
    school, django_capture_on_commit_callbacks
):
    job = check(school, xlsx(STUDENT_HEADER, ROWS))
    school.class_unit.delete()  # «7А» is gone before «Применить»

    job = run(job, django_capture_on_commit_callbacks)

    assert job.status == ImportJob.Status.FAILED
    assert not Student.objects.filter(organisation=school.organisation).exists()
    assert any(c == "Класс" for _n, c, _m in errors_of(job))


def test_running_a_job_twice_writes_once(school, django_capture_on_commit_callbacks):
    job = run(check(school, xlsx(STUDENT_HEADER, ROWS)), django_capture_on_commit_callbacks)

    services.import_job_run(job_id=job.id)
    services.import_apply(job=job, user=school.curator)

    assert Student.objects.filter(organisation=school.organisation).count() == 2


def test_parents_are_linked_by_child_snils_and_by_child_name_and_birth_date(
    school, django_capture_on_commit_callbacks
):
    run(check(school, xlsx(STUDENT_HEADER, ROWS)), django_capture_on_commit_callbacks)
    mother_snils = valid_snils(500600700)
    rows = [
        # one mother of two children: one record, two links
        ["Иванова", "Елена", "Сергеевна", mother_snils, "+79160000001", "мать",
         valid_snils(200300400), "", "", "", ""],
        ["Иванова", "Елена", "Сергеевна", mother_snils, "", "Мать",
         "", "Петров", "Илья", "", "01.02.2013"],
        ["Петров", "Андрей", "", "", "", "отец", "", "Петров", "Илья", "", "01.02.2013"],
    ]  # fmt: skip

    job = check(school, xlsx(PARENT_HEADER, rows), kind="parents")
    assert job.report["counts"] == {"create": 3, "update": 0, "refuse": 0}
    job = run(job, django_capture_on_commit_callbacks)

    assert job.result == {"created": 2, "updated": 0, "links": 3}
    mother = Guardian.objects.get(snils=mother_snils)
    assert mother.phone == "+79160000001"
    assert sorted(g.student.first_name for g in mother.guardianships.all()) == ["Илья", "Мария"]
    father = Guardian.objects.get(
        first_name="Андрей", guardianships__student__organisation=school.organisation
    )
    assert father.guardianships.get().kind == "father"

    # Again, with a new phone: the same people are updated, no new records or links.
    rows[0][4] = "+79160000002"
    job = run(check(school, xlsx(PARENT_HEADER, rows), kind="parents"),
              django_capture_on_commit_callbacks)  # fmt: skip
    assert job.result == {"created": 0, "updated": 2, "links": 0}
    ours = Guardian.objects.filter(guardianships__student__organisation=school.organisation)
    assert ours.distinct().count() == 2
    assert Guardianship.objects.filter(student__organisation=school.organisation).count() == 3
    mother.refresh_from_db()
    assert mother.phone == "+79160000002"


def test_a_parent_row_for_a_child_of_another_school_is_refused(school):
    other = make_school(n_students=1)
    stranger = other.students[0]
    rows = [
        ["Иванова", "Елена", "", "", "", "мать", stranger.snils, "", "", "", ""],
        ["Иванова", "Елена", "", "", "", "бабушка", "", "Нет", "Такого", "", "01.01.2013"],
        ["Иванова", "Елена", "", "", "", "мать", "", "", "", "", ""],
    ]

    job = check(school, csv_bytes(PARENT_HEADER, rows), kind="parents")

    found = errors_of(job)
    assert any(n == 2 and c == "СНИЛС ребёнка" and "в школе нет" in m for n, c, m in found)
    assert any(n == 3 and c == "Кем приходится" and "бабушка" in m for n, c, m in found)
    assert any(n == 3 and c == "Фамилия ребёнка" for n, c, m in found)
    assert any(n == 4 and c == "СНИЛС ребёнка" and "укажите" in m for n, c, m in found)
    assert (
        not Guardianship.objects.filter(student=stranger)
        .exclude(guardian__user__isnull=False)
        .exists()
    )


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"", "empty.xlsx", "пустой"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.xlsx", "не таблица"),
        (b"PK\x03\x04garbage-not-a-zip", "broken.xlsx", "не читается как таблица Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", "старом формате"),
        ("Фамилия;Имя\n".encode("cp1251"), "win.csv", "UTF-8"),
        ("Фамилия;Имя\n\n\n".encode(), "header-only.csv", "нет строк с данными"),
    ],
    ids=["empty", "png", "broken-zip", "xls", "cp1251", "header-only"],
)
def test_a_bad_file_is_a_clear_russian_error(school, content, name, expected):
    with pytest.raises(ValidationError) as caught:
        check(school, content, name=name)

    assert expected in caught.value.message_dict["file"][0]
    assert not ImportJob.objects.exists()


def test_a_file_with_too_many_rows_is_refused(school, monkeypatch):
    from shkola.imports import reading

    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    rows = [ROWS[0]] * 4

    with pytest.raises(ValidationError) as caught:
        check(school, csv_bytes(STUDENT_HEADER, rows))

    assert "больше 3 строк" in caught.value.message_dict["file"][0]


def test_templates_have_the_russian_header_an_example_and_instructions():
    from shkola.core.testing.spreadsheets import workbook_of

    book = workbook_of(services.template_workbook("students"))

    first, help_sheet = book.worksheets
    assert [c.value for c in first[1]][:7] == STUDENT_HEADER
    assert first["G2"].value == "7А"
    assert help_sheet.title == "Как заполнять"
    assert help_sheet["A2"].value == "Фамилия" and help_sheet["B2"].value == "да"


def test_the_filled_template_is_accepted(school):
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(services.template_workbook("students")))
    out = io.BytesIO()
    book.save(out)

    job = check(school, out.getvalue())

    assert job.status == ImportJob.Status.CHECKED, job.report
    assert job.report["counts"]["create"] == 1


STAFF_HEADER = ["Фамилия", "Имя", "Отчество", "СНИЛС", "Логин", "E-mail", "Роли", "Специальность"]


def test_staff_get_accounts_and_roles_and_a_reimport_adds_only_new_roles(
    school, django_capture_on_commit_callbacks
):
    from shkola.accounts.models import AuditEvent, RoleAssignment, User

    rows = [
        ["Смирнова", "Ольга", "Ивановна", valid_snils(700800900), "", "o@example.org",
         "учитель, классный руководитель", ""],
        ["Орлова", "Нина", "", "", "orlova.n", "", "специалист", "психолог"],
    ]  # fmt: skip

    job = run(check(school, xlsx(STAFF_HEADER, rows), kind="staff"),
              django_capture_on_commit_callbacks)  # fmt: skip

    assert job.result == {"created": 2, "updated": 0, "roles": 3}
    olga = User.objects.get(snils=valid_snils(700800900))
    assert olga.username == "smirnova.oi"
    assert not olga.has_usable_password()
    assert set(olga.roles.values_list("role", flat=True)) == {"teacher", "class_teacher"}
    nina = User.objects.get(username="orlova.n")
    assert nina.roles.get().specialist_kind == "psychologist"
    assert AuditEvent.objects.filter(kind="role_change", subject_user=olga).count() == 2

    rows[0][6] = "учитель, заместитель директора"
    job = run(check(school, xlsx(STAFF_HEADER, rows), kind="staff"),
              django_capture_on_commit_callbacks)  # fmt: skip

    assert job.result == {"created": 0, "updated": 2, "roles": 1}
    assert RoleAssignment.objects.filter(user=olga).count() == 3
    assert User.objects.filter(last_name="Смирнова", first_name="Ольга").count() == 1


def test_a_staff_row_cannot_take_a_login_of_another_school_or_an_unknown_role(school):
    other = make_school()
    rows = [
        ["Иванов", "Пётр", "", "", other.teacher.username.upper(), "", "учитель", ""],
        ["Петров", "Иван", "", "", "", "", "уборщик", ""],
        ["Сидоров", "Олег", "", "", "", "", "специалист", ""],
    ]

    job = check(school, csv_bytes(STAFF_HEADER, rows), kind="staff")

    found = errors_of(job)
    assert any(n == 2 and c == "Логин" and "занят" in m for n, c, m in found)
    assert (3, "Роли", "«уборщик» — такой роли нет.") in found
    assert any(n == 4 and c == "Специальность" for n, c, m in found)


def test_namesakes_with_nothing_else_in_common_stay_two_parents(
    school, django_capture_on_commit_callbacks
):
    # Given 7А's two students, and a «Сидорова Анна» already a parent in the school
    run(check(school, xlsx(STUDENT_HEADER, ROWS)), django_capture_on_commit_callbacks)
    first = [
        ["Сидорова", "Анна", "", "", "+79160000009", "мать",
         valid_snils(200300400), "", "", "", ""],
    ]  # fmt: skip
    run(
        check(school, xlsx(PARENT_HEADER, first), kind="parents"),
        django_capture_on_commit_callbacks,
    )
    # When a file names «Сидорова Анна» for the other child, with no СНИЛС and another phone,
    # and twice «Кузнецова Ольга» with nothing but the name, for each child
    rows = [
        ["Сидорова", "Анна", "", "", "+79160000010", "мать",
         "", "Петров", "Илья", "", "01.02.2013"],
        ["Кузнецова", "Ольга", "", "", "", "опекун",
         valid_snils(200300400), "", "", "", ""],
        ["Кузнецова", "Ольга", "", "", "", "опекун",
         "", "Петров", "Илья", "", "01.02.2013"],
    ]  # fmt: skip
    job = run(
        check(school, xlsx(PARENT_HEADER, rows), kind="parents"), django_capture_on_commit_callbacks
    )
    # Then nobody is merged by a name alone: each child has their own new representative,
    # and the first Сидорова still sees only her own child
    ours = Guardian.objects.filter(guardianships__student__organisation=school.organisation)
    assert ours.filter(last_name="Сидорова").distinct().count() == 2
    assert ours.filter(last_name="Кузнецова").distinct().count() == 2
    assert job.result["created"] == 3
    first_sidorova = ours.get(last_name="Сидорова", phone="+79160000009")
    assert [g.student.first_name for g in first_sidorova.guardianships.all()] == ["Мария"]
