"""The roster's writes: students with their documents, the orders that move them, their
representatives and the staff — every bad input named in Russian, nothing saved lost, every
change in the audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from shkola.accounts.models import AuditEvent, Role, RoleAssignment
from shkola.core.testing.factories import make_school, subgroup, valid_snils
from shkola.roster import services
from shkola.schools.models import Enrolment, Guardian, Student

pytestmark = pytest.mark.django_db

GOOD = {
    "last_name": "Петрова",
    "first_name": "Анна",
    "middle_name": "Сергеевна",
    "birth_date": "2014-03-05",
    "sex": "f",
    "snils": "",
    "id_doc_kind": "birth_certificate",
    "id_doc_series": "II-АБ",
    "id_doc_number": "123456",
    "id_doc_issued_on": "05.04.2014",
    "id_doc_issued_by": "Отдел ЗАГС г. Энска",
    "address": "г. Энск, ул. Ленина, д. 1, кв. 2",
    "special_needs": True,
}


def test_a_student_is_created_with_documents_and_the_change_is_audited(school):
    snils = valid_snils(123456789)

    student = services.student_save(
        organisation=school.organisation,
        actor=school.curator,
        values={**GOOD, "snils": f"{snils[:3]}-{snils[3:6]}-{snils[6:9]} {snils[9:]}"},
    )

    student.refresh_from_db()
    assert student.snils == snils
    assert student.id_doc_issued_on == dt.date(2014, 4, 5)
    assert student.special_needs and student.address.startswith("г. Энск")
    assert student.current_class is None
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.STUDENT_CHANGE)
    assert event.actor == school.curator and event.organisation == school.organisation
    assert event.details["created"] is True and "snils" in event.details["fields"]


def test_a_wrong_snils_checksum_and_other_mistakes_are_named_and_nothing_changes(school):
    student = school.students[0]
    before = (student.last_name, student.snils)
    bad = valid_snils(123456789)[:-2] + "00"

    with pytest.raises(ValidationError) as error:
        services.student_save(
            organisation=school.organisation,
            actor=school.curator,
            student=student,
            values={**GOOD, "snils": bad, "last_name": "", "sex": "x", "birth_date": "31.02.2014"},
        )

    errors = error.value.message_dict
    assert "контрольное число" in errors["snils"][0]
    assert errors["last_name"] == ["Фамилия: обязательное поле."]
    assert errors["sex"][0].startswith("Пол:")
    assert errors["birth_date"][0].startswith("Дата рождения:")
    student.refresh_from_db()
    assert (student.last_name, student.snils) == before
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.STUDENT_CHANGE).exists()


def test_a_snils_already_taken_by_another_student_is_refused(school):
    snils = valid_snils(223456789)
    Student.objects.filter(pk=school.students[1].pk).update(snils=snils)

    with pytest.raises(ValidationError) as error:
        services.student_save(
            organisation=school.organisation,
            actor=school.curator,
            values={**GOOD, "snils": snils},
        )

    assert "уже есть" in error.value.message_dict["snils"][0]


def test_enrolment_puts_a_new_student_in_a_class_and_writes_the_history(school):
    student = services.student_save(
        organisation=school.organisation, actor=school.curator, values=GOOD
    )

    services.student_enrol(
        organisation=school.organisation,
        actor=school.curator,
        student=student,
        class_unit_id=str(school.class_unit.id),
        date="2026-09-01",
        order_number=" 15-у ",
    )

    student.refresh_from_db()
    assert student.current_class == school.class_unit
    line = Enrolment.objects.get(student=student)
    assert (line.action, line.order_number, line.date) == ("admit", "15-у", dt.date(2026, 9, 1))
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ENROLMENT).count() == 1


def test_transfer_closes_the_old_class_and_opens_the_new_one_on_the_order_date(school):
    new_class, _ = school.add_class(7, "Б", n_students=0)
    student = school.students[0]
    group = subgroup(school, "Английский, 1 гр.", [student])

    services.student_transfer(
        organisation=school.organisation,
        actor=school.curator,
        student=student,
        class_unit_id=new_class.id,
        date="2026-11-10",
        order_number="42-п",
    )

    student.refresh_from_db()
    assert student.current_class == new_class
    history = list(Enrolment.objects.filter(student=student).order_by("date", "id"))
    assert [(h.action, h.class_unit_id) for h in history] == [
        ("admit", school.class_unit.id),
        ("transfer", new_class.id),
    ]
    assert not group.students.filter(pk=student.pk).exists()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ENROLMENT)
    assert event.details["from_class"] == school.class_unit.name


def test_transfer_to_another_schools_class_outside_the_year_without_a_number_is_refused(school):
    other = make_school(n_students=0)
    student = school.students[0]

    with pytest.raises(ValidationError) as error:
        services.student_transfer(
            organisation=school.organisation,
            actor=school.curator,
            student=student,
            class_unit_id=other.class_unit.id,
            date="2027-07-01",
            order_number="  ",
        )

    errors = error.value.message_dict
    assert errors["class_unit"] == ["Класс: выберите класс своей школы из списка."]
    assert errors["order_number"] == ["Номер приказа: обязательное поле."]
    assert "внутри учебного года 2026/2027" in errors["date"][0]
    student.refresh_from_db()
    assert student.current_class == school.class_unit
    assert Enrolment.objects.filter(student=student).count() == 1


def test_an_order_dated_before_the_last_history_line_is_refused(school):
    new_class, _ = school.add_class(7, "Б", n_students=0)
    student = school.students[0]
    services.student_transfer(
        organisation=school.organisation,
        actor=school.curator,
        student=student,
        class_unit_id=new_class.id,
        date="2026-11-10",
        order_number="42-п",
    )

    with pytest.raises(ValidationError) as error:
        services.student_expel(
            organisation=school.organisation,
            actor=school.curator,
            student=student,
            date="2026-10-01",
            order_number="50-в",
        )

    assert "раньше последней записи" in error.value.message_dict["date"][0]


def test_transfer_into_the_same_class_and_enrolment_of_an_enrolled_student_are_refused(school):
    student = school.students[0]

    with pytest.raises(ValidationError) as same:
        services.student_transfer(
            organisation=school.organisation,
            actor=school.curator,
            student=student,
            class_unit_id=school.class_unit.id,
            date="2026-10-01",
            order_number="1",
        )
    with pytest.raises(ValidationError) as again:
        services.student_enrol(
            organisation=school.organisation,
            actor=school.curator,
            student=student,
            class_unit_id=school.class_unit.id,
            date="2026-10-01",
            order_number="1",
        )

    assert "выберите другой класс" in same.value.message_dict["class_unit"][0]
    assert "оформите перевод" in again.value.message_dict["class_unit"][0]


def test_expulsion_leaves_the_class_and_a_student_not_enrolled_cannot_be_expelled(school):
    student = school.students[0]

    services.student_expel(
        organisation=school.organisation,
        actor=school.curator,
        student=student,
        date="2026-12-01",
        order_number="77-в",
    )
    student.refresh_from_db()
    assert student.current_class is None
    assert student.organisation == school.organisation

    with pytest.raises(ValidationError) as error:
        services.student_expel(
            organisation=school.organisation,
            actor=school.curator,
            student=student,
            date="2026-12-02",
            order_number="78-в",
        )
    assert "отчислять некого" in error.value.message_dict["student"][0]
    assert Enrolment.objects.filter(student=student).count() == 2


def test_a_guardian_is_created_linked_and_reused_by_snils_then_unlinked(school):
    snils = valid_snils(323456789)
    first, second = school.students[:2]
    values = {
        "kind": "mother",
        "last_name": "Иванова",
        "first_name": "Мария",
        "phone": "8 916 123-45-67",
        "email": "ivanova@example.org",
        "snils": snils,
    }

    link = services.guardian_attach(
        organisation=school.organisation, actor=school.curator, student=first, values=values
    )
    again = services.guardian_attach(
        organisation=school.organisation, actor=school.curator, student=second, values=values
    )

    assert link.guardian == again.guardian
    assert Guardian.objects.filter(snils=snils).count() == 1
    assert link.guardian.phone == "+79161234567"
    services.guardian_detach(
        organisation=school.organisation, actor=school.curator, guardianship=link
    )
    assert not first.guardianships.exists() and second.guardianships.count() == 1
    kinds = list(
        AuditEvent.objects.filter(kind=AuditEvent.Kind.GUARDIAN_CHANGE).values_list(
            "details__linked", flat=True
        )
    )
    assert sorted(kinds) == [False, True, True]


def test_a_guardian_with_bad_fields_is_refused_with_every_field_named(school):
    with pytest.raises(ValidationError) as error:
        services.guardian_attach(
            organisation=school.organisation,
            actor=school.curator,
            student=school.students[0],
            values={
                "kind": "aunt",
                "last_name": "",
                "first_name": "Мария",
                "phone": "123",
                "email": "not-an-email",
                "snils": "123",
            },
        )

    errors = error.value.message_dict
    assert set(errors) == {"kind", "last_name", "phone", "email", "snils"}
    assert errors["snils"][0].startswith("СНИЛС:")
    assert not Guardian.objects.filter(first_name="Мария", last_name="").exists()


def test_staff_is_created_with_roles_and_a_one_time_password(school):
    user, password = services.staff_create(
        organisation=school.organisation,
        actor=school.curator,
        values={
            "last_name": "Смирнова",
            "first_name": "Ольга",
            "username": "smirnova.o",
            "specialist_kind": "psychologist",
        },
        roles=["teacher", "specialist"],
    )

    assert user.check_password(password) and user.must_change_password
    assert set(
        RoleAssignment.objects.filter(user=user, organisation=school.organisation).values_list(
            "role", flat=True
        )
    ) == {"teacher", "specialist"}
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.STAFF_CREATE, subject_user=user).exists()
    assert (
        AuditEvent.objects.filter(kind=AuditEvent.Kind.ROLE_CHANGE, subject_user=user).count() == 2
    )


def test_staff_with_a_taken_login_and_no_roles_is_refused(school):
    with pytest.raises(ValidationError) as error:
        services.staff_create(
            organisation=school.organisation,
            actor=school.curator,
            values={
                "last_name": "Смирнова",
                "first_name": "Ольга",
                "username": school.teacher.username,
            },
            roles=[],
        )

    errors = error.value.message_dict
    assert "уже занят" in errors["username"][0]
    assert errors["roles"] == ["Роли: отметьте хотя бы одну роль."]


def test_a_role_is_added_and_ended_but_the_last_admin_role_of_oneself_stays(school):
    assignment = services.staff_role_add(
        organisation=school.organisation,
        actor=school.curator,
        user=school.teacher,
        role=Role.DEPUTY,
    )
    services.staff_role_end(
        organisation=school.organisation, actor=school.curator, assignment=assignment
    )
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()

    own = RoleAssignment.objects.get(user=school.curator, role=Role.CURATOR)
    with pytest.raises(ValidationError) as error:
        services.staff_role_end(
            organisation=school.organisation, actor=school.curator, assignment=own
        )
    assert "последнюю административную роль" in error.value.message_dict["role"][0]
    with pytest.raises(ValidationError) as twice:
        services.staff_role_add(
            organisation=school.organisation,
            actor=school.curator,
            user=school.teacher,
            role=Role.TEACHER,
        )
    assert "уже есть" in twice.value.message_dict["role"][0]
