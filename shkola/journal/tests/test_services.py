"""Writing the journal: cells, conflicts, closed periods, history, final marks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from shkola.journal import selectors, services
from shkola.journal.models import Attendance, FinalMark, JournalKind, Mark, MarkHistory
from shkola.schools import services as school_services

pytestmark = pytest.mark.django_db


def save(lesson, student, text, user, journal=JournalKind.MAIN, **kw):
    current = services.cell_load(lesson=lesson, student=student, journal=journal)
    return services.mark_set(
        lesson=lesson,
        student=student,
        text=text,
        fingerprint=current.fingerprint,
        user=user,
        journal=journal,
        **kw,
    )


@pytest.mark.parametrize(
    "typed,attendance,marks",
    [
        ("5", None, ["5"]),
        ("5 4", None, ["5", "4"]),
        ("5/4", None, ["5", "4"]),
        ("54", None, ["5", "4"]),
        ("н", "н", []),
        ("n", "н", []),
        ("Б", "б", []),
        ("у", "у", []),
        ("оп 5", "оп", ["5"]),
        ("op", "оп", []),
        ("зач", None, ["зач"]),
        ("незач", None, ["незач"]),
        ("", None, []),
    ],
)
def test_cell_parse_understands_marks_attendance_and_latin_lookalikes(typed, attendance, marks):
    parsed = services.cell_parse(typed)
    assert (parsed.attendance, parsed.marks) == (attendance, marks)


@pytest.mark.parametrize("typed", ["6", "0", "х", "н б", "5 5 5 5 5 5"])
def test_cell_parse_rejects_with_a_message_naming_the_field(typed):
    with pytest.raises(ValidationError) as exc:
        services.cell_parse(typed)
    assert "text" in exc.value.message_dict


def test_several_marks_in_one_cell_each_with_weight_of_the_control_form(school, lessons):
    anna = school.students[0]
    cell = save(lessons[0], anna, "5 4", school.teacher)
    assert [m.value for m in cell.marks] == ["5", "4"]
    assert [
        (m.points, m.weight)
        for m in Mark.objects.filter(student__organisation=school.organisation).order_by("id")
    ] == [(5, 5), (4, 5)]
    history = MarkHistory.objects.filter(student__organisation=school.organisation).order_by("id")
    assert [(h.action, h.old_value, h.new_value, h.changed_by) for h in history] == [
        ("create", "", "5", school.teacher),
        ("create", "", "4", school.teacher),
    ]


def test_changing_and_deleting_marks_keep_history_and_comments(school, lessons):
    anna = school.students[0]
    save(lessons[1], anna, "3 4", school.teacher)
    first = Mark.objects.filter(student__organisation=school.organisation).order_by("id").first()
    Mark.objects.filter(student__organisation=school.organisation).filter(pk=first.pk).update(
        comment="Устный ответ"
    )
    save(lessons[1], anna, "3 5", school.teacher)
    assert list(
        Mark.objects.filter(student__organisation=school.organisation)
        .order_by("id")
        .values_list("value", "comment", "version")
    ) == [
        ("3", "Устный ответ", 1),
        ("5", "", 2),
    ]
    save(lessons[1], anna, "", school.teacher)
    assert not Mark.objects.filter(student__organisation=school.organisation).exists()
    actions = list(
        MarkHistory.objects.filter(student__organisation=school.organisation)
        .order_by("id")
        .values_list("action", "old_value", "new_value")
    )
    assert actions[-3:] == [("change", "4", "5"), ("delete", "3", ""), ("delete", "5", "")]


def test_attendance_codes_create_change_and_clear_with_history(school, lessons):
    anna = school.students[0]
    save(lessons[0], anna, "н", school.teacher)
    assert Attendance.objects.filter(student__organisation=school.organisation).get().kind == "н"
    save(lessons[0], anna, "б", school.teacher)
    assert Attendance.objects.filter(student__organisation=school.organisation).get().kind == "б"
    save(lessons[0], anna, "", school.teacher)
    assert not Attendance.objects.filter(student__organisation=school.organisation).exists()
    rows = list(
        MarkHistory.objects.filter(student__organisation=school.organisation)
        .filter(what="attendance")
        .order_by("id")
        .values_list("action", "old_value", "new_value")
    )
    assert rows == [("create", "", "н"), ("change", "н", "б"), ("delete", "б", "")]


def test_a_save_that_did_not_see_the_current_value_is_a_conflict(school, lessons):
    # Given two teachers opened the same empty cell
    anna = school.students[0]
    seen = services.cell_load(lesson=lessons[0], student=anna).fingerprint
    # When the first saves 5 and the second then saves 4 from what they saw
    services.mark_set(
        lesson=lessons[0], student=anna, text="5", fingerprint=seen, user=school.teacher
    )
    with pytest.raises(services.CellConflict) as conflict:
        services.mark_set(
            lesson=lessons[0], student=anna, text="4", fingerprint=seen, user=school.curator
        )
    # Then the second is told what is there now and nothing is lost
    assert conflict.value.current.text == "5"
    assert list(
        Mark.objects.filter(student__organisation=school.organisation).values_list(
            "value", flat=True
        )
    ) == ["5"]
    # and saving again over the value they have now seen wins
    services.mark_set(
        lesson=lessons[0],
        student=anna,
        text="4",
        fingerprint=conflict.value.current.fingerprint,
        user=school.curator,
    )
    assert list(
        Mark.objects.filter(student__organisation=school.organisation).values_list(
            "value", flat=True
        )
    ) == ["4"]


def test_closed_period_refuses_teachers_but_not_administrators(school, lessons):
    anna = school.students[0]
    school_services.period_close(period=school.periods[0], user=school.curator)
    lessons[0].refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        save(lessons[0], anna, "5", school.teacher)
    assert "закрыт" in exc.value.message_dict["period"][0]
    assert not Mark.objects.filter(student__organisation=school.organisation).exists()
    save(lessons[0], anna, "5", school.curator, may_edit_closed=True)
    assert Mark.objects.filter(student__organisation=school.organisation).count() == 1


def test_homework_journal_marks_do_not_count_in_the_main_average(school, lessons):
    anna = school.students[0]
    save(lessons[0], anna, "5", school.teacher)  # weight 5
    save(lessons[1], anna, "2", school.teacher, journal=JournalKind.HOMEWORK)
    averages = selectors.subject_averages([anna.id], school.periods[0], [school.subject.id])
    assert averages[(anna.id, school.subject.id)] == Decimal(5)
    with pytest.raises(ValidationError):
        save(lessons[1], anna, "н", school.teacher, journal=JournalKind.HOMEWORK)


def test_final_marks_with_history_conflicts_and_closed_periods(school):
    anna = school.students[0]
    period = school.periods[0]
    common = dict(student=anna, subject=school.subject, academic_year=school.year)
    cell = services.final_mark_set(
        **common, kind="period", period=period, text="4", fingerprint="0", user=school.teacher
    )
    assert cell.text == "4"
    with pytest.raises(services.CellConflict):
        services.final_mark_set(
            **common, kind="period", period=period, text="5", fingerprint="0", user=school.teacher
        )
    services.final_mark_set(
        **common,
        kind="period",
        period=period,
        text="5",
        fingerprint=cell.fingerprint,
        user=school.teacher,
    )
    school_services.period_close(period=period, user=school.curator)
    period.refresh_from_db()
    with pytest.raises(ValidationError):
        services.final_mark_set(
            **common,
            kind="period",
            period=period,
            text="3",
            fingerprint=f"{FinalMark.objects.filter(student__organisation=school.organisation).get().id}.2",
            user=school.teacher,
        )
    services.final_mark_set(
        **common,
        kind="period",
        period=period,
        text="",
        fingerprint=f"{FinalMark.objects.filter(student__organisation=school.organisation).get().id}.2",
        user=school.curator,
        may_edit_closed=True,
    )
    assert not FinalMark.objects.filter(student__organisation=school.organisation).exists()
    history = selectors.final_history(anna, school.subject, "period", period)
    assert [(h.action, h.old_value, h.new_value) for h in reversed(history)] == [
        ("create", "", "4"),
        ("change", "4", "5"),
        ("delete", "5", ""),
    ]


def test_changing_the_lesson_control_form_reweighs_its_marks(school, lessons):
    anna = school.students[0]
    save(lessons[1], anna, "4", school.teacher)
    services.lesson_update(
        lesson=lessons[1],
        topic="Дроби",
        control_form=school.control_forms["Самостоятельная работа"],
        user=school.teacher,
    )
    assert Mark.objects.filter(student__organisation=school.organisation).get().weight == 3
    lessons[1].refresh_from_db()
    assert lessons[1].topic == "Дроби" and lessons[1].topic_set_at is not None


def test_remark_needs_text_and_kind(school):
    with pytest.raises(ValidationError) as exc:
        services.remark_create(student=school.students[0], author=school.teacher, kind="x", text="")
    assert set(exc.value.message_dict) == {"kind", "text"}
    remark = services.remark_create(
        student=school.students[0], author=school.teacher, kind="remark", text="Нет сменной обуви"
    )
    assert remark.pk


# --------------------------------------------------------------------------- closed periods


def test_homework_of_a_closed_period_is_read_only_for_teachers(school, lessons):
    # Given homework on a lesson of the first quarter, and the quarter is closed
    homework = services.homework_assign(lesson=lessons[0], text="№ 1", user=school.teacher)
    school_services.period_close(period=school.periods[0], user=school.curator)
    lessons[0].refresh_from_db()
    homework.refresh_from_db()

    # When the teacher adds or deletes homework, then both are refused, saying why
    with pytest.raises(ValidationError) as exc:
        services.homework_assign(lesson=lessons[0], text="№ 2", user=school.teacher)
    assert exc.value.message_dict["period"] == [
        "Период «1 четверть» закрыт: изменить домашние задания может только администратор школы."
    ]
    with pytest.raises(ValidationError):
        services.homework_delete(homework=homework)
    assert [h.text for h in lessons[0].homework.all()] == ["№ 1"]

    # and an administrator still may
    services.homework_assign(
        lesson=lessons[0], text="№ 2", user=school.curator, may_edit_closed=True
    )
    services.homework_delete(homework=homework, may_edit_closed=True)
    assert [h.text for h in lessons[0].homework.all()] == ["№ 2"]


def test_the_topic_of_a_closed_period_says_what_is_closed(school, lessons):
    school_services.period_close(period=school.periods[0], user=school.curator)
    lessons[0].refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.lesson_update(
            lesson=lessons[0], topic="Дроби", control_form=None, user=school.teacher
        )
    assert "закрыт: изменить тему и форму контроля" in exc.value.message_dict["period"][0]


def test_a_mark_note_keeps_history_old_to_new_and_respects_closed_periods(school, lessons):
    # Given a «5» with a comment
    anna = school.students[0]
    [mark] = save(lessons[0], anna, "5", school.teacher).marks
    services.mark_note_set(mark=mark, comment="Молодец", work_name="", user=school.teacher)

    # When the teacher changes the comment and names the work
    services.mark_note_set(
        mark=mark, comment="Ошибка в задаче 3", work_name="Контрольная №1", user=school.teacher
    )
    # and saves the same again (nothing changes: no history)
    services.mark_note_set(
        mark=mark, comment="Ошибка в задаче 3", work_name="Контрольная №1", user=school.teacher
    )

    # Then each change is in the cell's history, who and old → new
    history = [
        (h.what, h.old_value, h.new_value, h.changed_by_id, h.mark_id_ref)
        for h in selectors.cell_history(lessons[0], anna, JournalKind.MAIN)
        if h.what != "mark"
    ]
    assert sorted(history) == sorted(
        [
            ("comment", "", "Молодец", school.teacher.id, mark.id),
            ("comment", "Молодец", "Ошибка в задаче 3", school.teacher.id, mark.id),
            ("work_name", "", "Контрольная №1", school.teacher.id, mark.id),
        ]
    )
    long = "а" * 500  # the longest comment fits its history row whole
    services.mark_note_set(mark=mark, comment=long, work_name="", user=school.teacher)
    assert MarkHistory.objects.filter(what="comment", new_value=long).exists()

    # And once the quarter is closed, the teacher may not change it, an administrator may
    school_services.period_close(period=school.periods[0], user=school.curator)
    with pytest.raises(ValidationError) as exc:
        services.mark_note_set(mark=mark, comment="", work_name="", user=school.teacher)
    assert "закрыт: изменить комментарии и названия работ" in exc.value.message_dict["period"][0]
    mark.refresh_from_db()
    assert mark.comment == long
    services.mark_note_set(
        mark=mark, comment="", work_name="", user=school.curator, may_edit_closed=True
    )
    mark.refresh_from_db()
    assert (mark.comment, mark.work_name) == ("", "")
