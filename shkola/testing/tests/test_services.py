from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shkola.core import clock
from shkola.core.testing.factories import enrol, make_school
from shkola.journal.models import Mark, MarkHistory
from shkola.portfolio.models import TestingResult
from shkola.schools.models import ClassUnit
from shkola.testing import services
from shkola.testing.models import Attempt, AttemptQuestion, FinishReason, QuestionKind
from shkola.testing.tasks import expire_attempt
from shkola.timetable.models import Lesson

from .conftest import World, make_question

pytestmark = pytest.mark.django_db

# Answers by position (questions in the order of QuestionKind, 2 points each, 14 in all).
ANSWERS = {
    1: {"choice": ["1"]},  # single, right: 2
    2: {"choice": ["0", "3"]},  # multiple: 1 right − 1 wrong = 0
    3: {"text": ["ЕЛКА"]},  # short, «ё» and case ignored: 2
    4: {"text": ["3,145"]},  # number within 0,01: 2
    7: {"text": ["Потому что дроби"]},  # free: the teacher's
}
# Matching and ordering as stored (original indexes); the page's fields come from answer_fields.
STORED = {
    5: [0, 2, 1],  # matching 1 of 3: 0.67
    6: [0, 1, 3, 2],  # ordering 2 of 4: 1
}


def _answer_all(attempt: Attempt) -> None:
    for position in sorted({*ANSWERS, *STORED}):
        raw = ANSWERS.get(position) or services.answer_fields(
            attempt.questions.select_related("question").get(position=position),
            STORED[position],
        )
        services.attempt_answer(attempt=attempt, position=position, raw=raw)


def test_whole_attempt_is_scored_by_hand(world: World) -> None:
    attempt = services.attempt_start(test=world.test, student=world.student)
    assert attempt.max_score == 14
    # the deadline is the server's: start + 30 minutes, before the test closes
    assert attempt.deadline == attempt.started_at + dt.timedelta(minutes=30)
    _answer_all(attempt)
    attempt, finished_now = services.attempt_finish(attempt=attempt)
    assert finished_now and attempt.finish_reason == FinishReason.SUBMITTED
    # 2 + 0 + 2 + 2 + 0.67 + 1 = 7.67; the free answer waits
    assert attempt.score == Decimal("7.67")
    assert attempt.needs_review and attempt.mark == ""
    free = attempt.questions.get(position=7)
    attempt = services.answer_grade(attempt_question=free, score="1,5", by=world.school.teacher)
    # 9.17 of 14 = 65.5 % → «4» (from 65 %)
    assert attempt.score == Decimal("9.17")
    assert not attempt.needs_review and attempt.mark == "4"


def test_reopening_resumes_the_same_attempt_with_saved_answers(world: World) -> None:
    first = services.attempt_start(test=world.test, student=world.student)
    services.attempt_answer(attempt=first, position=3, raw=ANSWERS[3])
    again = services.attempt_start(test=world.test, student=world.student)
    assert again.pk == first.pk and again.current_position == 3
    assert again.questions.get(position=3).answer == "ЕЛКА"


def test_second_finish_is_harmless(world: World) -> None:
    attempt = services.attempt_start(test=world.test, student=world.student)
    services.attempt_answer(attempt=attempt, position=1, raw=ANSWERS[1])
    done, first = services.attempt_finish(attempt=attempt)
    again, second = services.attempt_finish(attempt=attempt)
    assert first and not second
    assert again.finished_at == done.finished_at and again.score == done.score == 2
    with pytest.raises(services.Refusal) as late:
        services.attempt_answer(attempt=attempt, position=3, raw=ANSWERS[3])
    assert late.value.code == "finished" and "уже завершена" in late.value.message


def test_late_answer_is_refused_and_saved_answers_stay(world: World) -> None:
    attempt = services.attempt_start(test=world.test, student=world.student)
    services.attempt_answer(attempt=attempt, position=1, raw=ANSWERS[1])
    late = attempt.deadline + dt.timedelta(seconds=1)
    with pytest.raises(services.Refusal) as exc:
        services.attempt_answer(attempt=attempt, position=3, raw=ANSWERS[3], now=late)
    assert exc.value.code == "late"
    attempt.refresh_from_db()
    # the attempt closed itself at its deadline, with what was saved
    assert attempt.finish_reason == FinishReason.TIMEOUT and attempt.finished_at == attempt.deadline
    assert attempt.questions.get(position=1).answer == [1]
    assert attempt.questions.get(position=3).answer is None
    assert attempt.score == 2
    # and an answer after that is refused the same way
    with pytest.raises(services.Refusal) as again:
        services.attempt_answer(attempt=attempt, position=3, raw=ANSWERS[3])
    assert again.value.code == "late"


def test_answer_to_a_question_not_in_the_attempt(world: World) -> None:
    attempt = services.attempt_start(test=world.test, student=world.student)
    with pytest.raises(AttemptQuestion.DoesNotExist):
        services.attempt_answer(attempt=attempt, position=99, raw=ANSWERS[1])


def test_bad_answer_is_refused_without_losing_the_saved_one(world: World) -> None:
    attempt = services.attempt_start(test=world.test, student=world.student)
    services.attempt_answer(attempt=attempt, position=1, raw=ANSWERS[1])
    for raw in ({"choice": ["7"]}, {"choice": ["0", "1"]}, {"choice": ["x"]}):
        with pytest.raises(services.Refusal):
            services.attempt_answer(attempt=attempt, position=1, raw=raw)
    with pytest.raises(services.Refusal):
        services.attempt_answer(attempt=attempt, position=4, raw={"text": ["три"]})
    assert attempt.questions.get(position=1).answer == [1]


def test_the_worker_task_closes_an_abandoned_attempt(world: World, monkeypatch) -> None:
    attempt = services.attempt_start(test=world.test, student=world.student)
    services.attempt_answer(attempt=attempt, position=3, raw=ANSWERS[3])
    assert expire_attempt.call(attempt.pk) is False  # not due yet
    Attempt.objects.filter(pk=attempt.pk).update(deadline=clock.now() - dt.timedelta(minutes=1))
    assert expire_attempt.call(attempt.pk) is True
    attempt.refresh_from_db()
    assert attempt.finish_reason == FinishReason.TIMEOUT and attempt.score == 2
    assert expire_attempt.call(attempt.pk) is False  # idempotent


def test_deadline_is_the_closing_time_when_that_comes_first(world: World) -> None:
    world.test.closes_at = clock.now() + dt.timedelta(minutes=10)
    world.test.save()
    attempt = services.attempt_start(test=world.test, student=world.student)
    assert attempt.deadline == world.test.closes_at


def test_refusals_to_start(world: World) -> None:
    test, student = world.test, world.student
    # attempts exhausted (2 allowed)
    for _ in range(2):
        services.attempt_finish(attempt=services.attempt_start(test=test, student=student))
    with pytest.raises(services.Refusal) as exc:
        services.attempt_start(test=test, student=student)
    assert exc.value.code == "exhausted" and "2 из 2" in exc.value.message
    other = world.school.students[1]
    test.opens_at = clock.now() + dt.timedelta(hours=1)
    test.save()
    with pytest.raises(services.Refusal) as exc:
        services.attempt_start(test=test, student=other)
    assert exc.value.code == "not_open"
    test.opens_at = clock.now() - dt.timedelta(days=2)
    test.closes_at = clock.now() - dt.timedelta(days=1)
    test.save()
    with pytest.raises(services.Refusal) as exc:
        services.attempt_start(test=test, student=other)
    assert exc.value.code == "closed"
    # a student of another class
    other_class = ClassUnit.objects.create(parallel=world.school.parallel, letter="Б")
    stranger = enrol(world.school, other_class)
    with pytest.raises(services.Refusal) as exc:
        services.attempt_start(test=test, student=stranger)
    assert exc.value.code == "not_for_you"


def test_random_draw_takes_questions_from_the_bank(world: World) -> None:
    school = world.school
    extra = [make_question(school, "single", topic="Дроби", kes_codes="3.1") for _ in range(3)]
    now = clock.now()
    test = services.test_save(
        owner=school.teacher, organisation=school.organisation, subject=school.subject,
        title="Случайный", opens_at=now - dt.timedelta(hours=1), closes_at=now + dt.timedelta(hours=1),
        class_units=[school.class_unit],
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        services.test_item_add(test=test, draw_count=4, draw_topic="дроби")
    assert "3 вопросов, а нужно 4" in exc.value.message_dict["draw_count"][0]
    services.test_item_add(test=test, draw_count=2, draw_kes="3.1")
    services.test_publish(test=test)
    attempt = services.attempt_start(test=test, student=world.student, seed=1)
    picked = {aq.question_id for aq in attempt.questions.all()}
    assert len(picked) == 2 and picked <= {q.pk for q in extra}
    assert attempt.max_score == 4


def test_shared_questions_and_foreign_ones(world: World) -> None:
    school = world.school
    colleague = school.class_teacher
    private = make_question(school, "short", owner=colleague)
    shared = make_question(school, "short", owner=colleague, shared=True)
    with pytest.raises(ValidationError):
        services.test_item_add(test=world.test, question=private)
    services.test_item_add(test=world.test, question=shared)
    other = make_school(letter="В")
    foreign = make_question(other, "short", shared=True)
    with pytest.raises(ValidationError):
        services.test_item_add(test=world.test, question=foreign)


def test_question_in_attempts_keeps_its_answers(world: World) -> None:
    services.attempt_start(test=world.test, student=world.student)
    q = world.questions["single"]
    with pytest.raises(ValidationError) as exc:
        services.question_save(
            owner=world.school.teacher, organisation=world.school.organisation,
            subject=world.school.subject, kind="single", text=q.text,
            data={"options": "2\n3\n4", "correct": "1"}, points=2, question=q,
        )  # fmt: skip
    assert "kind" in exc.value.message_dict
    # the wording may still change
    services.question_save(
        owner=world.school.teacher, organisation=world.school.organisation,
        subject=world.school.subject, kind="single", text="Сколько будет 1 + 2?",
        data={"options": "2\n3\n4", "correct": "2"}, points=2, question=q,
    )  # fmt: skip


def test_image_is_checked_by_pillow(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("a.png", b"not a picture", content_type="image/png")
    with pytest.raises(ValidationError) as exc:
        make_question(world.school, "free", image=fake)
    assert "image" in exc.value.message_dict


def test_mark_goes_to_the_journal_with_history(world: World) -> None:
    attempt = services.attempt_start(test=world.test, student=world.student)
    _answer_all(attempt)
    attempt, _ = services.attempt_finish(attempt=attempt)
    with pytest.raises(ValidationError):  # not graded yet
        services.attempt_to_journal(
            attempt=attempt, lesson=world.lesson, control_form=None, by=world.school.teacher
        )
    services.answer_grade(
        attempt_question=attempt.questions.get(position=7), score=2, by=world.school.teacher
    )
    form = world.school.control_forms["Контрольная работа"]
    attempt = services.attempt_to_journal(
        attempt=attempt, lesson=world.lesson, control_form=form, by=world.school.teacher
    )
    mark = Mark.objects.get(student=world.student, lesson=world.lesson)
    # 9.67 of 14 = 69 % → «4», weighed as a «Контрольная работа»
    assert (mark.value, mark.weight, mark.control_form_id) == ("4", 5, form.pk)
    assert MarkHistory.objects.filter(student_id=world.student.pk, new_value="4").exists()
    with pytest.raises(ValidationError):  # once
        services.attempt_to_journal(
            attempt=attempt, lesson=world.lesson, control_form=None, by=world.school.teacher
        )


def test_closed_period_refuses_the_mark(world: World) -> None:
    attempt = services.attempt_start(test=world.test, student=world.student)
    services.attempt_answer(attempt=attempt, position=1, raw=ANSWERS[1])
    attempt, _ = services.attempt_finish(attempt=attempt)
    services.answer_grade(
        attempt_question=attempt.questions.get(position=7), score=0, by=world.school.teacher
    )
    period = world.school.periods[0]
    period.closed_at = timezone.now()
    period.save()
    with pytest.raises(ValidationError) as exc:
        services.attempt_to_journal(
            attempt=attempt, lesson=world.lesson, control_form=None, by=world.school.teacher
        )
    assert "закрыт" in exc.value.message_dict["period"][0]
    assert not Mark.objects.filter(student=world.student).exists()
    attempt.refresh_from_db()
    assert attempt.journal_lesson_id is None


def test_result_goes_to_the_portfolio_with_kes_and_kt(world: World) -> None:
    attempt = services.attempt_start(test=world.test, student=world.student)
    _answer_all(attempt)
    attempt, _ = services.attempt_finish(attempt=attempt)
    attempt = services.answer_grade(
        attempt_question=attempt.questions.get(position=7), score="1.5", by=world.school.teacher
    )
    services.attempt_to_portfolio(attempt=attempt, by=world.school.teacher)
    row = TestingResult.objects.get(student=world.student)
    assert row.topic == "Дроби" and row.subject_id == world.school.subject.pk
    assert (row.score, row.max_score) == (Decimal("9.2"), Decimal("14"))
    assert row.kes_codes == "1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7"
    assert row.kt_codes.startswith("2.1, 2.2") and row.grade == 7
    assert row.teacher_id == world.school.teacher.pk and row.duration_minutes >= 1
    with pytest.raises(ValidationError):
        services.attempt_to_portfolio(attempt=attempt, by=world.school.teacher)


def test_release_of_answers(world: World) -> None:
    assert not services.answers_released(world.test)
    services.test_release_answers(test=world.test)
    assert services.answers_released(world.test)
    world.test.released_at = None
    world.test.release_mode = "after_close"
    assert not services.answers_released(world.test)
    assert services.answers_released(world.test, now=world.test.closes_at)


def test_settings_are_checked(world: World) -> None:
    school = world.school
    now = clock.now()
    with pytest.raises(ValidationError) as exc:
        services.test_save(
            owner=school.teacher, organisation=school.organisation, subject=school.subject,
            title=" ", opens_at=now, closes_at=now - dt.timedelta(hours=1),
            time_limit_minutes=0, attempts_allowed=11,
            mark5_percent=60, mark4_percent=65, mark3_percent=45,
        )  # fmt: skip
    assert set(exc.value.message_dict) >= {
        "title", "closes_at", "time_limit_minutes", "attempts_allowed", "mark5_percent",
    }  # fmt: skip
    assert QuestionKind.FREE  # the kinds are importable from models


def test_the_deadline_is_put_on_the_workers_queue(
    world: World, settings, django_capture_on_commit_callbacks
) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        attempt = services.attempt_start(test=world.test, student=world.student)
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "shkola.testing.tasks.expire_attempt"
    assert queued.run_after == attempt.deadline and queued.args_kwargs["args"] == [attempt.pk]


def test_item_statistics_share_of_points_per_question(world: World) -> None:
    from shkola.testing import selectors

    first = services.attempt_start(test=world.test, student=world.student)
    _answer_all(first)
    services.attempt_finish(attempt=first)
    second = services.attempt_start(test=world.test, student=world.school.students[1])
    services.attempt_answer(attempt=second, position=2, raw={"choice": ["0", "1"]})
    services.attempt_finish(attempt=second)
    stats = {s.position: s for s in selectors.results(world.test)["stats"]}
    # single: 2 + 0 of 4; multiple: 0 + 2 of 4; matching: 0.67 + 0 of 4; free: 1 graded (0)
    assert stats[1].share_correct == 0.5 and stats[2].share_correct == 0.5
    assert round(stats[5].share_correct, 4) == round(0.67 / 4, 4)
    assert stats[7].share_correct == 0.0 and stats[1].answered == 1


def test_a_test_for_a_group_is_for_its_students_only(world: World) -> None:
    from shkola.core.testing.factories import subgroup
    from shkola.testing import selectors

    inside, outside = world.school.students[0], world.school.students[1]
    group = subgroup(world.school, "1 подгруппа", [inside])
    services.test_save(
        owner=world.school.teacher, organisation=world.school.organisation,
        subject=world.school.subject, title=world.test.title,
        opens_at=world.test.opens_at, closes_at=world.test.closes_at,
        class_units=[], groups=[group], test=world.test,
    )  # fmt: skip
    assert [t.test for t in selectors.student_tests(inside)] == [world.test]
    assert selectors.student_tests(outside) == []
    services.attempt_start(test=world.test, student=inside)
    with pytest.raises(services.Refusal):
        services.attempt_start(test=world.test, student=outside)


def _graded(world: World) -> Attempt:
    attempt = services.attempt_start(test=world.test, student=world.student)
    services.attempt_answer(attempt=attempt, position=1, raw=ANSWERS[1])
    attempt, _ = services.attempt_finish(attempt=attempt)
    return services.answer_grade(
        attempt_question=attempt.questions.get(position=7), score=0, by=world.school.teacher
    )


def test_journal_keeps_the_lessons_form_and_refuses_another(world: World) -> None:
    attempt = _graded(world)
    forms = list(world.school.control_forms.values())
    kept, other = forms[0], forms[1]
    Lesson.objects.filter(pk=world.lesson.pk).update(control_form=kept)
    world.lesson.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.attempt_to_journal(
            attempt=attempt, lesson=world.lesson, control_form=other, by=world.school.teacher
        )
    assert "у урока уже" in exc.value.message_dict["control_form"][0]
    world.lesson.refresh_from_db()
    assert world.lesson.control_form_id == kept.pk
    assert not Mark.objects.filter(lesson=world.lesson).exists()
    # «как у урока»: the mark goes in with the lesson's form
    services.attempt_to_journal(
        attempt=attempt, lesson=world.lesson, control_form=None, by=world.school.teacher
    )
    mark = Mark.objects.get(student=world.student, lesson=world.lesson)
    assert mark.control_form_id == kept.pk


def test_no_regrading_once_the_mark_was_sent(world: World) -> None:
    attempt = _graded(world)
    services.attempt_to_journal(
        attempt=attempt, lesson=world.lesson, control_form=None, by=world.school.teacher
    )
    free = attempt.questions.get(position=7)
    with pytest.raises(ValidationError) as exc:
        services.answer_grade(attempt_question=free, score=2, by=world.school.teacher)
    assert "уже выставлена" in exc.value.message_dict["score"][0]
    attempt.refresh_from_db()
    free.refresh_from_db()
    assert free.score == 0 and attempt.mark == "2"
    # the portfolio alone blocks it too
    Attempt.objects.filter(pk=attempt.pk).update(journal_lesson=None, portfolio_result_id=1)
    with pytest.raises(ValidationError):
        services.answer_grade(attempt_question=free, score=2, by=world.school.teacher)


def test_superscript_digits_are_refused_not_a_500(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        services.question_data_clean("single", {"options": "a\nb", "correct": "²"})
    assert "номера от 1 до 2" in exc.value.message_dict["correct"][0]
    attempt = services.attempt_start(test=world.test, student=world.student)
    with pytest.raises(services.Refusal):
        services.attempt_answer(attempt=attempt, position=1, raw={"choice": ["²"]})
    with pytest.raises(services.Refusal):
        services.attempt_answer(attempt=attempt, position=5, raw={"pair_0": ["²"]})


def test_journal_lessons_on_29_february(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from shkola.testing import selectors

    attempt = _graded(world)
    monkeypatch.setenv("SHKOLA_TODAY", "2028-02-29")
    assert world.lesson not in selectors.journal_lessons(attempt)  # more than 60 days back
    monkeypatch.setenv("SHKOLA_TODAY", "2026-12-06")  # 60 days after the lesson
    assert world.lesson in selectors.journal_lessons(attempt)
    monkeypatch.setenv("SHKOLA_TODAY", "2026-12-07")
    assert world.lesson not in selectors.journal_lessons(attempt)
