"""The journal over HTTP: the grid, saving cells, errors, conflicts, permissions, budgets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from shkola.core.testing.factories import enrol, make_school, staff, subgroup
from shkola.journal import services
from shkola.journal.models import Mark, MarkHistory
from shkola.timetable.models import Lesson

pytestmark = pytest.mark.django_db


def grid_url(school):
    return reverse("journal:grid", args=[school.class_unit.id, school.subject.id]) + (
        f"?period={school.periods[0].id}"
    )


def post_cell(client, lesson, student, text, fp=None):
    if fp is None:
        fp = services.cell_load(lesson=lesson, student=student).fingerprint
    return client.post(
        reverse("journal:cell_save"),
        {"lesson": lesson.id, "student": student.id, "text": text, "fp": fp},
        HTTP_HX_REQUEST="true",
    )


def test_grid_shows_students_lessons_marks_average_and_suggestion(client, school, lessons):
    anna = school.students[0]
    services.mark_set(
        lesson=lessons[0],
        student=anna,
        text="5",
        fingerprint=services.cell_load(lesson=lessons[0], student=anna).fingerprint,
        user=school.teacher,
    )
    services.mark_set(
        lesson=lessons[1],
        student=anna,
        text="4",
        fingerprint=services.cell_load(lesson=lessons[1], student=anna).fingerprint,
        user=school.teacher,
    )
    client.force_login(school.teacher)
    response = client.get(grid_url(school))
    html = response.content.decode()
    assert response.status_code == 200
    assert anna.last_name in html
    assert "02.09" in html and 'class="jw"' in html  # the test's weight
    # (5×5 + 4×1) / 6 = 4.83 → suggested 5
    assert f'id="avg-{anna.id}">4,83<' in html
    assert f'id="sug-{anna.id}">5<' in html


def test_saving_a_cell_returns_the_cell_with_the_value_and_the_new_average(client, school, lessons):
    anna = school.students[0]
    client.force_login(school.teacher)
    response = post_cell(client, lessons[2], anna, "4")
    assert response.status_code == 200
    assert '<b class="mark-4">4</b>' in response.content.decode()
    assert "journalSaved" in response["HX-Trigger"] and "4,00" in response["HX-Trigger"]
    assert (
        Mark.objects.filter(student__organisation=school.organisation).get().created_by
        == school.teacher
    )


def test_a_bad_value_keeps_what_was_typed_with_the_error(client, school, lessons):
    anna = school.students[0]
    client.force_login(school.teacher)
    response = post_cell(client, lessons[2], anna, "7")
    html = response.content.decode()
    assert response.status_code == 422
    assert "typed-bad" in html and ">7<" in html and "не отметка" in html
    assert not Mark.objects.filter(student__organisation=school.organisation).exists()


def test_a_stale_save_gets_a_conflict_showing_the_current_value(client, school, lessons):
    anna = school.students[0]
    stale = services.cell_load(lesson=lessons[2], student=anna).fingerprint
    client.force_login(school.teacher)
    assert post_cell(client, lessons[2], anna, "5", fp=stale).status_code == 200
    response = post_cell(client, lessons[2], anna, "3", fp=stale)
    html = response.content.decode()
    assert response.status_code == 409
    assert "сейчас «5»" in html and 'data-typed="3"' in html
    assert list(
        Mark.objects.filter(student__organisation=school.organisation).values_list(
            "value", flat=True
        )
    ) == ["5"]


def test_teacher_of_another_subject_and_parents_get_404(client, school, lessons):
    stranger = staff(school.organisation)
    client.force_login(stranger)
    assert client.get(grid_url(school)).status_code == 404
    assert post_cell(client, lessons[0], school.students[0], "5").status_code == 404
    assert not Mark.objects.filter(student__organisation=school.organisation).exists()


def test_class_teacher_reads_but_cannot_write(client, school, lessons):
    client.force_login(school.class_teacher)
    response = client.get(grid_url(school))
    assert response.status_code == 200
    assert "is-editable" not in response.content.decode()
    assert post_cell(client, lessons[0], school.students[0], "5").status_code == 404


def test_closed_period_is_read_only_for_the_teacher(client, school, lessons):
    client.force_login(school.curator)
    client.post(reverse("journal:period_toggle", args=[school.periods[0].id]), {"action": "close"})
    client.force_login(school.teacher)
    response = client.get(grid_url(school))
    assert "Отметки только для чтения" in response.content.decode()
    saved = post_cell(client, lessons[0], school.students[0], "5")
    assert saved.status_code == 422 and "закрыт" in saved.content.decode()
    client.force_login(school.curator)
    assert post_cell(client, lessons[0], school.students[0], "5").status_code == 200


def test_subgroup_journal_lists_only_the_groups_students(client, school):
    inside, outside = school.students[0], school.students[1]
    group = subgroup(school, "Английский, гр. 1", [inside])
    lesson = Lesson.objects.create(
        academic_year=school.year,
        period=school.periods[0],
        class_unit=school.class_unit,
        group=group,
        subject=school.subject,
        teacher=school.teacher,
        date=dt.date(2026, 9, 3),
        lesson_number=3,
    )
    client.force_login(school.teacher)
    html = client.get(
        reverse("journal:group_grid", args=[group.id, school.subject.id])
    ).content.decode()
    assert inside.last_name in html and outside.last_name not in html
    assert post_cell(client, lesson, outside, "5").status_code == 404


def test_cell_panel_shows_history_and_saves_a_comment(client, school, lessons):
    anna = school.students[0]
    client.force_login(school.teacher)
    post_cell(client, lessons[0], anna, "5")
    post_cell(client, lessons[0], anna, "4")
    panel = client.get(
        reverse("journal:cell_panel"), {"lesson": lessons[0].id, "student": anna.id}
    ).content.decode()
    assert "<b>5</b> → <b>4</b>" in panel
    mark = Mark.objects.filter(student__organisation=school.organisation).get()
    client.post(
        reverse("journal:mark_note", args=[mark.id]),
        {"comment": "Ошибка в задаче 3", "work_name": "Контрольная №1"},
    )
    mark.refresh_from_db()
    assert (mark.comment, mark.work_name) == ("Ошибка в задаче 3", "Контрольная №1")


def test_period_mark_saves_from_the_grid_column(client, school, lessons):
    anna = school.students[0]
    client.force_login(school.teacher)
    response = client.post(
        reverse("journal:final_save"),
        {
            "student": anna.id,
            "subject": school.subject.id,
            "kind": "period",
            "period": school.periods[0].id,
            "text": "5",
            "fp": "0",
        },
    )
    assert response.status_code == 200 and '<b class="mark-5">5</b>' in response.content.decode()
    assert (
        MarkHistory.objects.filter(student__organisation=school.organisation)
        .filter(what="final", new_value="5")
        .exists()
    )
    finals = client.get(reverse("journal:finals", args=[school.class_unit.id, school.subject.id]))
    assert finals.status_code == 200 and '<b class="mark-5">5</b>' in finals.content.decode()


def test_remark_from_the_grid_row(client, school):
    anna = school.students[0]
    client.force_login(school.teacher)
    url = reverse("journal:remarks", args=[anna.id])
    bad = client.post(url, {"kind": "remark", "text": ""})
    assert bad.status_code == 422 and "Напишите текст" in bad.content.decode()
    client.post(url, {"kind": "remark", "text": "Без дневника", "subject": school.subject.id})
    assert "Без дневника" in client.get(url).content.decode()


def test_lesson_page_sets_topic_and_homework_with_a_file(client, school, lessons):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(school.teacher)
    url = reverse("journal:lesson", args=[lessons[1].id])
    client.post(
        url,
        {
            "action": "lesson",
            "topic": "Проценты",
            "control_form": school.control_forms["Самостоятельная работа"].id,
        },
    )
    client.post(
        url,
        {
            "action": "homework",
            "text": "№ 12, 14",
            "files": SimpleUploadedFile("task.pdf", b"%PDF-1.4"),
        },
    )
    html = client.get(url).content.decode()
    assert "Проценты" in html and "№ 12, 14" in html and "task.pdf" in html


def test_home_page_links_todays_lessons_to_the_journal(client, school, lessons, monkeypatch):
    monkeypatch.setenv("SHKOLA_TODAY", "2026-09-02")
    client.force_login(school.teacher)
    html = client.get(reverse("core:home")).content.decode()
    assert f"#lesson-{lessons[0].id}" in html


def test_class_week_and_timeliness_report(client, school, lessons, monkeypatch):
    monkeypatch.setenv("SHKOLA_TODAY", "2026-09-12")
    anna = school.students[0]
    client.force_login(school.teacher)
    post_cell(client, lessons[0], anna, "5")
    client.force_login(school.class_teacher)
    week = client.get(
        reverse("journal:class_week", args=[school.class_unit.id]), {"week": "2026-09-01"}
    )
    assert week.status_code == 200 and '<b class="mark-5">5</b>' in week.content.decode()
    client.force_login(school.curator)
    report = client.get(reverse("journal:timeliness"), {"week": "2026-09-07"})
    # 3 lessons that week, none with a topic or marks; the mark of 2 Sept was entered later
    row = report.content.decode()
    assert report.status_code == 200 and school.teacher.last_name in row
    client.force_login(school.teacher)
    assert client.get(reverse("journal:timeliness")).status_code == 404


def _fill(school, extra_students, extra_lessons):
    for _ in range(extra_students):
        enrol(school, school.class_unit)
    lessons = []
    for i in range(extra_lessons):
        lessons.append(
            Lesson.objects.create(
                academic_year=school.year,
                period=school.periods[0],
                class_unit=school.class_unit,
                subject=school.subject,
                teacher=school.teacher,
                date=dt.date(2026, 9, 1) + dt.timedelta(days=i),
                lesson_number=2 + i % 3,
            )
        )
    for s in school.class_unit.students.all():
        for lesson in lessons:
            Mark.objects.create(student=s, lesson=lesson, value="4", points=4)
    return lessons


@pytest.mark.parametrize("students,n_lessons", [(2, 3), (25, 30)])
def test_grid_query_budget_does_not_grow(
    client, school, students, n_lessons, django_assert_max_num_queries
):
    _fill(school, students, n_lessons)
    client.force_login(school.teacher)
    # The layout (session, user, navigation, year badge) is about ten of these.
    with django_assert_max_num_queries(25):
        response = client.get(grid_url(school))
    assert response.status_code == 200


def test_save_endpoint_is_a_handful_of_queries(
    client, school, lessons, django_assert_max_num_queries
):
    client.force_login(school.teacher)
    anna = school.students[0]
    fp = services.cell_load(lesson=lessons[0], student=anna).fingerprint
    # ~8 are the session, user and session-log middleware; the save itself is lock, read,
    # write marks, one history insert and the new average.
    with django_assert_max_num_queries(22):
        assert post_cell(client, lessons[0], anna, "5 4", fp=fp).status_code == 200


@pytest.mark.parametrize("n", [2, 20])
def test_finals_and_class_week_budgets(client, school, n, django_assert_max_num_queries):
    _fill(school, n, 4)
    client.force_login(school.curator)
    with django_assert_max_num_queries(28):
        assert (
            client.get(
                reverse("journal:finals", args=[school.class_unit.id, school.subject.id])
            ).status_code
            == 200
        )
    with django_assert_max_num_queries(24):
        assert (
            client.get(
                reverse("journal:class_week", args=[school.class_unit.id]), {"week": "2026-09-01"}
            ).status_code
            == 200
        )
    with django_assert_max_num_queries(20):
        assert client.get(reverse("journal:timeliness"), {"week": "2026-09-07"}).status_code == 200


def test_another_schools_teacher_gets_404(client, school, lessons):
    other = make_school(subject_name="Физика")
    client.force_login(other.teacher)
    assert client.get(grid_url(school)).status_code == 404
    assert client.get(reverse("journal:lesson", args=[lessons[0].id])).status_code == 404
