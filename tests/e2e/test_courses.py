"""Browser journey (G1): on a 360-px phone the student opens a course module and sends an
assignment with a file; the teacher returns it with feedback and a mark that lands in the
journal on a chosen lesson; the parent sees the child's progress and the feedback."""

from __future__ import annotations

import datetime as dt

import pytest

TODAY = dt.date(2026, 9, 16)  # a Wednesday


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [{"width": 360, "height": 740}])
def test_student_sends_work_teacher_marks_it_parent_sees_progress(
    live_server, page, viewport, sign_in, monkeypatch, tmp_path
):
    from shkola.core.testing.factories import UserFactory, guardian_of, make_school
    from shkola.courses import services
    from shkola.journal.models import Mark

    monkeypatch.setenv("SHKOLA_TODAY", TODAY.isoformat())
    school = make_school(n_students=2, generate_lessons_until=dt.date(2026, 9, 30))
    child = school.students[0]
    child.user = UserFactory()
    child.save(update_fields=["user"])
    parent = guardian_of(child)
    course = services.course_create(
        organisation=school.organisation,
        by=school.teacher,
        title="Текстовые задачи",
        subject=school.subject,
        teachers=[school.teacher],
        class_units=[school.class_unit],
    )
    module = services.module_create(course=course, title="Задачи на движение")
    services.material_add(
        module=module, kind="text", title="Памятка", text="<p>Читайте условие <b>дважды</b>.</p>"
    )
    task = services.assignment_create(
        module=module, title="Три задачи", instructions="Решите и приложите фото.", is_marked=True
    )
    photo = tmp_path / "reshenie.pdf"
    photo.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    # Given the student opens the module from «Курсы» and sends the work with a file
    sign_in(page, live_server.url, child.user.username)
    page.goto(live_server.url + "/courses/")
    with page.expect_navigation():
        page.click(f"#course-{course.id} a")
    with page.expect_navigation():
        page.click(f"#module-{module.id} h3 a")
    assert "дважды" in page.inner_text(".material-text")
    with page.expect_navigation():
        page.click(f"#assignment-{task.id} a")
    page.fill("textarea[name=text]", "x + (x + 10) = 90, x = 40")
    page.set_input_files("input[name=attachments]", str(photo))
    with page.expect_navigation():
        page.click("#work-form button[type=submit]")
    assert "ждёт проверки" in page.inner_text("#my-work")
    assert "reshenie.pdf" in page.inner_text("#my-work")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1

    # When the teacher returns it with feedback and a «5» on Monday's lesson
    page.context.clear_cookies()
    sign_in(page, live_server.url, school.teacher.username)
    page.goto(live_server.url + f"/courses/assignments/{task.id}/")
    with page.expect_navigation():
        page.click(f"#works a:has-text('{child.last_name}')")
    page.fill("textarea[name=feedback]", "Верно, молодец!")
    page.select_option("select[name=mark]", "5")
    page.select_option("select[name=lesson]", label="14 сентября, 2 урок")
    page.select_option("select[name=control_form]", label="Самостоятельная работа (3)")
    with page.expect_navigation():
        page.click("#return-form button[type=submit]")
    assert "в журнале" in page.inner_text("main")

    # Then the mark is in the journal on that lesson, with the control form's weight
    mark = Mark.objects.get(student=child)
    assert (mark.value, mark.lesson.date, mark.weight) == ("5", dt.date(2026, 9, 14), 3)

    # And the parent sees the progress and the feedback
    page.context.clear_cookies()
    sign_in(page, live_server.url, parent.username)
    page.goto(live_server.url + "/courses/")
    card = page.inner_text(f"#course-{course.id}")
    assert "проверено: 1" in card and "5" in card
    with page.expect_navigation():
        page.click(f"#course-{course.id} a")
    assert "Верно, молодец!" in page.inner_text("main")
    assert page.js_errors == [] and page.console_errors == []
