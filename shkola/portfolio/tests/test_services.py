"""Services of the portfolio, given/when/then through their public functions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from shkola.journal.models import FinalMark
from shkola.portfolio import selectors, services
from shkola.portfolio.models import Achievement, Category, Status, StudentChange

from .conftest import jpeg, pdf

pytestmark = pytest.mark.django_db

OLYMPIAD = {
    "name": "ВсОШ по математике",
    "year": "2026/2027",
    "level": "municipal",
    "subject": "Математика",
}


def add_olympiad(world, *, by=None, confirmed=False, rounds=None, uploads=None, student=None):
    return services.achievement_create(
        student=student or world.student,
        by=by or world.parent,
        category=Category.OLYMPIAD,
        data=OLYMPIAD,
        confirmed=confirmed,
        rounds=rounds if rounds is not None else {"school": "1", "municipal": "2"},
        uploads=uploads,
    )


# ---------------------------------------------------------------- card


def test_student_cannot_change_own_name_but_email_is_saved_and_logged(world):
    with pytest.raises(ValidationError) as err:
        services.student_card_update(
            student=world.student,
            by=world.student_user,
            data={"last_name": "Другая", "email": "me@example.org"},
            may_edit_identity=False,
        )
    assert "last_name" in err.value.message_dict

    services.student_card_update(
        student=world.student,
        by=world.student_user,
        data={"email": "me@example.org", "sex": "m"},
        may_edit_identity=False,
    )
    world.student.refresh_from_db()
    assert world.student.email == "me@example.org"
    change = StudentChange.objects.get(student=world.student)
    assert (change.field, change.new_value, change.changed_by) == (
        "email",
        "me@example.org",
        world.student_user,
    )


def test_parent_change_of_identity_is_recorded_with_old_and_new(world):
    old = world.student.last_name
    services.student_card_update(
        student=world.student,
        by=world.parent,
        data={"last_name": "Новикова", "birth_date": dt.date(2013, 6, 1)},
        may_edit_identity=True,
    )
    changes = {c.field: c for c in StudentChange.objects.filter(student=world.student)}
    assert changes["last_name"].old_value == old
    assert changes["last_name"].new_value == "Новикова"
    assert changes["birth_date"].new_value == "01.06.2013"
    assert changes["last_name"].changed_by == world.parent


def test_card_photo_must_be_a_real_image(world):
    fake = SimpleUploadedFile("me.jpg", b"MZ\x90\x00 not an image", "image/jpeg")
    with pytest.raises(ValidationError) as err:
        services.student_card_update(
            student=world.student,
            by=world.parent,
            data={},
            may_edit_identity=True,
            photo=fake,
        )
    assert "photo" in err.value.message_dict
    services.student_card_update(
        student=world.student,
        by=world.parent,
        data={},
        may_edit_identity=True,
        photo=jpeg(),
    )
    world.student.refresh_from_db()
    assert world.student.photo


# ---------------------------------------------------------------- clubs


def test_club_add_edit_delete(world):
    data = {
        "kind": "section",
        "direction": "sport",
        "year": "2026/2027",
        "name": "Самбо",
        "organisation_name": "ДЮСШ №2",
        "teacher_name": "Иванов И. И.",
    }
    club = services.club_create(student=world.student, by=world.parent, data=data)
    services.club_update(club=club, data={**data, "name": "Дзюдо"})
    assert [c.name for c in selectors.clubs_of(world.student)] == ["Дзюдо"]
    services.club_delete(club=club)
    assert selectors.clubs_of(world.student) == []


def test_club_bad_year_names_the_field(world):
    with pytest.raises(ValidationError) as err:
        services.club_create(
            student=world.student,
            by=world.parent,
            data={
                "kind": "club",
                "direction": "art",
                "year": "двадцать",
                "name": "ИЗО",
                "organisation_name": "ДШИ",
            },
        )
    assert "year" in err.value.message_dict


# ---------------------------------------------------------------- achievements and rating


def test_family_entry_is_unconfirmed_and_does_not_count_until_confirmed(world):
    a = add_olympiad(world)
    assert a.status == Status.PENDING
    assert selectors.rating_of(world.student).total == 0

    services.achievement_confirm(achievement=a, by=world.school.class_teacher)
    # Defaults: school round 1st place 10, municipal 2nd place 16.
    assert selectors.rating_of(world.student).total == 26


def test_rejected_needs_a_reason_and_never_counts(world):
    a = add_olympiad(world)
    with pytest.raises(ValidationError) as err:
        services.achievement_reject(achievement=a, by=world.school.class_teacher, reason=" ")
    assert "reason" in err.value.message_dict
    services.achievement_reject(achievement=a, by=world.school.class_teacher, reason="Нет диплома")
    a.refresh_from_db()
    assert (a.status, a.reject_reason) == (Status.REJECTED, "Нет диплома")
    assert selectors.rating_of(world.student).total == 0


def test_changing_the_points_table_changes_the_rating_at_once(world):
    a = add_olympiad(world, confirmed=True, by=world.school.class_teacher, rounds={"regional": "у"})
    assert selectors.rating_of(world.student).total == 8
    services.points_table_save(
        organisation=world.school.organisation,
        values={services.points_key("olympiad", "regional", "у"): "15"},
    )
    rating = selectors.rating_of(world.student)
    assert rating.total == 15
    assert rating.round_sums == [0, 0, 15, 0]  # the column sums follow the table
    assert a.status == Status.CONFIRMED


def test_points_table_rejects_negative_values_and_keeps_the_old_table(world):
    key = services.points_key("olympiad", "school", "1")
    with pytest.raises(ValidationError) as err:
        services.points_table_save(organisation=world.school.organisation, values={key: "-3"})
    assert key in err.value.message_dict
    assert selectors.points_table(world.school.organisation.id)[key] == 10


def test_presence_and_defence_points(world):
    services.achievement_create(
        student=world.student,
        by=world.school.class_teacher,
        category=Category.ELECTIVE,
        data={
            "name": "Финансовая грамотность",
            "year": "2026/2027",
            "present": True,
            "defended": True,
        },
        confirmed=True,
    )
    rating = selectors.rating_of(world.student)
    assert rating.total == 15
    assert rating.presence_sums == [5, 10]


def test_rounds_are_refused_for_a_points_kind(world):
    with pytest.raises(ValidationError) as err:
        services.achievement_create(
            student=world.student,
            by=world.parent,
            category=Category.PROJECT,
            data={"name": "Проект", "year": "2026"},
            confirmed=False,
            rounds={"school": "1"},
        )
    assert "rounds" in err.value.message_dict


def test_class_average_and_section_shares(world):
    add_olympiad(world, confirmed=True, by=world.school.class_teacher, rounds={"school": "1"})
    services.achievement_create(
        student=world.student,
        by=world.school.class_teacher,
        category=Category.SPORT,
        data={"sport_kind": "Лыжи", "name": "Лыжня России", "year": "2026"},
        confirmed=True,
        rounds={"municipal": "у"},
    )
    add_olympiad(
        world,
        student=world.classmate,
        confirmed=True,
        by=world.school.class_teacher,
        rounds={"school": "у"},
    )
    rating = selectors.rating_of(world.student)
    assert rating.total == 14
    # (14 + 2 + 0) / 3 students
    assert rating.class_average == Decimal(16) / 3
    shares = {s.category: s.share for s in rating.sections}
    assert shares["olympiad"] == Decimal(50)
    assert shares["sport"] == Decimal(50)


def test_sport_requires_kind_of_sport(world):
    with pytest.raises(ValidationError) as err:
        services.achievement_create(
            student=world.student,
            by=world.parent,
            category=Category.SPORT,
            data={"name": "Кросс", "year": "2026"},
            confirmed=False,
        )
    assert "sport_kind" in err.value.message_dict


def test_family_edit_of_a_confirmed_entry_sends_it_back_to_unconfirmed(world):
    a = add_olympiad(world, confirmed=True, by=world.school.class_teacher)
    services.achievement_update(
        achievement=a,
        by=world.parent,
        data={**OLYMPIAD, "result": "Призёр"},
        by_reviewer=False,
        rounds={"school": "1", "regional": "1"},
    )
    a.refresh_from_db()
    assert a.status == Status.PENDING
    assert selectors.rating_of(world.student).total == 0


# ---------------------------------------------------------------- files


def test_photo_gets_a_thumbnail_and_any_document_may_be_attached(world):
    a = add_olympiad(
        world,
        uploads=[("cover", jpeg("cover.jpg")), ("photo", jpeg()), ("file", pdf())],
    )
    files = {f.role: f for f in a.files.all()}
    assert files["cover"].is_image and files["cover"].thumbnail
    assert files["file"].content_type == "application/pdf" and not files["file"].thumbnail


def test_a_renamed_executable_is_refused_by_content_not_name(world):
    fake = SimpleUploadedFile("cat.jpg", b"MZ\x90\x00\x03\x00\x00\x00" * 10, "image/jpeg")
    with pytest.raises(ValidationError) as err:
        add_olympiad(world, uploads=[("photo", fake)])
    assert "photos" in err.value.message_dict
    assert not Achievement.objects.exists()  # nothing half-saved


def test_pdf_is_not_a_photo(world):
    with pytest.raises(ValidationError) as err:
        add_olympiad(world, uploads=[("photo", pdf("scan.pdf"))])
    assert "photos" in err.value.message_dict


def test_file_size_limits_come_from_settings(world, settings):
    settings.SHKOLA = {
        **settings.SHKOLA,
        "UPLOAD_MAX_FILE_MB": 1,
        "UPLOAD_MAX_TOTAL_MB": 1,
    }
    big = SimpleUploadedFile("big.txt", b"a" * (1024 * 1024 + 1), "text/plain")
    with pytest.raises(ValidationError) as err:
        add_olympiad(world, uploads=[("file", big)])
    assert "МБ" in err.value.message_dict["files"][0]
    half = b"a" * (600 * 1024)
    with pytest.raises(ValidationError) as err:
        add_olympiad(
            world,
            uploads=[
                ("file", SimpleUploadedFile("a.txt", half)),
                ("file", SimpleUploadedFile("b.txt", half)),
            ],
        )
    assert "вместе" in err.value.message_dict["files"][0]


def test_allowed_types_are_a_setting(world, settings):
    settings.SHKOLA = {**settings.SHKOLA, "UPLOAD_ALLOWED_TYPES": ["image/jpeg"]}
    with pytest.raises(ValidationError):
        add_olympiad(world, uploads=[("file", pdf())])


# ---------------------------------------------------------------- diagnostics, testing


def test_diagnostic_with_tasks(world):
    d = services.diagnostic_create(
        student=world.student,
        by=world.school.teacher,
        kind="vpr",
        subject=world.school.subject,
        date=dt.date(2026, 9, 20),
        score="12",
        max_score="20",
        mark="4",
        tasks=services.parse_tasks("1.1:2.3:1:1 | 1.2:2.4:0:2"),
    )
    assert d.percent == 60.0
    assert d.tasks[1] == {
        "number": 2,
        "kes": "1.2",
        "kt": "2.4",
        "score": 0.0,
        "max": 2.0,
    }


def test_diagnostic_score_above_max_is_refused(world):
    with pytest.raises(ValidationError) as err:
        services.diagnostic_create(
            student=world.student,
            by=world.school.teacher,
            kind="niko",
            subject=world.school.subject,
            date=dt.date(2026, 9, 20),
            score="25",
            max_score="20",
        )
    assert "score" in err.value.message_dict


def test_import_reports_every_bad_row_and_saves_nothing(world):
    s = world.student
    text = (
        "снилс;фамилия;имя;класс;вид;предмет;дата;балл;максимум;отметка;задания\n"
        f"{s.snils};;;;ВПР;Математика;20.09.2026;15;20;4;1.1:1:1:1|1.2:2:0:1\n"
        ";Несуществующий;Ученик;7А;ВПР;Математика;20.09.2026;15;20;4;\n"
        f"{s.snils};;;;ОГЭ;Математика;20.09.2026;15;20;4;\n"
        f"{s.snils};;;;НИКО;Физика;32.09.2026;15;20;4;\n"
    )
    report = services.diagnostics_import(
        organisation=world.school.organisation, by=world.school.curator, text=text
    )
    assert [line for line, _m in report.errors] == [3, 4, 5, 5]
    assert "не найден" in report.errors[0][1]
    assert "ОГЭ" in report.errors[1][1]
    assert "«предмет»" in report.errors[2][1] and "«дата»" in report.errors[3][1]
    assert not s.diagnostics.exists()


def test_import_finds_students_by_name_and_class(world):
    s = world.student
    text = (
        "фамилия,имя,класс,вид,предмет,дата,балл,максимум,отметка,задания\n"
        f"{s.last_name},{s.first_name},7А,региональная,Математика,01.10.2026,7,10,4,\n"
    )
    report = services.diagnostics_import(
        organisation=world.school.organisation, by=world.school.curator, text=text
    )
    assert report.ok and report.created == 1
    assert s.diagnostics.get().kind == "regional"


def test_testing_result(world):
    r = services.testing_result_create(
        student=world.student,
        by=world.school.teacher,
        topic="Дроби",
        date=dt.date(2026, 10, 1),
        subject=world.school.subject,
        score="8",
        max_score="10",
        duration_minutes=25,
        kes_codes="1.1, 1.2",
        kt_codes="2.1",
    )
    assert (r.grade, r.percent, r.teacher) == (7, 80.0, world.school.teacher)
    with pytest.raises(ValidationError) as err:
        services.testing_result_create(
            student=world.student,
            by=world.school.teacher,
            topic="",
            date=dt.date(2026, 10, 1),
            subject=world.school.subject,
            score="8",
            max_score="10",
            duration_minutes=0,
        )
    assert {"topic", "duration_minutes"} <= set(err.value.message_dict)


# ---------------------------------------------------------------- journal reads


def test_attestation_rates_are_the_class_shares_of_students(world):
    # ENGINEERING.md: quality and success are shares of STUDENTS, so the student's page shows
    # the class's rates in each subject (each classmate's result: final, else annual, else
    # the latest period mark), and for the year the class's over all subjects.
    school = world.school
    from shkola.schools.models import Subject

    russian = Subject.objects.create(organisation=school.organisation, name="Русский язык")
    for subject, values, year_mark in (
        (school.subject, "5545", "5"),
        (russian, "3433", "3"),
    ):
        for period, value in zip(school.periods, values, strict=True):
            FinalMark.objects.create(
                student=world.student,
                subject=subject,
                academic_year=school.year,
                kind="period",
                period=period,
                value=value,
            )
        FinalMark.objects.create(
            student=world.student,
            subject=subject,
            academic_year=school.year,
            kind="year",
            value=year_mark,
        )
    # The classmate: «4» in mathematics (latest period mark, no annual yet), «2» in Russian;
    # the third student is exempt from Russian and has nothing else.
    FinalMark.objects.create(
        student=world.classmate,
        subject=school.subject,
        academic_year=school.year,
        kind="period",
        period=school.periods[1],
        value="4",
    )
    FinalMark.objects.create(
        student=world.classmate,
        subject=russian,
        academic_year=school.year,
        kind="year",
        value="2",
    )
    FinalMark.objects.create(
        student=school.students[2],
        subject=russian,
        academic_year=school.year,
        kind="year",
        value="осв",
    )
    [year] = selectors.attestation_of(world.student)
    assert year.period_numbers == [1, 2, 3, 4]
    rows = {r.subject: r for r in year.rows}
    assert rows["Математика"].periods == ["5", "5", "4", "5"]
    assert (rows["Математика"].quality, rows["Математика"].success) == (100, 100)  # 5 and 4
    assert (rows["Русский язык"].quality, rows["Русский язык"].success) == (0, 50)  # 3, 2, осв
    # The year: the student has 5 and 3 (success), the classmate 4 and 2 (neither).
    assert (year.quality, year.success) == (Decimal(0), Decimal(50))


HEADER = "снилс;фамилия;имя;класс;вид;предмет;дата;балл;максимум;отметка;задания\n"


def test_importing_the_same_file_again_updates_instead_of_duplicating(world):
    s, other = world.student, world.classmate
    first = (
        HEADER
        + f"{s.snils};;;;ВПР;Математика;20.09.2026;15;20;4;1.1:1:1:1|1.2:2:0:1\n"
        + f"{other.snils};;;;НИКО;Математика;21.09.2026;9;10;5;\n"
    )
    org, curator = world.school.organisation, world.school.curator
    report = services.diagnostics_import(organisation=org, by=curator, text=first)
    assert (report.ok, report.created, report.updated) == (True, 2, 0)

    corrected = first.replace(";15;20;4;1.1:1:1:1|1.2:2:0:1", ";17;20;5;1.1:1:1:1|1.2:2:1:1")
    report = services.diagnostics_import(organisation=org, by=curator, text=corrected)

    assert (report.ok, report.created, report.updated) == (True, 0, 2)
    assert s.diagnostics.count() == 1 and other.diagnostics.count() == 1
    d = s.diagnostics.get()
    assert (d.score, d.mark) == (Decimal("17"), "5")
    assert [t["score"] for t in d.tasks] == [1.0, 1.0]


def test_import_refuses_a_file_repeating_a_result(world):
    s = world.student
    row = f"{s.snils};;;;ВПР;Математика;20.09.2026;15;20;4;\n"
    report = services.diagnostics_import(
        organisation=world.school.organisation, by=world.school.curator, text=HEADER + row + row
    )
    assert report.errors == [
        (3, "повторяет строку 2: тот же обучающийся, вид, предмет и дата — оставьте одну из них.")
    ]
    assert not s.diagnostics.exists()


def test_import_errors_name_the_row_and_the_column_and_save_nothing(world):
    s = world.student
    text = (
        HEADER
        + f"{s.snils};;;;ВПР;Математика;20.09.2026;15;20;4;\n"
        + f"{s.snils};;;;НИКО;Математика;20.09.2026;25;20;4;\n"
        + f"{s.snils};;;;НИКО;Математика;2026-09-21;5;20;4;\n"
        + f"{s.snils};;;;НИКО;Математика;22.09.2026;5;20;4;1.1:1:1\n"
    )
    report = services.diagnostics_import(
        organisation=world.school.organisation, by=world.school.curator, text=text
    )
    assert report.errors == [
        (3, "столбец «балл»: «Балл» не может быть больше максимального."),
        (4, "столбец «дата»: «2026-09-21» — ожидается дата ДД.ММ.ГГГГ."),
        (
            5,
            "столбец «задания»: Задание 1: ожидается «КЭС:КТ:балл:максимум», получено «1.1:1:1».",
        ),
    ]
    assert not s.diagnostics.exists()


def test_import_with_a_wrong_header_names_the_missing_and_unknown_columns(world):
    text = "фамилия;имя;класс;вид;предмет;дата;бал;максимум\nА;Б;7А;ВПР;Математика;20.09.2026;1;2\n"
    report = services.diagnostics_import(
        organisation=world.school.organisation, by=world.school.curator, text=text
    )
    assert report.errors == [(1, "в заголовке нет столбцов: «балл». Неизвестные столбцы: «бал».")]
