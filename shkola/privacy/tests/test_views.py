"""The personal-data pages through the test client: what each person sees and may do."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.test import Client
from openpyxl import load_workbook

from shkola.accounts.models import AuditEvent, User
from shkola.core.testing.factories import guardian_of, make_school
from shkola.privacy import acts, services
from shkola.privacy.models import Consent, Destruction, DestructionStatus

from .conftest import pdf_text

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_parent_sees_each_consent_with_date_and_version_and_withdraws_one(family, settings):
    settings.PERSONAL_DATA_DESTRUCTION_DAYS = 30
    consent = services.consent_give(user=family.parent, student=family.child, kind="parent")
    client = _client(family.parent)
    html = client.get("/privacy/").content.decode()
    assert f"версия {consent.text.version}" in html
    assert consent.given_at.astimezone().strftime("%d.%m.%Y") in html
    assert "Согласия на обработку персональных данных" in html
    # The sibling has no consent yet: its current text is offered with a separate tick.
    assert 'name="agree"' in html

    # Without the tick nothing is withdrawn, and the page says why.
    page = client.post(f"/privacy/consents/{consent.pk}/withdraw/", follow=True)
    assert "поставьте отметку" in page.content.decode()
    assert not Destruction.objects.exists()

    page = client.post(f"/privacy/consents/{consent.pk}/withdraw/", {"confirm": "on"}, follow=True)
    html = page.content.decode()
    assert "Согласие отозвано" in html and "уничтожение до" in html
    assert Destruction.objects.get(student=family.child).status == DestructionStatus.PENDING


def test_another_familys_consent_is_a_404(family):
    consent = services.consent_give(user=family.parent, student=family.child, kind="parent")
    stranger = guardian_of(family.school.students[2])
    response = _client(stranger).post(
        f"/privacy/consents/{consent.pk}/withdraw/", {"confirm": "on"}
    )
    assert response.status_code == 404
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None


def test_the_parent_gives_a_missing_consent_only_with_the_tick(family):
    client = _client(family.parent)
    client.post("/privacy/consents/give/", {"student": family.sibling.pk})
    assert not Consent.objects.filter(student=family.sibling).exists()
    client.post("/privacy/consents/give/", {"student": family.sibling.pk, "agree": "on"})
    assert Consent.objects.filter(student=family.sibling, user=family.parent).count() == 1
    # Someone else's child: a 404, nothing given.
    other = family.school.students[2]
    assert (
        client.post("/privacy/consents/give/", {"student": other.pk, "agree": "on"}).status_code
        == 404
    )
    assert client.post("/privacy/consents/give/", {"student": "x"}).status_code == 404


def test_the_curator_destroys_now_and_downloads_the_act(
    family, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(acts, "COMPRESS", False)
    consent = services.consent_give(user=family.parent, student=family.child, kind="parent")
    destruction = services.consent_withdraw(consent=consent, actor=family.parent)
    curator = _client(family.school.curator)
    listing = curator.get("/privacy/destructions/").content.decode()
    assert destruction.pseudonym in listing and "Запланированы" in listing
    assert curator.get(f"/privacy/destructions/{destruction.pk}/act/").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        curator.post(f"/privacy/destructions/{destruction.pk}/run/")
    html = curator.get(f"/privacy/destructions/{destruction.pk}/").content.decode()
    assert "выполнено" in html and "Связи с законными представителями" in html
    act = curator.get(f"/privacy/destructions/{destruction.pk}/act/")
    assert act["Content-Type"] == "application/pdf"
    text = pdf_text(act.content)
    assert f"Акт № {destruction.pk}" in text and family.school.curator.full_name in text
    # The parent still sees the consent they gave, under the pseudonym.
    consents_page = _client(family.parent).get("/privacy/").content.decode()
    assert destruction.pseudonym in consents_page and "Отозванные согласия" in consents_page
    # Another school's curator: a 404 for the page and the act.
    other = make_school(n_students=1)
    stranger = _client(other.curator)
    assert stranger.get(f"/privacy/destructions/{destruction.pk}/").status_code == 404
    assert stranger.get(f"/privacy/destructions/{destruction.pk}/act/").status_code == 404


def test_staff_opening_a_card_is_logged_and_the_family_sees_who(family):
    # The curator opens the child's card; the parent opens their own child's diary.
    card = _client(family.school.curator).get(f"/roster/students/{family.child.pk}/")
    assert card.status_code == 200
    _client(family.parent).get("/diary/")
    rows = AuditEvent.objects.filter(
        kind=AuditEvent.Kind.DATA_ACCESS, details__student=family.child.pk
    )
    assert [r.actor_id for r in rows] == [family.school.curator.pk]

    html = (
        _client(family.parent)
        .get(f"/privacy/access-log/?student={family.child.pk}")
        .content.decode()
    )
    assert family.school.curator.full_name in html
    assert "Карточка обучающегося" in html
    assert "Куратор" in html
    # The sibling's log is empty; a stranger's child is a 404.
    sibling = _client(family.parent).get(f"/privacy/access-log/?student={family.sibling.pk}")
    assert "Никто из сотрудников" in sibling.content.decode()
    other = family.school.students[2]
    assert _client(family.parent).get(f"/privacy/access-log/?student={other.pk}").status_code == 404


def test_access_log_page_queries_do_not_grow(family, django_assert_max_num_queries):
    for _ in range(30):
        AuditEvent.objects.create(
            kind=AuditEvent.Kind.DATA_ACCESS,
            actor=family.school.teacher,
            details={"student": family.child.pk, "page": "Портфолио"},
        )
    client = _client(family.parent)
    with django_assert_max_num_queries(20):
        client.get(f"/privacy/access-log/?student={family.child.pk}")


def test_consents_and_destructions_pages_query_counts(family, django_assert_max_num_queries):
    for child in (family.child, family.sibling):
        services.consent_give(user=family.parent, student=child, kind="parent")
    client = _client(family.parent)
    with django_assert_max_num_queries(20):
        client.get("/privacy/")
    for student in family.school.students:
        parent = guardian_of(student)
        consent = services.consent_give(user=parent, student=student, kind="parent")
        services.consent_withdraw(consent=consent, actor=parent)
    curator = _client(family.school.curator)
    with django_assert_max_num_queries(20):
        page = curator.get("/privacy/destructions/")
    assert page.content.decode().count("Обучающийся №") == len(family.school.students)


def test_the_archive_holds_the_family_and_not_another(family, django_assert_max_num_queries):
    services.consent_give(user=family.parent, student=family.child, kind="parent")
    other_parent = guardian_of(family.school.students[2])
    other_child = family.school.students[2]
    from shkola.feeds import services as feeds

    feeds.feed_create(owner=family.parent, student=family.child, calendars=["holidays"])
    feeds.feed_create(owner=other_parent, student=other_child, calendars=["holidays"])
    client = _client(family.parent)
    with django_assert_max_num_queries(42):
        response = client.get("/privacy/my-data/download/")
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert {"data.json", "data.xlsx"} <= set(archive.namelist())
    data = json.loads(archive.read("data.json"))
    assert data["profile"][0]["username"] == family.parent.username
    assert {s["id"] for s in data["students"]} == {family.child.pk, family.sibling.pk}
    assert len(data["consents"]) == 1
    assert [(f["student_id"], f["holidays"]) for f in data["calendar_feeds"]] == [
        (family.child.pk, True)
    ]
    raw = archive.read("data.json").decode()
    assert other_parent.username not in raw
    assert other_child.snils not in raw
    sheets = load_workbook(io.BytesIO(archive.read("data.xlsx"))).sheetnames
    assert "Отметки" in sheets and "Согласия" in sheets


def test_the_curator_exports_the_filtered_log_as_text(family):
    AuditEvent.objects.create(
        kind=AuditEvent.Kind.DATA_ACCESS,
        actor=family.school.teacher,
        organisation=family.school.organisation,
        details={"student": family.child.pk, "summary": '=HYPERLINK("x")'},
    )
    AuditEvent.objects.create(
        kind=AuditEvent.Kind.LOGIN,
        actor=family.school.teacher,
        organisation=family.school.organisation,
    )
    client = _client(family.school.curator)
    response = client.get("/privacy/audit/export/?kind=data_access")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1
    assert rows[0][1] == "Доступ к персональным данным"
    assert rows[0][5] == '=HYPERLINK("x")'
    assert ws.cell(row=2, column=6).data_type == "s"
    # A bad date goes back to the log page, which names the field.
    back = client.get("/privacy/audit/export/?date_from=31.31.2026", follow=True)
    assert "Дата «с»: введите дату." in back.content.decode()
    # The log page links to the export with its filters.
    page = client.get("/accounts/audit/?kind=login").content.decode()
    assert "/privacy/audit/export/?kind=login" in page


def test_a_superuser_publishes_a_new_text_and_bad_input_names_the_field(family):
    root = User.objects.create_superuser("root.views", password="x")
    client = _client(root)
    bad = client.post("/privacy/texts/new/", {"kind": "parent", "title": "", "text": "мало"})
    html = bad.content.decode()
    assert "Заголовок: введите заголовок согласия." in html and "мало" in html
    good = client.post(
        "/privacy/texts/new/",
        {"kind": "parent", "title": "Согласие, редакция 2026", "text": "Полный текст. " * 10},
        follow=True,
    )
    assert "Опубликована версия" in good.content.decode()
    consent = services.consent_give(user=family.parent, student=family.child, kind="parent")
    assert consent.text.title == "Согласие, редакция 2026"


def test_a_superuser_publishes_through_the_admin_too(db):
    from shkola.privacy.models import ConsentText

    root = User.objects.create_superuser("root.admin", password="x")
    response = _client(root).post(
        "/admin/privacy/consenttext/add/",
        {
            "kind": "student",
            "territory": "",
            "title": "Согласие ученика 2026",
            "text": "Текст. " * 20,
        },
    )
    assert response.status_code == 302
    text = ConsentText.objects.get(title="Согласие ученика 2026")
    assert text.version >= 2 and text.published_by == root


def test_a_staff_member_who_is_the_childs_parent_is_not_logged(family):
    from shkola.accounts.models import RoleAssignment

    # The parent is also the school's curator: opening their own child's card is not a
    # staff access to someone else's data.
    RoleAssignment.objects.create(
        user=family.parent, role="curator", organisation=family.school.organisation
    )
    page = _client(family.parent).get(f"/roster/students/{family.child.pk}/")
    assert page.status_code == 200
    assert not AuditEvent.objects.filter(
        kind=AuditEvent.Kind.DATA_ACCESS, details__student=family.child.pk
    ).exists()
    _client(family.school.curator).get(f"/roster/students/{family.child.pk}/edit/")
    assert (
        AuditEvent.objects.filter(
            kind=AuditEvent.Kind.DATA_ACCESS,
            details__student=family.child.pk,
            details__page="Личные данные обучающегося",
        ).count()
        == 1
    )
