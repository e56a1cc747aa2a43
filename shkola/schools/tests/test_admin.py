"""The Django admin keeps the school's rules: a history line entered there moves the student."""

from __future__ import annotations

import datetime as dt

from shkola.core.testing.admin import add_inline_row, admin_form_data
from shkola.core.testing.factories import make_school
from shkola.schools.models import Student


def test_a_transfer_entered_in_the_admin_history_changes_the_current_class(admin_client):
    school = make_school(n_students=2)
    student = school.students[0]
    other_class, _students = school.add_class(7, "Б", n_students=1)
    url = f"/admin/schools/student/{student.pk}/change/"
    data = admin_form_data(admin_client.get(url))
    add_inline_row(
        data,
        "enrolments",
        action="transfer",
        date="01.10.2026",
        order_number="77-у",
        class_unit=other_class.pk,
        organisation=school.organisation.pk,
        class_type="general",
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    student = Student.objects.get(pk=student.pk)
    assert student.current_class == other_class
    assert student.enrolments.filter(date=dt.date(2026, 10, 1), order_number="77-у").exists()
