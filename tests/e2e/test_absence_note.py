"""Browser journey (F3, C6): the parent sends an absence note for days still to come, the
class teacher accepts it from «Записки от родителей», and the child's lessons of those days
are «у» in the journal before they are given; on a desktop and on a phone."""

from __future__ import annotations

import datetime as dt

import pytest

TODAY = dt.date(2026, 9, 9)  # a Wednesday


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 360, "height": 740}]
)
def test_parent_sends_a_note_and_the_class_teacher_accepts_it(
    live_server, page, viewport, sign_in, monkeypatch
):
    from shkola.absences.models import AbsenceNote
    from shkola.core.testing.factories import guardian_of, make_school
    from shkola.journal.models import Attendance

    monkeypatch.setenv("SHKOLA_TODAY", TODAY.isoformat())
    school = make_school(
        n_students=2, weekdays=(1, 2, 3, 4, 5), generate_lessons_until=dt.date(2026, 9, 30)
    )
    child = school.students[0]
    parent = guardian_of(child)

    # Given the parent writes a note for Thursday and Friday
    sign_in(page, live_server.url, parent.username)
    page.goto(live_server.url + "/absences/new/")
    page.fill("input[name=date_from]", "2026-09-10")
    page.fill("input[name=date_to]", "2026-09-11")
    page.select_option("select[name=reason]", "illness")
    page.fill("textarea[name=comment]", "Температура, будем дома")
    with page.expect_navigation():
        page.click("#note-form button[type=submit]")
    assert "на рассмотрении" in page.inner_text("main")
    note = AbsenceNote.objects.get(student=child)

    # When the class teacher accepts it from the queue
    page.context.clear_cookies()
    sign_in(page, live_server.url, school.class_teacher.username)
    page.goto(live_server.url + "/absences/queue/")
    with page.expect_navigation():
        page.click(f"#note-{note.id} a")
    with page.expect_navigation():
        page.click("button[value=accept]")
    assert "принята" in page.inner_text("main")

    # Then the lessons of both days, not given yet, are already «у»
    kinds = set(Attendance.objects.filter(student=child).values_list("lesson__date", "kind"))
    assert kinds == {(dt.date(2026, 9, 10), "у"), (dt.date(2026, 9, 11), "у")}
    assert not Attendance.objects.filter(student=school.students[1]).exists()
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1
    assert page.js_errors == [] and page.console_errors == []
