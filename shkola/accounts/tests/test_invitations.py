"""A3: codes per class, separately for students and parents; single use, expiring, revocable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from shkola.accounts import services
from shkola.accounts.models import Invitation, InvitationKind
from shkola.core.testing.factories import staff

pytestmark = pytest.mark.django_db


def test_generate_gives_one_code_per_student_and_kind_and_does_not_duplicate(school, codes):
    assert len(codes["student"]) == len(school.students)
    assert len(codes["parent"]) == len(school.students)
    assert {c.student for c in codes["parent"]} == set(school.students)
    again = services.invitation_generate(
        class_unit=school.class_unit, kind=InvitationKind.PARENT, actor=school.curator
    )
    assert again == []


def test_codes_expire_after_the_configured_days(school, settings):
    settings.SHKOLA = {**settings.SHKOLA, "INVITATION_DAYS": 10}
    [code, *_rest] = services.invitation_generate(
        class_unit=school.class_unit, kind=InvitationKind.STUDENT, actor=school.curator
    )
    assert dt.timedelta(days=9) < code.expires_at - code.created_at <= dt.timedelta(days=10)


def test_an_expired_code_says_so_with_its_date(school, codes):
    code = codes["student"][0]
    Invitation.objects.filter(pk=code.pk).update(expires_at=dt.datetime(2020, 1, 5, tzinfo=dt.UTC))
    with pytest.raises(ValidationError) as error:
        services.invitation_usable(code.code)
    assert "истёк" in str(error.value.message_dict["code"])
    assert "2020" in str(error.value.message_dict["code"])


def test_revoked_code_is_refused_and_reissue_gives_a_new_working_code(school, codes):
    old = codes["parent"][0]
    services.invitation_revoke(invitation=old, actor=school.curator)
    with pytest.raises(ValidationError, match="отозван"):
        services.invitation_usable(old.code)
    new = services.invitation_reissue(invitation=old, actor=school.curator)
    assert new.code != old.code and new.student == old.student
    assert services.invitation_usable(new.code.lower()) == new  # typed in lower case


def test_unknown_code_names_the_code(db):
    with pytest.raises(ValidationError, match="не найден"):
        services.invitation_usable("ZZZZ-ZZZZZ")


def test_used_code_cannot_be_revoked(school, codes):
    from .conftest import PARENT

    services.registration_complete(code=codes["parent"][0].code, **PARENT)
    used = Invitation.objects.get(pk=codes["parent"][0].pk)
    with pytest.raises(ValidationError, match="уже использован"):
        services.invitation_revoke(invitation=used, actor=school.curator)
    with pytest.raises(ValidationError, match="уже использован"):
        services.invitation_usable(used.code)


def test_curator_generates_and_prints_codes_for_a_class(client, school):
    client.force_login(school.curator)
    page = client.post(
        f"/accounts/invitations/class/{school.class_unit.id}/",
        {"kind": "parent"},
        follow=True,
    )
    assert "Создано кодов: 3" in page.content.decode()
    printed = client.get(f"/accounts/invitations/class/{school.class_unit.id}/print/?kind=parent")
    html = printed.content.decode()
    assert html.count('class="invitation-card"') == 3
    assert school.organisation.short_name in html
    assert "Родителю (законному представителю) обучающегося" in html
    assert "/accounts/register/" in html
    for code in Invitation.objects.filter(class_unit=school.class_unit):
        assert code.code in html


def test_teacher_and_other_school_curator_get_404(client, school):
    client.force_login(school.teacher)
    assert client.get(f"/accounts/invitations/class/{school.class_unit.id}/").status_code == 404
    from shkola.core.testing.factories import OrganisationFactory

    other_curator = staff(OrganisationFactory(), "curator")
    client.force_login(other_curator)
    assert client.get(f"/accounts/invitations/class/{school.class_unit.id}/").status_code == 404
    code = services.invitation_generate(
        class_unit=school.class_unit, kind="student", actor=school.curator
    )[0]
    assert client.post(f"/accounts/invitations/{code.pk}/revoke/").status_code == 404
    code.refresh_from_db()
    assert code.revoked_at is None


def test_class_page_query_count_does_not_grow(client, school, codes, django_assert_max_num_queries):
    client.force_login(school.curator)
    url = f"/accounts/invitations/class/{school.class_unit.id}/"
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200
    from shkola.core.testing.factories import enrol

    for _i in range(5):
        enrol(school, school.class_unit)
    services.invitation_generate(class_unit=school.class_unit, kind="parent", actor=school.curator)
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200
