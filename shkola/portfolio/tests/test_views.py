"""The portfolio over HTTP: what each person sees and may do."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from shkola.accounts.models import Role, RoleAssignment
from shkola.core.testing.factories import UserFactory, guardian_of, make_school, valid_snils
from shkola.portfolio import selectors, services
from shkola.portfolio.models import Achievement, AchievementFile, Category, Status
from shkola.schools.models import Student

from .conftest import jpeg, pdf

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"portfolio:{name}", kwargs=kwargs)


def olympiad_post(**extra):
    return {
        "work_type": "Индивидуальная",
        "work_kind": "Предметная олимпиада",
        "level": "municipal",
        "subject": "Математика",
        "year": "2026/2027",
        "name": "ВсОШ по математике",
        "result": "Призёр",
        "teacher_name": "Петрова А. А.",
        "comment": "",
        "round_school": "1",
        "round_municipal": "2",
        **extra,
    }


def test_parent_adds_an_olympiad_with_a_photo_teacher_confirms_rating_rises(client, world):
    client.force_login(world.parent)
    response = client.post(
        url("achievement_add", student_id=world.student.id, category="olympiad"),
        {**olympiad_post(), "photos": [jpeg()]},
    )
    assert response.status_code == 302
    page = client.get(url("olympiads", student_id=world.student.id)).content.decode()
    assert "ВсОШ по математике" in page and "н/п" in page
    rating = client.get(url("rating", student_id=world.student.id))
    assert rating.context["rating"].total == 0

    client.force_login(world.school.class_teacher)
    queue = client.get(url("queue"))
    assert "ВсОШ по математике" in queue.content.decode()
    achievement = Achievement.objects.get()
    client.post(url("achievement_confirm", achievement_id=achievement.id))
    assert Achievement.objects.get().status == Status.CONFIRMED
    assert client.get(url("queue")).context["achievements"] == []

    client.force_login(world.parent)
    rating = client.get(url("rating", student_id=world.student.id))
    assert rating.context["rating"].total == 26
    assert 'id="rating-total">26<' in rating.content.decode()


def test_a_rejected_upload_says_why_and_keeps_the_other_fields(client, world):
    client.force_login(world.parent)
    fake = jpeg()
    fake.file.seek(0)
    from django.core.files.uploadedfile import SimpleUploadedFile

    broken = SimpleUploadedFile("photo.jpg", b"<?php echo 1; ?>", "image/jpeg")
    response = client.post(
        url("achievement_add", student_id=world.student.id, category="olympiad"),
        {**olympiad_post(), "photos": [broken]},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "назван как картинка" in html
    assert 'value="ВсОШ по математике"' in html and 'value="Петрова А. А."' in html
    assert not Achievement.objects.exists()


def test_another_family_and_an_official_get_404(client, world):
    other_parent = guardian_of(world.classmate)
    official = UserFactory()
    RoleAssignment.objects.create(
        user=official,
        role=Role.MUNICIPAL,
        territory=world.school.organisation.territory,
    )
    a = services.achievement_create(
        student=world.student,
        by=world.parent,
        category=Category.OLYMPIAD,
        data={"name": "Олимпиада", "year": "2026"},
        confirmed=False,
        uploads=[("file", pdf())],
    )
    f = a.files.get()
    for user in (other_parent, official):
        client.force_login(user)
        for name in (
            "card",
            "rating",
            "clubs",
            "interests",
            "olympiads",
            "control",
            "attestation",
            "testing",
        ):
            assert client.get(url(name, student_id=world.student.id)).status_code == 404, name
        assert client.get(url("file", file_id=f.id)).status_code == 404
        assert client.get(url("achievement_edit", achievement_id=a.id)).status_code == 404
        assert client.post(url("achievement_confirm", achievement_id=a.id)).status_code == 404


def test_another_school_is_404_for_its_staff(client, world):
    other = make_school(n_students=1)
    client.force_login(other.curator)
    assert client.get(url("card", student_id=world.student.id)).status_code == 404
    assert client.get(url("points")).status_code == 200  # their own table
    client.force_login(other.class_teacher)
    a = services.achievement_create(
        student=world.student,
        by=world.parent,
        category=Category.CONTEST,
        data={"name": "Конкурс", "year": "2026"},
        confirmed=False,
    )
    assert client.post(url("achievement_confirm", achievement_id=a.id)).status_code == 404
    assert "Конкурс" not in client.get(url("queue")).content.decode()


def test_files_are_served_only_through_the_checked_view(client, world):
    a = services.achievement_create(
        student=world.student,
        by=world.parent,
        category=Category.CREATIVITY,
        data={"name": "Рисунок", "year": "2026"},
        confirmed=False,
        uploads=[("cover", jpeg("cover.jpg")), ("file", pdf())],
    )
    cover = a.files.get(role="cover")
    doc = a.files.get(role="file")
    client.force_login(world.student_user)
    response = client.get(url("file", file_id=cover.id) + "?thumb=1")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    download = client.get(url("file", file_id=doc.id) + "?download=1")
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert "sandbox" in download["Content-Security-Policy"]
    assert client.get("/media-not-public/" + doc.file.name).status_code == 404


def test_card_photo_is_served_to_the_family_only(client, world):
    from shkola.core.testing.factories import guardian_of

    client.force_login(world.parent)
    client.post(
        url("card_edit", student_id=world.student.id),
        {
            "last_name": world.student.last_name,
            "first_name": world.student.first_name,
            "birth_date": "2013-05-17",
            "sex": "m",
            "photo": jpeg("me.png", color="blue"),
        },
    )
    response = client.get(url("student_photo", student_id=world.student.id))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    client.force_login(guardian_of(world.classmate))
    assert client.get(url("student_photo", student_id=world.student.id)).status_code == 404


def test_student_cannot_change_name_but_can_change_email(client, world):
    client.force_login(world.student_user)
    old = world.student.last_name
    response = client.post(
        url("card_edit", student_id=world.student.id),
        {
            "last_name": "Хакеров",
            "first_name": world.student.first_name,
            "middle_name": "",
            "birth_date": "2013-05-17",
            "email": "me@example.org",
            "sex": "m",
        },
    )
    assert response.status_code == 302
    world.student.refresh_from_db()
    assert world.student.last_name == old
    assert world.student.email == "me@example.org"


def test_parent_renames_child_and_the_card_shows_the_history(client, world):
    client.force_login(world.parent)
    response = client.post(
        url("card_edit", student_id=world.student.id),
        {
            "last_name": "Новикова",
            "first_name": world.student.first_name,
            "middle_name": "",
            "birth_date": "2013-05-17",
            "email": "",
            "sex": "f",
        },
    )
    assert response.status_code == 302
    card = client.get(url("card", student_id=world.student.id)).content.decode()
    assert "Новикова" in card and "Изменения сведений" in card


def test_card_shows_parents_and_history_tables(client, world):
    client.force_login(world.parent)
    html = client.get(url("card", student_id=world.student.id)).content.decode()
    assert "История обучения" in html and "Зачисление" in html and "1-у" in html
    assert "+79161234567" in html and "Закрыть" in html


def test_teacher_cannot_edit_the_card_but_class_teacher_can(client, world):
    client.force_login(world.school.teacher)
    assert client.get(url("card", student_id=world.student.id)).status_code == 200
    assert client.get(url("card_edit", student_id=world.student.id)).status_code == 404
    client.force_login(world.school.class_teacher)
    assert client.get(url("card_edit", student_id=world.student.id)).status_code == 200


def test_club_crud_over_http(client, world):
    client.force_login(world.parent)
    data = {
        "kind": "section",
        "direction": "sport",
        "year": "2026/2027",
        "name": "Самбо",
        "organisation_name": "ДЮСШ",
        "teacher_name": "Иванов",
    }
    assert client.post(url("club_add", student_id=world.student.id), data).status_code == 302
    club = world.student.portfolio_clubs.get()
    client.post(
        url("club_edit", student_id=world.student.id, club_id=club.id),
        {**data, "name": "Дзюдо"},
    )
    assert "Дзюдо" in client.get(url("clubs", student_id=world.student.id)).content.decode()
    client.post(url("club_delete", student_id=world.student.id, club_id=club.id))
    assert not world.student.portfolio_clubs.exists()


def test_points_page_changes_the_rating(client, world):
    services.achievement_create(
        student=world.student,
        by=world.school.class_teacher,
        category=Category.OLYMPIAD,
        data={"name": "ВсОШ", "year": "2026"},
        confirmed=True,
        rounds={"school": "1"},
    )
    client.force_login(world.school.teacher)
    assert client.get(url("points")).status_code == 404
    client.force_login(world.school.curator)
    page = client.get(url("points"))
    assert 'name="olympiad:school:1:" value="10"' in page.content.decode()
    bad = client.post(url("points"), {"olympiad:school:1:": "abc"})
    assert "is-invalid" in bad.content.decode()
    client.post(url("points"), {"olympiad:school:1:": "33"})
    assert selectors.rating_of(world.student).total == 33


def test_import_page_reports_rows(client, world):
    client.force_login(world.school.curator)
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv_bad = "фамилия;имя;класс;вид;предмет;дата;балл;максимум\nНет;Такого;7А;ВПР;Математика;01.10.2026;1;2\n"
    response = client.post(
        url("diagnostics_import"),
        {"file": SimpleUploadedFile("d.csv", csv_bad.encode())},
    )
    assert "Строка 2" in response.content.decode()
    s = world.student
    csv_ok = f"фамилия;имя;класс;вид;предмет;дата;балл;максимум\n{s.last_name};{s.first_name};7А;НИКО;Математика;01.10.2026;1;2\n"
    client.post(
        url("diagnostics_import"),
        {"file": SimpleUploadedFile("d.csv", csv_ok.encode("cp1251"))},
    )
    assert s.diagnostics.count() == 1
    client.force_login(world.parent)
    assert client.get(url("diagnostics_import")).status_code == 404


def test_teacher_adds_diagnostic_and_testing(client, world):
    client.force_login(world.school.teacher)
    r = client.post(
        url("diagnostic_add", student_id=world.student.id),
        {
            "kind": "vpr",
            "subject": world.school.subject.id,
            "date": "2026-09-20",
            "score": "15",
            "max_score": "20",
            "mark": "4",
            "tasks": "1.1:2.1:1:1 | 1.2:2.2:0:1",
        },
    )
    assert r.status_code == 302
    assert (
        "1.2"
        in client.get(url("control", student_id=world.student.id) + "?tab=vpr").content.decode()
    )
    r = client.post(
        url("testing_add", student_id=world.student.id),
        {
            "topic": "Дроби",
            "date": "2026-09-21",
            "subject": world.school.subject.id,
            "score": "8",
            "max_score": "10",
            "duration_minutes": "20",
            "kes_codes": "1.1",
            "kt_codes": "2.2",
        },
    )
    assert r.status_code == 302
    assert "80%" in client.get(url("testing", student_id=world.student.id)).content.decode()
    client.force_login(world.parent)
    assert client.get(url("testing_add", student_id=world.student.id)).status_code == 404


def test_menu_entry_takes_the_parent_to_the_chosen_child(client, world):
    client.force_login(world.parent)
    response = client.get(url("mine"))
    assert response.status_code == 302 and response["Location"] == url(
        "card", student_id=world.student.id
    )
    home = client.get("/").content.decode()
    assert url("mine") in home
    client.force_login(world.school.class_teacher)
    assert url("queue") in client.get("/").content.decode()


# ---------------------------------------------------------------- query budgets


def _fill(world, n):
    for i in range(n):
        services.achievement_create(
            student=world.student,
            by=world.parent,
            category=Category.OLYMPIAD if i % 2 else Category.CREATIVITY,
            data={"name": f"Работа {i}", "year": "2026", "level": "school"},
            confirmed=bool(i % 3),
            rounds={"school": "1", "regional": "у"} if i % 2 else None,
            uploads=[("cover", jpeg("c.jpg", (40, 40))), ("file", pdf())],
        )
        services.club_create(
            student=world.student,
            by=world.parent,
            data={
                "kind": "club",
                "direction": "art",
                "year": "2026",
                "name": f"Кружок {i}",
                "organisation_name": "ДДТ",
            },
        )
        services.diagnostic_create(
            student=world.student,
            by=world.school.teacher,
            kind="regional",
            subject=world.school.subject,
            date=dt.date(2026, 9, 10 + i),
            score=5,
            max_score=10,
            tasks=[{"score": 1, "max": 1}],
        )
        services.testing_result_create(
            student=world.student,
            by=world.school.teacher,
            topic=f"Тема {i}",
            date=dt.date(2026, 9, 10 + i),
            subject=world.school.subject,
            score=5,
            max_score=10,
            duration_minutes=10,
        )
        services.achievement_create(
            student=world.classmate,
            by=world.parent,
            category=Category.OLYMPIAD,
            data={"name": f"Чужая {i}", "year": "2026"},
            confirmed=True,
            rounds={"school": "2"},
        )


PAGES = [
    ("card", 11),
    ("rating", 19),
    ("clubs", 9),
    ("interests", 12),
    ("olympiads", 12),
    ("control", 18),
    ("attestation", 9),
    ("testing", 9),
]


@pytest.mark.parametrize(("name", "budget"), PAGES)
def test_query_budget_does_not_grow_with_data(
    client, world, django_assert_max_num_queries, name, budget
):
    _fill(world, 6)
    client.force_login(world.parent)
    # The first request of a session also writes the session and its "last seen" mark.
    client.get(url(name, student_id=world.student.id))
    with django_assert_max_num_queries(budget):
        assert client.get(url(name, student_id=world.student.id)).status_code == 200


def test_queue_query_budget(client, world, django_assert_max_num_queries):
    _fill(world, 6)
    client.force_login(world.school.class_teacher)
    client.get(url("queue"))
    with django_assert_max_num_queries(19):
        response = client.get(url("queue"))
    # Works 0 and 3 of the student are unconfirmed (i % 3 == 0); the classmate's are confirmed.
    assert len(response.context["achievements"]) == 2
    assert AchievementFile.objects.count() == 12


def test_teacher_entry_counts_at_once_and_family_sees_it_confirmed(client, world):
    client.force_login(world.school.teacher)
    response = client.post(
        url("achievement_add", student_id=world.student.id, category="olympiad"),
        olympiad_post(),
    )
    assert response.status_code == 302
    assert Achievement.objects.get().status == Status.CONFIRMED
    client.force_login(world.parent)
    assert client.get(url("rating", student_id=world.student.id)).context["rating"].total == 26


def test_points_and_import_pages_query_budget(client, world, django_assert_max_num_queries):
    _fill(world, 4)
    client.force_login(world.school.curator)
    client.get(url("points"))
    # (+1: the unread-messages counter in the top bar)
    with django_assert_max_num_queries(11):
        assert client.get(url("points")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(url("diagnostics_import")).status_code == 200


def test_round_cell_is_set_in_place_and_a_family_change_needs_confirmation_again(client, world):
    a = services.achievement_create(
        student=world.student,
        by=world.school.class_teacher,
        category=Category.OLYMPIAD,
        data={"name": "ВсОШ", "year": "2026"},
        confirmed=True,
        rounds={"school": "1"},
    )
    client.force_login(world.school.class_teacher)
    response = client.post(
        url("round_set", achievement_id=a.id),
        {"stage": "municipal", "place": "2"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'id="rating-total">26<' in html  # 10 + 16, still confirmed
    client.force_login(world.parent)
    client.post(url("round_set", achievement_id=a.id), {"stage": "regional", "place": "у"})
    a.refresh_from_db()
    assert a.status == Status.PENDING
    assert {r.stage: r.place for r in a.rounds.all()} == {
        "school": "1",
        "municipal": "2",
        "regional": "у",
    }
    response = client.post(
        url("round_set", achievement_id=a.id), {"stage": "regional", "place": ""}
    )
    assert response.status_code == 302
    assert not a.rounds.filter(stage="regional").exists()
    bad = client.post(
        url("round_set", achievement_id=a.id), {"stage": "school", "place": "7"}, follow=True
    )
    assert "Место: 1, 2, 3" in bad.content.decode()


def test_queue_lists_the_students_a_teacher_works_with(client, world):
    other = make_school(n_students=1)
    client.force_login(world.school.teacher)
    names = [s.id for s in client.get(url("queue")).context["students"]]
    assert set(names) == {s.id for s in world.school.students}
    assert other.students[0].id not in names


def test_averages_and_test_marks_come_from_the_journal(client, monkeypatch, db):
    from shkola.journal.models import Mark
    from shkola.timetable.models import Lesson

    monkeypatch.setenv("SHKOLA_TODAY", "2026-10-20")
    school = make_school(n_students=1, generate_lessons_until=dt.date(2026, 10, 20))
    student = school.students[0]
    parent = guardian_of(student)
    lessons = list(Lesson.objects.filter(class_unit=school.class_unit).order_by("date")[:3])
    test_form = school.control_forms["Контрольная работа"]
    for lesson, value, form in zip(lessons, "543", (test_form, None, None), strict=True):
        Mark.objects.create(
            student=student,
            lesson=lesson,
            value=value,
            points=int(value),
            weight=form.weight if form else 1,
            control_form=form,
        )
    client.force_login(parent)
    rating = client.get(url("rating", student_id=student.id))
    assert [(a.subject, round(a.average, 3)) for a in rating.context["rating"].academic] == [
        ("Математика", Decimal("4.571"))
    ]
    assert "4,57" in rating.content.decode()
    control = client.get(url("control", student_id=student.id)).context["control"]
    assert [(m["subject"], m["value"]) for m in control.test_marks] == [("Математика", "5")]
    # The chart counts the test marks per subject: one «5» in mathematics.
    assert control.tests_chart == {
        "labels": ["Математика"],
        "series": [
            {"label": "5", "data": [1]},
            {"label": "4", "data": [0]},
            {"label": "3", "data": [0]},
            {"label": "2", "data": [0]},
        ],
    }


IMPORT_HEADER = "снилс;фамилия;имя;класс;вид;предмет;дата;балл;максимум;отметка;задания\n"


def import_file(client, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        url("diagnostics_import"), {"file": SimpleUploadedFile("d.csv", text.encode())}
    )


def test_reimporting_a_file_updates_its_results_and_says_so(client, world):
    s = world.student
    text = IMPORT_HEADER + f"{s.snils};;;;ВПР;Математика;20.09.2026;15;20;4;\n"
    client.force_login(world.school.curator)

    first = import_file(client, text).content.decode()
    second = import_file(client, text.replace(";15;20;4;", ";16;20;4;")).content.decode()

    assert "добавлено результатов — 1, обновлено — 0" in first
    assert "добавлено результатов — 0, обновлено — 1" in second
    assert s.diagnostics.count() == 1
    assert s.diagnostics.get().score == Decimal("16")


def test_per_task_kes_and_kt_from_the_file_show_on_the_control_page(client, world):
    s = world.student
    text = (
        IMPORT_HEADER
        + f"{s.snils};;;;ВПР;Математика;20.09.2026;3;4;4;1.1.7:2.3.4:1:1|3.2.1:4.5.6:2:3\n"
        + f"{s.snils};;;;НИКО;Математика;21.09.2026;1;2;;8.8.8:9.9.9:1:2\n"
    )
    client.force_login(world.school.curator)
    assert "обновлено — 0" in import_file(client, text).content.decode()

    client.force_login(world.parent)
    vpr = client.get(url("control", student_id=s.id) + "?tab=vpr").content.decode()
    niko = client.get(url("control", student_id=s.id) + "?tab=niko").content.decode()

    for code in ("<td>1.1.7</td><td>2.3.4</td>", "<td>3.2.1</td><td>4.5.6</td>", "2 / 3"):
        assert code in vpr
    assert "8.8.8" not in vpr
    assert "<td>8.8.8</td><td>9.9.9</td>" in niko


def test_a_teacher_imports_only_for_the_classes_they_teach_or_lead(client, world):
    school = world.school
    _class_b, (pupil_b, *_rest) = school.add_class(7, "Б")
    text = (
        IMPORT_HEADER
        + f"{world.student.snils};;;;ВПР;Математика;20.09.2026;15;20;4;\n"
        + f";{pupil_b.last_name};{pupil_b.first_name};7Б;ВПР;Математика;20.09.2026;10;20;3;\n"
    )
    for teacher in (school.teacher, school.class_teacher):
        client.force_login(teacher)

        page = import_file(client, text).content.decode()

        assert "Файл не загружен" in page
        assert (
            "Строка 3: столбец «снилс / фамилия, имя, класс»: обучающийся "
            f"«{pupil_b.last_name} {pupil_b.first_name}», класс «7Б» не найден среди ваших "
            "обучающихся" in page
        )
        assert "Строка 2" not in page
        assert not world.student.diagnostics.exists() and not pupil_b.diagnostics.exists()

    # Their own class alone is loaded.
    client.force_login(school.teacher)
    ok = import_file(client, text.splitlines(keepends=True)[0] + text.splitlines()[1] + "\n")
    assert "добавлено результатов — 1" in ok.content.decode()


def test_a_teacher_cannot_tell_a_snils_of_another_class_from_one_that_does_not_exist(client, world):
    # Given a student of 7Б, a class the teacher does not teach, and a СНИЛС nobody has
    _class_b, (pupil_b, *_rest) = world.school.add_class(7, "Б")
    elsewhere, nowhere = pupil_b.snils, valid_snils(987654321)
    assert not Student.objects.filter(snils=nowhere).exists()
    row = "{};;;;ВПР;Математика;20.09.2026;10;20;3;\n"
    client.force_login(world.school.teacher)

    # When the teacher loads a file with each of them
    pages = [
        import_file(client, IMPORT_HEADER + row.format(snils)).content.decode()
        for snils in (elsewhere, nowhere)
    ]

    # Then both get the same answer, apart from the СНИЛС they typed themselves
    answers = [
        re.search(r"Строка 2: ([^<]*)", page)[1].replace(snils, "…")  # type: ignore[index]
        for page, snils in zip(pages, (elsewhere, nowhere), strict=True)
    ]
    assert answers[0] == answers[1]
    assert "не найден среди ваших обучающихся" in answers[0]
    assert pupil_b.last_name not in pages[0] and "не из ваших классов" not in pages[0]
    assert not pupil_b.diagnostics.exists()


def test_the_administration_imports_for_the_whole_school(client, world):
    _class_b, (pupil_b, *_rest) = world.school.add_class(7, "Б")
    text = (
        IMPORT_HEADER
        + f"{world.student.snils};;;;ВПР;Математика;20.09.2026;15;20;4;\n"
        + f"{pupil_b.snils};;;;ВПР;Математика;20.09.2026;10;20;3;\n"
    )
    client.force_login(world.school.curator)
    assert "добавлено результатов — 2" in import_file(client, text).content.decode()


def test_a_teacher_of_a_mixed_group_imports_for_its_members_only(client, world):
    from shkola.core.testing.factories import staff
    from shkola.schools.models import StudyGroup
    from shkola.timetable import services as tt

    school = world.school
    _class_b, (in_group, outside, _rest) = school.add_class(7, "Б")
    group = StudyGroup.objects.create(
        organisation=school.organisation,
        academic_year=school.year,
        kind=StudyGroup.Kind.EXTRA,
        name="Юный математик",
        subject=school.subject,
    )
    group.students.set([in_group])
    teacher = staff(school.organisation, Role.TEACHER)
    tt.timetable_entry_create(
        academic_year=school.year,
        weekday=2,
        lesson_number=3,
        subject=school.subject,
        teacher=teacher,
        group=group,
    )
    client.force_login(teacher)
    row = "{};;;;ВПР;Математика;20.09.2026;10;20;3;\n"

    refused = import_file(client, IMPORT_HEADER + row.format(outside.snils)).content.decode()
    loaded = import_file(client, IMPORT_HEADER + row.format(in_group.snils)).content.decode()

    assert "Строка 2" in refused and "не найден среди ваших обучающихся" in refused
    assert "добавлено результатов — 1" in loaded
    assert not outside.diagnostics.exists() and in_group.diagnostics.count() == 1


def _confirmed_with_files(world):
    a = services.achievement_create(
        student=world.student,
        by=world.parent,
        category=Category.CREATIVITY,
        data={"name": "Рисунок", "year": "2026"},
        confirmed=False,
        uploads=[("file", pdf())],
    )
    teacher = world.school.teacher
    services.achievement_confirm(achievement=a, by=teacher)
    return a


def test_a_family_deleting_a_file_sends_a_confirmed_achievement_back_to_pending(client, world):
    a = _confirmed_with_files(world)
    record = a.files.get()
    client.force_login(world.parent)

    client.post(url("file_delete", file_id=record.id))

    a.refresh_from_db()
    assert not a.files.exists()
    assert a.status == Status.PENDING and a.reviewed_by is None
    assert "н/п" in client.get(url("interests", student_id=world.student.id)).content.decode()


def test_a_family_adding_a_file_sends_a_confirmed_achievement_back_to_pending(client, world):
    a = _confirmed_with_files(world)
    client.force_login(world.parent)

    response = client.post(
        url("achievement_edit", achievement_id=a.id),
        {"name": "Рисунок", "year": "2026", "files": pdf("second.pdf")},
    )

    assert response.status_code == 302
    a.refresh_from_db()
    assert a.files.count() == 2
    assert a.status == Status.PENDING and a.reviewed_by is None


def test_a_teacher_deleting_a_file_keeps_the_confirmation(client, world):
    a = _confirmed_with_files(world)
    client.force_login(world.school.teacher)

    client.post(url("file_delete", file_id=a.files.get().id))

    a.refresh_from_db()
    assert not a.files.exists() and a.status == Status.CONFIRMED


@pytest.mark.parametrize("thing", ["achievement", "file", "club"])
def test_deleting_asks_first_and_only_the_post_deletes(client, world, thing):
    a = _confirmed_with_files(world)
    club = services.club_create(
        student=world.student,
        by=world.parent,
        data={
            "kind": "section",
            "direction": "sport",
            "name": "Самбо",
            "year": "2026",
            "organisation_name": "ДЮСШ",
        },
    )
    target = {
        "achievement": (url("achievement_delete", achievement_id=a.id), "достижение «Рисунок»"),
        "file": (url("file_delete", file_id=a.files.get().id), "файл «diploma.pdf»"),
        "club": (
            url("club_delete", student_id=world.student.id, club_id=club.id),
            "запись о секции «Самбо»",
        ),
    }[thing]
    exists = {
        "achievement": lambda: Achievement.objects.filter(pk=a.pk).exists(),
        "file": lambda: AchievementFile.objects.filter(achievement=a).exists(),
        "club": lambda: world.student.portfolio_clubs.exists(),
    }[thing]
    client.force_login(world.parent)

    confirm = client.get(target[0])
    assert confirm.status_code == 200
    assert f"Удалить {target[1]}?" in confirm.content.decode()
    assert "Это действие нельзя отменить." in confirm.content.decode()
    assert exists()

    assert client.post(target[0]).status_code == 302
    assert not exists()


def _token(client, page_url):
    import re

    found = re.search(r'name="form_token" value="([^"]+)"', client.get(page_url).content.decode())
    assert found, "the form carries no one-time token"
    return found.group(1)


def test_an_achievement_sent_twice_is_added_once(client, world):
    client.force_login(world.parent)
    add = url("achievement_add", student_id=world.student.id, category=Category.CREATIVITY)
    data = {"name": "Дважды нажатый", "year": "2026", "form_token": _token(client, add)}

    first = client.post(add, data)
    second = client.post(add, data)

    assert Achievement.objects.filter(name="Дважды нажатый").count() == 1
    assert second.status_code == 302 and second["Location"] == first["Location"]


def test_a_club_sent_twice_is_added_once(client, world):
    client.force_login(world.parent)
    add = url("club_add", student_id=world.student.id)
    data = {
        "kind": "section",
        "direction": "sport",
        "name": "Плавание",
        "year": "2026",
        "organisation_name": "Бассейн",
        "form_token": _token(client, add),
    }

    client.post(add, data)
    client.post(add, data)

    assert world.student.portfolio_clubs.filter(name="Плавание").count() == 1


def test_a_testing_result_sent_twice_is_saved_once(client, world):
    from shkola.portfolio.models import TestingResult

    client.force_login(world.school.teacher)
    add = url("testing_add", student_id=world.student.id)
    token = _token(client, add)
    data = {
        "date": "2026-10-05",
        "subject": world.school.subject.id,
        "topic": "Дроби",
        "score": "8",
        "max_score": "10",
        "duration_minutes": "40",
        "form_token": token,
    }

    first = client.post(add, data)
    client.post(add, data)

    assert first.status_code == 302, first.content.decode()[:2000]
    assert TestingResult.objects.filter(student=world.student).count() == 1


def test_a_diagnostic_result_sent_twice_is_saved_once(client, world):
    from shkola.portfolio.models import Diagnostic

    client.force_login(world.school.teacher)
    add = url("diagnostic_add", student_id=world.student.id)
    data = {
        "kind": "vpr",
        "subject": world.school.subject.id,
        "date": "2026-09-20",
        "score": "15",
        "max_score": "20",
        "mark": "4",
        "tasks": "",
        "form_token": _token(client, add),
    }

    first = client.post(add, data)
    second = client.post(add, data)

    assert first.status_code == 302 and second["Location"] == first["Location"]
    assert Diagnostic.objects.filter(student=world.student).count() == 1
