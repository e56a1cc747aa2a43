"""The roster pages through HTTP: the lists within a fixed query budget, every form's bad
input answered with the field named and the typed values kept, and only the school's own
people reachable."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from shkola.accounts.models import Role, RoleAssignment
from shkola.core.testing.factories import make_school, staff, valid_snils
from shkola.schools.models import Enrolment, Student

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_the_student_list_keeps_its_query_budget_as_the_school_grows(
    school, django_assert_max_num_queries
):
    client = as_user(school.curator)
    client.get("/roster/students/")
    school.add_class(8, "Б", n_students=25)

    with django_assert_max_num_queries(20):
        page = client.get("/roster/students/")

    assert page.status_code == 200
    assert page.content.decode().count('href="/roster/students/') >= 28


def test_the_staff_list_keeps_its_query_budget(school, django_assert_max_num_queries):
    client = as_user(school.curator)
    for _ in range(15):
        staff(school.organisation, Role.TEACHER)

    with django_assert_max_num_queries(22):
        page = client.get("/roster/staff/")

    assert page.status_code == 200
    assert "18 сотрудников" in text(page)


def test_the_student_card_keeps_its_query_budget(school, django_assert_max_num_queries):
    client = as_user(school.curator)
    student = school.students[0]

    # 24 + 2 for the access log (H2): whether the viewer is the child's own parent (then not
    # logged), and the row's INSERT.
    with django_assert_max_num_queries(26):
        page = client.get(f"/roster/students/{student.id}/")

    assert page.status_code == 200
    assert "История обучения" in text(page)


def test_a_student_is_added_and_a_wrong_snils_keeps_every_typed_value(school):
    client = as_user(school.curator)
    bad = valid_snils(423456789)[:-2] + "00"
    form = {
        "last_name": "Кузнецов",
        "first_name": "Илья",
        "birth_date": "2013-01-20",
        "sex": "m",
        "snils": bad,
        "address": "ул. Садовая, 5",
    }

    refused = client.post("/roster/students/add/", form)

    assert refused.status_code == 422
    assert "СНИЛС указан неверно" in text(refused)
    assert 'value="Кузнецов"' in refused.content.decode()
    assert 'value="ул. Садовая, 5"' in refused.content.decode()
    assert not Student.objects.filter(last_name="Кузнецов").exists()

    saved = client.post("/roster/students/add/", {**form, "snils": valid_snils(423456789)})
    student = Student.objects.get(last_name="Кузнецов")
    assert saved.status_code == 302 and saved["Location"] == f"/roster/students/{student.id}/"


def test_the_transfer_form_names_the_class_the_date_and_the_order_number(school):
    other = make_school(n_students=0)
    student = school.students[0]
    client = as_user(school.curator)

    refused = client.post(
        f"/roster/students/{student.id}/transfer/",
        {"class_unit": str(other.class_unit.id), "date": "2025-01-01", "order_number": ""},
    )

    assert refused.status_code == 422
    body = text(refused)
    assert "Класс: выберите класс своей школы из списка." in body
    assert "Номер приказа: обязательное поле." in body
    assert "внутри учебного года" in body
    assert Enrolment.objects.filter(student=student).count() == 1


def test_a_transfer_moves_the_student_and_shows_in_the_history(school):
    new_class, _ = school.add_class(7, "Б", n_students=0)
    student = school.students[0]
    client = as_user(school.curator)

    done = client.post(
        f"/roster/students/{student.id}/transfer/",
        {"class_unit": str(new_class.id), "date": "2026-10-05", "order_number": "31-п"},
    )

    assert done.status_code == 302
    student.refresh_from_db()
    assert student.current_class == new_class
    card = text(client.get(f"/roster/students/{student.id}/"))
    assert "№ 31-п от 05.10.2026" in card
    assert "01.09.2026 — 05.10.2026" in card
    log = text(client.get("/accounts/audit/"))
    assert (
        f"Перевод в другой класс: {student.full_name}, {school.class_unit.name} → 7Б, "
        "приказ № 31-п от 05.10.2026"
    ) in log


def test_garbage_in_every_form_is_a_named_error_never_a_500(school):
    client = as_user(school.curator)
    student = school.students[0]
    garbage = {
        "class_unit": "99999999999999999999999",
        "date": "𝟚𝟘𝟚𝟞-𝟙𝟘-𝟘𝟙",
        "order_number": "x" * 60,
        "birth_date": "yesterday",
        "sex": "?",
        "kind": "x",
        "roles": ["god"],
        "role": "god",
        "specialist_kind": "wizard",
        "last_name": "Фамилия",
        "first_name": "Имя",
        "username": "нельзя",
        "id_doc_issued_on": "2099-01-01",
    }
    for url in (
        "/roster/students/add/",
        f"/roster/students/{student.id}/edit/",
        f"/roster/students/{student.id}/transfer/",
        f"/roster/students/{student.id}/expel/",
        f"/roster/students/{student.id}/enrol/",
        f"/roster/students/{student.id}/guardians/add/",
        "/roster/staff/add/",
        f"/roster/staff/{school.teacher.id}/",
    ):
        answer = client.post(url, garbage)
        assert answer.status_code == 422, url
        assert "исправьте" in text(answer), url


def test_a_staff_member_gets_a_printable_one_time_password_shown_once(school):
    client = as_user(school.curator)

    sheet = client.post(
        "/roster/staff/add/",
        {"last_name": "Орлова", "first_name": "Вера", "username": "orlova.v", "roles": ["teacher"]},
    )

    assert sheet.status_code == 200
    assert "no-store" in sheet["Cache-Control"]
    password = re.search(r'id="sheet-password">([^<]+)<', sheet.content.decode())
    assert password
    member = RoleAssignment.objects.get(user__username="orlova.v").user
    assert member.check_password(password.group(1)) and member.must_change_password
    assert password.group(1) not in client.get(f"/roster/staff/{member.id}/").content.decode()


def test_the_curator_of_one_school_gets_404_for_anothers_people(school):
    other = make_school(n_students=1)
    client = as_user(school.curator)
    role = RoleAssignment.objects.filter(user=other.teacher).first()

    for url in (
        f"/roster/students/{other.students[0].id}/",
        f"/roster/students/{other.students[0].id}/transfer/",
        f"/roster/staff/{other.teacher.id}/",
        f"/roster/roles/{role.id}/end/",
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"role": "teacher"}).status_code == 404, url
    assert as_user(school.teacher).get("/roster/students/").status_code == 404


def test_a_guardian_is_linked_and_unlinked_through_the_pages(school):
    client = as_user(school.curator)
    student = school.students[0]

    client.post(
        f"/roster/students/{student.id}/guardians/add/",
        {"kind": "father", "last_name": "Петров", "first_name": "Олег"},
    )
    link = student.guardianships.get(guardian__last_name="Петров")
    assert "Петров Олег" in text(client.get(f"/roster/students/{student.id}/"))
    ask = client.get(f"/roster/students/{student.id}/guardians/{link.id}/unlink/")
    assert ask.status_code == 200 and link.guardian.full_name in text(ask)

    client.post(f"/roster/students/{student.id}/guardians/{link.id}/unlink/")

    assert not student.guardianships.filter(pk=link.pk).exists()


def test_only_the_administration_writes_and_finds_the_pages_in_the_school_menu(school):
    before = Student.objects.count()
    for user in (school.teacher, school.class_teacher):
        client = as_user(user)
        answer = client.post(
            "/roster/students/add/",
            {"last_name": "Чужой", "first_name": "Ученик", "birth_date": "2014-01-01", "sex": "m"},
        )
        assert answer.status_code == 404
        assert client.post("/roster/staff/add/", {"username": "intruder"}).status_code == 404
        assert 'href="/roster/staff/"' not in client.get("/").content.decode()
    assert Student.objects.count() == before
    home = as_user(school.curator).get("/").content.decode()
    assert 'href="/roster/students/"' in home and 'href="/roster/staff/"' in home
