"""The online tests over HTTP, on the demo world: a teacher builds and assigns a test, the
student takes it (answers saved one by one, refusals in Russian, nothing lost), the teacher
grades and sends the mark on; with query budgets that do not grow with the data."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shkola.core import clock
from shkola.journal.models import Mark
from shkola.portfolio.models import TestingResult
from shkola.testing import services
from shkola.testing.models import Attempt, Question, Test
from shkola.timetable.models import Lesson

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def client_of(world: Any, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def demo_test(world: Any) -> Test:
    return Test.objects.get(owner=world.users["teacher"])


def start(world: Any) -> Attempt:
    return services.attempt_start(test=demo_test(world), student=world.student)


def position_of(attempt: Attempt, kind: str) -> int:
    return attempt.questions.get(question__kind=kind).position


def test_teacher_builds_a_test_from_the_bank_and_assigns_it(demo_world: Any) -> None:
    teacher = client_of(demo_world, "teacher")
    now = clock.now()
    response = teacher.post(
        reverse("testing:test_new"),
        {
            "subject": demo_world.subject.id, "title": "Степени", "release_mode": "manual",
            "opens_at": (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "time_limit_minutes": "15", "attempts_allowed": "1",
            "class_units": [demo_world.class_unit.id],
            "mark5_percent": "90", "mark4_percent": "70", "mark3_percent": "50",
        },
    )  # fmt: skip
    test = Test.objects.get(title="Степени")
    assert response.status_code == 302 and test.mark5_percent == 90
    edit = reverse("testing:test_edit", args=[test.id])
    # publishing an empty test is refused, in Russian
    refused = teacher.post(edit, {"action": "publish"})
    assert refused.status_code == 400 and "хотя бы один вопрос" in refused.content.decode()
    bank = list(Question.objects.filter(owner=demo_world.users["teacher"]).order_by("id")[:3])
    teacher.post(edit, {"action": "add", "question": [q.id for q in bank]})
    drawn = teacher.post(edit, {"action": "draw", "draw_count": "99"})
    assert drawn.status_code == 400 and "от 1 до 30" in drawn.content.decode()
    teacher.post(edit, {"action": "draw", "draw_count": "1", "draw_topic": "степени"})
    assert teacher.post(edit, {"action": "publish"}).status_code == 302
    test.refresh_from_db()
    assert test.published_at is not None and test.items.count() == 4
    # the student sees it
    page = client_of(demo_world, "student").get(reverse("testing:index"))
    assert "Степени" in page.content.decode()


def test_student_answers_one_by_one_and_refusals_lose_nothing(demo_world: Any) -> None:
    student = client_of(demo_world, "student")
    take = reverse("testing:take", args=[demo_test(demo_world).id])
    response = student.post(take)
    attempt = Attempt.objects.get(student=demo_world.student)
    assert response.url == reverse("testing:attempt", args=[attempt.id])
    # reopening resumes the same attempt
    assert student.post(take).url == response.url
    answer = reverse("testing:answer", args=[attempt.id])
    single = position_of(attempt, "single")
    ok = student.post(answer, {"position": single, "choice": ["1"]}, **JSON)
    assert ok.status_code == 200 and ok.json()["ok"] and 0 < ok.json()["remaining"] <= 20 * 60
    # a question not in the attempt: 404, in Russian
    missing = student.post(answer, {"position": 99, "choice": ["1"]}, **JSON)
    assert missing.status_code == 404 and "нет в этой попытке" in missing.json()["error"]
    assert student.post(answer, {"position": "abc"}, **JSON).status_code == 404
    # nonsense in an answer: refused, the saved one stays
    bad = student.post(answer, {"position": single, "choice": ["77"]}, **JSON)
    assert bad.status_code == 409 and "не понят" in bad.json()["error"]
    # the page resumes at the question last answered, with the answer checked
    page = student.get(reverse("testing:attempt", args=[attempt.id])).content.decode()
    assert 'aria-current="step"' in page and 'value="1" id="o1" checked' in page
    # late: after the deadline the answer is refused and the attempt closes itself
    Attempt.objects.filter(pk=attempt.pk).update(deadline=clock.now() - dt.timedelta(seconds=1))
    late = student.post(answer, {"position": position_of(attempt, "number"), "text": "2"}, **JSON)
    assert late.status_code == 409 and "Время вышло" in late.json()["error"]
    attempt.refresh_from_db()
    assert attempt.finish_reason == "timeout" and attempt.score == 1
    # finishing twice is harmless and says so
    finish = reverse("testing:finish", args=[attempt.id])
    again = student.post(finish, follow=True).content.decode()
    assert "уже завершена" in again
    # attempts: 2 allowed, so a second one starts; a third does not
    services.attempt_finish(
        attempt=services.attempt_start(test=demo_test(demo_world), student=demo_world.student)
    )
    exhausted = student.post(take)
    assert exhausted.status_code == 409 and "Попытки закончились" in exhausted.content.decode()


def test_answers_are_shown_only_after_release(demo_world: Any) -> None:
    attempt = start(demo_world)
    services.attempt_finish(attempt=attempt)
    student = client_of(demo_world, "student")
    url = reverse("testing:attempt", args=[attempt.id])
    assert "появятся, когда учитель" in student.get(url).content.decode()
    teacher = client_of(demo_world, "teacher")
    results = reverse("testing:results", args=[demo_test(demo_world).id])
    # the teacher is told that, while the test is open, a student sees them only at the end
    assert 'id="release-note"' in teacher.get(results).content.decode()
    teacher.post(results, {"action": "release"})
    # released while the test is open and attempt 2 is left: not yet, or attempt 2 is free
    waiting = student.get(url).content.decode()
    assert "Верный ответ" not in waiting and "не останется попыток" in waiting
    services.attempt_finish(attempt=start(demo_world))  # the last attempt
    shown = student.get(url).content.decode()
    assert "Ответы и решения" in shown and "Верный ответ" in shown
    # and for a student with attempts left, once the test has closed
    Test.objects.filter(pk=demo_test(demo_world).pk).update(
        attempts_allowed=5, closes_at=clock.now() - dt.timedelta(minutes=1)
    )
    assert "Верный ответ" in student.get(url).content.decode()


def test_test_not_open_yet_and_not_for_the_class(demo_world: Any) -> None:
    test = demo_test(demo_world)
    test.opens_at = clock.now() + dt.timedelta(days=1)
    test.save()
    response = client_of(demo_world, "student").post(reverse("testing:take", args=[test.id]))
    assert response.status_code == 409 and "Тест откроется" in response.content.decode()
    test.class_units.clear()
    assert (
        client_of(demo_world, "student").get(reverse("testing:take", args=[test.id])).status_code
        == 404
    )


def test_teacher_grades_puts_the_mark_in_the_journal_and_the_portfolio(demo_world: Any) -> None:
    attempt = start(demo_world)
    services.attempt_answer(
        attempt=attempt, position=position_of(attempt, "free"), raw={"text": ["Возрастает: k > 0"]}
    )
    services.attempt_finish(attempt=attempt)
    teacher = client_of(demo_world, "teacher")
    url = reverse("testing:review", args=[attempt.id])
    free = position_of(attempt, "free")
    bad = teacher.post(url, {"action": "grade", "position": free, "score": "77"})
    assert bad.status_code == 400 and "от 0 до 3" in bad.content.decode()
    teacher.post(url, {"action": "grade", "position": free, "score": "3"})
    attempt.refresh_from_db()
    # 3 of 10 = 30 % → «2»
    assert not attempt.needs_review and attempt.mark == "2"
    lesson = (
        Lesson.objects.filter(
            class_unit=demo_world.class_unit, subject=demo_world.subject, date__lte=clock.today()
        )
        .order_by("-date")
        .first()
    )
    before = Mark.objects.filter(student=demo_world.student, lesson=lesson).count()
    done = teacher.post(url, {"action": "journal", "lesson": lesson.id, "control_form": ""})
    assert done.status_code == 302
    assert Mark.objects.filter(student=demo_world.student, lesson=lesson).count() == before + 1
    teacher.post(url, {"action": "portfolio"})
    row = TestingResult.objects.get(student=demo_world.student, topic=demo_test(demo_world).title)
    assert row.kes_codes and row.kt_codes
    # a lesson of another class is not offered
    other = Lesson.objects.exclude(class_unit=demo_world.class_unit).first()
    attempt.journal_lesson = None
    attempt.save()
    refused = teacher.post(url, {"action": "journal", "lesson": other.id})
    assert refused.status_code == 400 and "Урок" in refused.content.decode()


def test_bad_question_input_names_the_field_and_never_500s(demo_world: Any) -> None:
    teacher = client_of(demo_world, "teacher")
    url = reverse("testing:question_new")
    response = teacher.post(
        url, {"subject": demo_world.subject.id, "kind": "single", "text": "?", "options": "один",
              "correct": "5", "points": "1"},
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400 and "не меньше 2 строк" in page
    for data in (
        {"subject": "x", "kind": "zzz", "points": "-1"},
        {"subject": demo_world.subject.id, "kind": "number", "text": "x" * 5000, "points": "1"},
        {
            "subject": demo_world.subject.id,
            "kind": "number",
            "text": "?",
            "value": "1e999999",
            "points": "1",
        },
    ):
        assert teacher.post(url, data).status_code == 400


@pytest.mark.parametrize(
    ("role", "name", "budget"),
    [
        ("student", "testing:index", 14),
        ("teacher", "testing:index", 18),
        ("teacher", "testing:bank", 16),
        ("teacher", "testing:results", 16),
        ("teacher", "testing:test_edit", 22),
        ("student", "testing:attempt", 16),
        ("student", "testing:take", 16),
        ("teacher", "testing:review", 22),
    ],
)
def test_query_budget_does_not_grow(
    demo_world: Any, django_assert_max_num_queries: Any, role: str, name: str, budget: int
) -> None:
    test = demo_test(demo_world)
    for student in [demo_world.student, demo_world.other_family_student]:
        services.attempt_finish(attempt=services.attempt_start(test=test, student=student))
    attempt = start(demo_world)  # the second, unfinished
    kwargs = {
        "testing:results": {"test_id": test.id},
        "testing:test_edit": {"test_id": test.id},
        "testing:attempt": {"attempt_id": attempt.id},
        "testing:take": {"test_id": test.id},
        "testing:review": {"attempt_id": attempt.id},
    }.get(name)
    client = client_of(demo_world, role)
    url = reverse(name, kwargs=kwargs)
    client.get(url)
    with django_assert_max_num_queries(budget):
        assert client.get(url).status_code == 200


def test_a_new_test_sent_twice_is_created_once(demo_world: Any) -> None:
    teacher = client_of(demo_world, "teacher")
    now = clock.now()
    data = {
        "subject": demo_world.subject.id, "title": "Дважды", "release_mode": "manual",
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "attempts_allowed": "1", "mark5_percent": "85", "mark4_percent": "65",
        "mark3_percent": "45", "form_token": "same-token-twice",
    }  # fmt: skip
    first = teacher.post(reverse("testing:test_new"), data)
    second = teacher.post(reverse("testing:test_new"), data)
    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert Test.objects.filter(title="Дважды").count() == 1


def _fields(page: str) -> dict[str, list[str]]:
    """Each select of the answer form: its name and its options' values (without «—»)."""
    return {
        name: re.findall(r'<option value="(\d+)"', body)
        for name, body in re.findall(r'<select[^>]* name="(\w+)"[^>]*>(.*?)</select>', page, re.S)
    }


@pytest.mark.parametrize("shuffle", [False, True])
def test_matching_and_ordering_fields_do_not_give_the_answer_away(
    demo_world: Any, shuffle: bool
) -> None:
    test = demo_test(demo_world)
    Test.objects.filter(pk=test.pk).update(shuffle_options=shuffle)
    attempt = services.attempt_start(test=test, student=demo_world.student, seed=7)
    student = client_of(demo_world, "student")
    page_url = reverse("testing:attempt", args=[attempt.id])
    answer = reverse("testing:answer", args=[attempt.id])
    for kind in ("matching", "ordering"):
        aq = attempt.questions.select_related("question").get(question__kind=kind)
        fields = _fields(student.get(page_url, {"q": aq.position}).content.decode())
        size = len(fields)
        assert size >= 2 and all(
            sorted(v) == [str(i) for i in range(size)] for v in fields.values()
        )
        # every field given the value equal to its own number: not the right answer
        naive = {name: [name.split("_")[1]] for name in fields}
        student.post(answer, {"position": aq.position, **naive}, **JSON)
        aq.refresh_from_db()
        assert aq.answer != list(range(size))
        assert services.answer_score(aq.question, aq.points, aq.answer) < aq.points
        # the right answer through the displayed names and values scores in full
        right = services.answer_fields(aq, list(range(size)))
        assert set(right) == set(fields)
        student.post(answer, {"position": aq.position, **right}, **JSON)
        aq.refresh_from_db()
        assert services.answer_score(aq.question, aq.points, aq.answer) == aq.points


def _graded_attempt(world: Any) -> Attempt:
    attempt = start(world)
    services.attempt_finish(attempt=attempt)
    free = attempt.questions.get(question__kind="free")
    return services.answer_grade(attempt_question=free, score=0, by=world.users["teacher"])


def _journal_lesson(world: Any) -> Lesson:
    return (
        Lesson.objects.filter(
            class_unit=world.class_unit, subject=world.subject, date__lte=clock.today()
        )
        .order_by("-date")
        .first()
    )


def test_journal_form_defaults_to_the_lessons_and_a_changed_cell_is_no_500(
    demo_world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shkola.journal import services as journal_services

    attempt = _graded_attempt(demo_world)
    teacher = client_of(demo_world, "teacher")
    url = reverse("testing:review", args=[attempt.id])
    page = teacher.get(url).content.decode()
    assert re.search(r'<option value="" selected>как у урока</option>', page)

    def conflict(**kw: Any) -> None:
        raise journal_services.CellConflict(None)

    monkeypatch.setattr(journal_services, "mark_set", conflict)
    lesson = _journal_lesson(demo_world)
    response = teacher.post(url, {"action": "journal", "lesson": lesson.id, "control_form": ""})
    assert response.status_code == 400
    assert "Клетку журнала только что изменили" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.journal_lesson_id is None


def test_the_administration_sees_a_review_but_cannot_post_to_it(demo_world: Any) -> None:
    attempt = start(demo_world)
    services.attempt_finish(attempt=attempt)
    curator = client_of(demo_world, "curator")
    url = reverse("testing:review", args=[attempt.id])
    assert curator.get(url).status_code == 200
    free = position_of(attempt, "free")
    assert curator.post(url, {"action": "grade", "position": free, "score": "3"}).status_code == 404
    lesson = _journal_lesson(demo_world)
    assert curator.post(url, {"action": "journal", "lesson": lesson.id}).status_code == 404
    assert curator.post(url, {"action": "portfolio"}).status_code == 404
    assert attempt.questions.get(position=free).score == 0


def test_a_teacher_of_two_schools_writes_into_the_subjects_school(world: Any) -> None:
    from shkola.accounts.models import Role, RoleAssignment
    from shkola.core.testing.factories import make_school

    teacher = world.school.teacher
    other = make_school(subject_name="Физика")
    assert other.organisation.pk > world.school.organisation.pk  # min() would pick the first
    RoleAssignment.objects.create(user=teacher, role=Role.TEACHER, organisation=other.organisation)
    Question.objects.create(
        organisation=other.organisation, owner=teacher, subject=other.subject, kind="free",
        text="Почему?", data={},
    )  # fmt: skip
    client = Client()
    client.force_login(teacher)
    now = clock.now()
    data = {
        "action": "settings", "subject": other.subject.id, "title": "Сила", "release_mode": "manual",
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "attempts_allowed": "1", "mark5_percent": "85", "mark4_percent": "65",
        "mark3_percent": "45",
    }  # fmt: skip
    assert client.post(reverse("testing:test_new"), data).status_code == 302
    test = Test.objects.get(title="Сила")
    assert test.organisation_id == other.organisation.pk
    edit = reverse("testing:test_edit", args=[test.id])
    assert client.post(edit, {**data, "title": "Сила тяжести"}).status_code == 302
    test.refresh_from_db()
    assert test.title == "Сила тяжести" and test.organisation_id == other.organisation.pk
    # a question of the second school's subject goes into that school's bank
    response = client.post(
        reverse("testing:question_new"),
        {"subject": other.subject.id, "kind": "free", "text": "Зачем?", "points": "1"},
    )
    assert response.status_code == 302
    assert Question.objects.get(text="Зачем?").organisation_id == other.organisation.pk
