"""«Услуги» through HTTP: the parent's pages and application, the school's list, form and
decisions, bad input, the exports, and the query budgets."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shkola.core.testing.factories import enrol, guardian_of
from shkola.extras import services
from shkola.extras.models import Application, ApplicationStatus, Service

from .conftest import service_of

pytestmark = pytest.mark.django_db


def test_parent_applies_the_school_accepts_and_the_parent_sees_it(client, world):
    w = world
    client.force_login(w.parent)
    page = client.get(reverse("extras:family")).content.decode()
    assert "Робототехника" in page and "Оплата — по договору со школой" in page
    response = client.post(
        reverse("extras:service", args=[w.service.pk]),
        {"action": "apply", "student": w.student.pk, "comment": "Очень хочет"},
    )
    assert response.status_code == 302
    application = Application.objects.get(student=w.student)
    assert "На рассмотрении" in client.get(reverse("extras:family")).content.decode()

    client.force_login(w.school.curator)
    manage = reverse("extras:manage", args=[w.service.pk])
    assert "Очень хочет" in client.get(manage).content.decode()
    response = client.post(manage, {"action": "accept", "application": application.pk})
    assert response.status_code == 302

    client.force_login(w.parent)
    page = client.get(reverse("extras:family")).content.decode()
    assert "Принята" in page and "Занятия ребёнка" in page
    # The child sees the service too
    w.student.user = w.school.teacher.__class__.objects.create(username="kid")
    w.student.save(update_fields=["user"])
    client.force_login(w.student.user)
    assert "Робототехника" in client.get(reverse("extras:mine")).content.decode()


def test_there_is_no_payment_button_or_paid_status_anywhere(client, world):
    w = world
    client.force_login(w.parent)
    pages = [
        client.get(reverse("extras:family")).content.decode(),
        client.get(reverse("extras:service", args=[w.service.pk])).content.decode(),
    ]
    client.force_login(w.school.curator)
    pages.append(client.get(reverse("extras:manage", args=[w.service.pk])).content.decode())
    for page in pages:
        lowered = page.lower()
        assert "оплатить" not in lowered and "оплачено" not in lowered


def test_decline_needs_a_reason_and_the_parent_reads_it(client, world):
    w = world
    application = services.application_create(
        service=w.service, student=w.student, applicant=w.parent
    )
    client.force_login(w.school.curator)
    manage = reverse("extras:manage", args=[w.service.pk])
    response = client.post(manage, {"action": "decline", "application": application.pk})
    assert response.status_code == 400
    assert "Причина отказа: напишите причину" in response.content.decode()
    response = client.post(
        manage, {"action": "decline", "application": application.pk, "reason": "я" * 501}
    )
    assert response.status_code == 400 and "Причина: не больше 500" in response.content.decode()
    client.post(
        manage, {"action": "decline", "application": application.pk, "reason": "Группа набрана"}
    )
    client.force_login(w.parent)
    page = client.get(reverse("extras:family")).content.decode()
    assert "Отклонена" in page and "Группа набрана" in page


@pytest.mark.parametrize(
    "data",
    [
        {"action": "accept", "application": "x"},
        {"action": "accept", "application": "99999999999999999999"},
        {"action": "nonsense", "application": "1"},
        {},
    ],
)
def test_bad_decisions_are_refused_in_russian_not_500(client, world, data):
    client.force_login(world.school.curator)
    response = client.post(reverse("extras:manage", args=[world.service.pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Заявка: такой заявки у этой услуги нет." in body or "Неизвестное действие." in body


def test_the_parent_withdraws_and_cannot_touch_another_familys_application(client, world):
    w = world
    mine = services.application_create(service=w.service, student=w.student, applicant=w.parent)
    theirs = services.application_create(
        service=w.service, student=w.others[0], applicant=w.other_parents[0]
    )
    client.force_login(w.parent)
    url = reverse("extras:service", args=[w.service.pk])
    response = client.post(url, {"action": "withdraw", "application": theirs.pk})
    assert response.status_code == 400 and "такой заявки нет" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.status == ApplicationStatus.PENDING
    assert client.post(url, {"action": "withdraw", "application": mine.pk}).status_code == 302
    mine.refresh_from_db()
    assert mine.status == ApplicationStatus.WITHDRAWN


def test_bad_apply_input_names_the_field(client, world, school):
    w = world
    client.force_login(w.parent)
    url = reverse("extras:service", args=[w.service.pk])
    for student in ("", "abc", str(w.others[0].pk)):
        response = client.post(url, {"action": "apply", "student": student})
        assert response.status_code == 400
        assert "Ребёнок:" in response.content.decode()
    response = client.post(url, {"action": "apply", "student": w.student.pk, "comment": "я" * 501})
    assert response.status_code == 400
    assert "Комментарий: не больше 500" in response.content.decode()
    assert not Application.objects.filter(service=w.service).exists()


def test_a_two_school_family_sees_each_schools_services_for_that_child_only(
    client, world, other_school
):
    w = world
    elsewhere = other_school.students[0]
    for child in (elsewhere,):
        from shkola.schools.models import Guardianship

        guardian = w.parent.guardian
        Guardianship.objects.create(guardian=guardian, student=child, kind="mother")
    there = service_of(other_school, title="Футбол")
    client.force_login(w.parent)
    session = client.session
    session["active_student_id"] = w.student.pk
    session.save()
    page = client.get(reverse("extras:family")).content.decode()
    assert "Робототехника" in page and "Футбол" not in page
    session["active_student_id"] = elsewhere.pk
    session.save()
    page = client.get(reverse("extras:family")).content.decode()
    assert "Футбол" in page and "Робототехника" not in page
    # The other school's service offers only the child of that school
    page = client.get(reverse("extras:service", args=[there.pk])).content.decode()
    assert f'<option value="{elsewhere.pk}"' in page
    assert f'<option value="{w.student.pk}"' not in page
    response = client.post(
        reverse("extras:service", args=[there.pk]),
        {"action": "apply", "student": w.student.pk},
    )
    assert response.status_code == 400
    assert not Application.objects.filter(student=w.student).exists()


def test_the_curator_creates_a_service_and_bad_input_names_the_fields(client, school):
    client.force_login(school.curator)
    url = reverse("extras:create")
    response = client.post(
        url,
        {
            "title": "",
            "schedule": "",
            "capacity": "много",
            "price": "-5",
            "price_unit": "year",
            "status": "published",
            "grade_from": "12",
            "starts_on": "31.02.2026",
            "teacher": "99999999999999999999",
            "class_units": ["abc"],
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    for text in (
        "Название: заполните.",
        "Расписание: напишите, когда проходят занятия.",
        "Мест: введите целое число.",
        "Цена, ₽: не меньше 0.",
        "Цена за: выберите из списка.",
        "С класса: не больше 11.",
        "Занятия с: введите дату",
        "Педагог: выберите сотрудника школы из списка.",
        "Классы: выберите классы из списка.",
    ):
        assert text in body, text
    response = client.post(
        url,
        {
            "title": "=1+1 Шахматы",
            "schedule": "среда",
            "capacity": "8",
            "price": "0",
            "price_unit": "month",
            "status": "published",
            "teacher": school.teacher.pk,
            "class_units": [school.class_unit.pk],
        },
    )
    assert response.status_code == 302
    item = Service.objects.get(organisation=school.organisation)
    assert (item.capacity, item.is_free, item.teacher) == (8, True, school.teacher)
    assert list(item.class_units.all()) == [school.class_unit]
    edit = reverse("extras:edit", args=[item.pk])
    assert client.get(edit).status_code == 200
    response = client.post(
        edit,
        {
            "title": "Шахматы",
            "schedule": "среда",
            "capacity": "9",
            "price": "500",
            "price_unit": "course",
            "status": "closed",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.price_text, item.status) == ("Шахматы", "500 ₽ за курс", "closed")


def test_the_exports_keep_text_as_text(client, world):
    w = world
    w.student.last_name = "=HYPERLINK(1)"
    w.student.save(update_fields=["last_name"])
    services.application_create(
        service=w.service, student=w.student, applicant=w.parent, comment="=1+1"
    )
    client.force_login(w.school.curator)
    response = client.get(reverse("extras:manage_xlsx", args=[w.service.pk]))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(r for r in rows if r and r[0] == "№")
    assert header[1:5] == ["Ребёнок", "Класс", "Родитель", "Состояние"]
    line = rows[rows.index(header) + 1]
    assert line[1].startswith("=HYPERLINK(1)") and line[2] == "7А"
    assert line[4] == "На рассмотрении" and line[8] == "=1+1"
    cell = sheet.cell(row=rows.index(header) + 2, column=2)
    assert cell.data_type == "s"
    response = client.get(reverse("extras:school_xlsx"))
    titles = [
        [c.value for c in row][0]
        for row in load_workbook(BytesIO(response.content)).active.iter_rows()
    ]
    assert "Робототехника" in titles


def _more_applications(w, school, n):
    for _ in range(n):
        child = enrol(school, school.class_unit)
        services.application_create(service=w.service, student=child, applicant=guardian_of(child))
        service_of(school, title=f"Кружок {child.pk}")


@pytest.mark.parametrize(
    "who,url_name,with_id",
    [
        ("parent", "extras:family", False),
        ("parent", "extras:service", True),
        ("curator", "extras:school", False),
        ("curator", "extras:manage", True),
        ("curator", "extras:manage_xlsx", True),
        ("curator", "extras:school_xlsx", False),
        ("curator", "extras:edit", True),
    ],
)
def test_query_budget_does_not_grow_with_the_data(
    client, world, school, who, url_name, with_id, django_assert_max_num_queries
):
    w = world
    services.application_create(service=w.service, student=w.student, applicant=w.parent)
    user = w.parent if who == "parent" else school.curator
    client.force_login(user)
    url = reverse(url_name, args=[w.service.pk] if with_id else None)
    with django_assert_max_num_queries(25):
        assert client.get(url).status_code == 200
    _more_applications(w, school, 6)
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    before = len(few.captured_queries)
    _more_applications(w, school, 6)
    with django_assert_max_num_queries(before) as more:
        client.get(url)
    assert len(more.captured_queries) == before


def test_the_students_page_costs_the_same_with_more_services(
    client, world, school, django_assert_max_num_queries
):
    from shkola.core.testing.factories import UserFactory

    w = world
    w.student.user = UserFactory()
    w.student.save(update_fields=["user"])
    client.force_login(w.student.user)

    def attend(n):
        for i in range(n):
            item = service_of(school, title=f"Кружок {i} {n}")
            application = services.application_create(
                service=item, student=w.student, applicant=w.parent
            )
            services.application_accept(application=application, by=school.curator)

    attend(1)
    with django_assert_max_num_queries(25) as few:
        assert "Кружок 0 1" in client.get(reverse("extras:mine")).content.decode()
    attend(5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "Кружок 4 5" in client.get(reverse("extras:mine")).content.decode()
