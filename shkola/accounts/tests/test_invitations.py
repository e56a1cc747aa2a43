"""A3: codes per class, separately for students and parents; single use, expiring, revocable."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from shkola.accounts import services
from shkola.accounts.models import AuditEvent, Invitation, InvitationKind
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
    with django_assert_max_num_queries(21):  # (+1: the unread-messages counter)
        assert client.get(url).status_code == 200
    from shkola.core.testing.factories import enrol

    for _i in range(5):
        enrol(school, school.class_unit)
    services.invitation_generate(class_unit=school.class_unit, kind="parent", actor=school.curator)
    with django_assert_max_num_queries(21):  # (+1: the unread-messages counter)
        assert client.get(url).status_code == 200


def _register_with(code: str) -> str:
    """A family types the code on the registration page; what the page then says."""
    page = Client().post("/accounts/register/", {"code": code}, follow=True)
    return page.content.decode()


def test_curator_revokes_a_code_and_registration_with_it_says_it_was_revoked(client, school, codes):
    code = codes["parent"][0]
    client.force_login(school.curator)
    page = client.post(f"/accounts/invitations/{code.pk}/revoke/", follow=True)
    assert page.redirect_chain[-1][0] == f"/accounts/invitations/class/{school.class_unit.id}/"
    assert f"Код {code.code} отозван." in page.content.decode()

    assert f"Код {code.code} отозван куратором школы. Попросите новый код." in _register_with(
        code.code
    )
    log = client.get("/accounts/audit/", {"kind": "invitation_revoke"}).content.decode()
    assert "Отзыв пригласительного кода" in log
    assert code.code in log and code.student.full_name in log


def test_curator_reissues_a_code_the_new_one_registers_and_the_old_one_is_refused(
    client, school, codes
):
    old = codes["student"][0]
    client.force_login(school.curator)
    page = client.post(f"/accounts/invitations/{old.pk}/reissue/", follow=True).content.decode()
    found = re.search(r"Выдан новый код (\w+) для ", page)
    assert found, page
    new_code = found.group(1)
    assert new_code != old.code
    assert "прежний код больше не действует" in page

    assert f"Код {old.code} отозван куратором школы" in _register_with(old.code)
    pupil = Client()
    details = pupil.post("/accounts/register/", {"code": new_code}, follow=True)
    assert details.redirect_chain[-1][0] == "/accounts/register/details/"
    done = pupil.post(
        "/accounts/register/details/",
        {"username": "pupil.new", "password": "Green-Meadow-77", "password2": "Green-Meadow-77"},
        follow=True,
    )
    assert "Регистрация успешно завершена" in done.content.decode()

    log = client.get("/accounts/audit/").content.decode()
    assert "Замена пригласительного кода" in log and old.code in log
    assert "Выдача пригласительных кодов" in log  # the codes fixture handed them out


def test_handing_out_codes_is_in_the_schools_security_log(client, school):
    client.force_login(school.curator)
    client.post(f"/accounts/invitations/class/{school.class_unit.id}/", {"kind": "parent"})
    log = client.get("/accounts/audit/", {"kind": "invitation_generate"}).content.decode()
    assert "Выдача пригласительных кодов" in log
    assert f"{school.class_unit.name}, для родителя: кодов 3" in log
    event = AuditEvent.objects.get(kind="invitation_generate")
    assert event.actor == school.curator and event.organisation == school.organisation
