"""The pages: the list, opening one, marking all read, the settings tab, the bell."""

from __future__ import annotations

import pytest
from django.test import Client

from shkola.notifications.models import Notification, NotificationSettings
from shkola.notifications.selectors import PAGE_SIZE

pytestmark = pytest.mark.django_db


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def _notes(user, n, **kw):
    return Notification.objects.bulk_create(
        [
            Notification(user=user, kind="mark", title=f"Отметка {i}", url="/diary/", **kw)
            for i in range(n)
        ]
    )


def test_the_list_shows_the_newest_first_with_unread_highlighted(
    demo_world, django_assert_max_num_queries
):
    parent = demo_world.users["parent"]
    Notification.objects.filter(user=parent).delete()
    _notes(parent, PAGE_SIZE + 5)
    client = client_of(parent)
    client.get("/notifications/")  # warm the session
    with django_assert_max_num_queries(14):
        page = client.get("/notifications/").content.decode()
    assert page.index(f"Отметка {PAGE_SIZE + 4}") < page.index(f"Отметка {PAGE_SIZE + 3}")
    assert page.count("notification-unread") == PAGE_SIZE
    assert "Отметить все прочитанными" in page and "1 / 2" in page
    second = client.get("/notifications/?page=2").content.decode()
    assert "Отметка 0" in second
    # a page that is not a number is the first page, never an error
    assert client.get("/notifications/?page=%ff").status_code == 200
    assert client.get("/notifications/?page=99999999999999999999").status_code == 200


def test_the_bell_counts_the_unread(demo_world):
    parent = demo_world.users["parent"]
    Notification.objects.filter(user=parent).delete()
    _notes(parent, 3)
    page = client_of(parent).get("/").content.decode()
    assert 'id="badge-notifications"' in page
    assert "Уведомления: 3" in page


def test_opening_marks_read_and_follows_only_local_addresses(demo_world):
    parent = demo_world.users["parent"]
    [local] = _notes(parent, 1)
    evil = Notification.objects.create(
        user=parent, kind="message", title="x", url="//evil.example/steal"
    )
    absolute = Notification.objects.create(
        user=parent, kind="message", title="y", url="https://evil.example/"
    )
    client = client_of(parent)
    response = client.get(f"/notifications/{local.pk}/")
    assert response.status_code == 302 and response["Location"] == "/diary/"
    local.refresh_from_db()
    assert local.read_at is not None
    for note in (evil, absolute):
        response = client.get(f"/notifications/{note.pk}/")
        assert response["Location"] == "/notifications/"
    # someone else's notification does not exist for this parent
    assert (
        client_of(demo_world.users["parent2"]).get(f"/notifications/{local.pk}/").status_code == 404
    )


def test_mark_all_read(demo_world):
    parent = demo_world.users["parent"]
    _notes(parent, 4)
    other = _notes(demo_world.users["teacher"], 1)[0]
    response = client_of(parent).post("/notifications/read-all/")
    assert response.status_code == 302
    assert not Notification.objects.filter(user=parent, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_settings_tab_saves_each_kind_and_the_hour(demo_world):
    parent = demo_world.users["parent"]
    client = client_of(parent)
    page = client.get("/notifications/settings/").content.decode()
    assert "Новая или изменённая отметка" in page and "в ежедневной сводке" in page
    assert 'href="/notifications/settings/"' in client.get("/accounts/profile/").content.decode()
    data = {
        "mark": "email",
        "remark": "digest",
        "homework": "off",
        "message": "digest",
        "announcement": "digest",
        "absence_note": "email",
        "achievement": "off",
        "digest_hour": "7",
    }
    response = client.post("/notifications/settings/", data)
    assert response.status_code == 302
    saved = NotificationSettings.objects.get(user=parent)
    assert saved.digest_hour == 7
    assert saved.delivery_of("mark") == "email" and saved.delivery_of("homework") == "off"


@pytest.mark.parametrize(
    "field,value",
    [("digest_hour", "25"), ("digest_hour", "abc"), ("mark", "loud"), ("digest_hour", "")],
)
def test_bad_settings_get_a_russian_error_naming_the_field(demo_world, field, value):
    parent = demo_world.users["parent"]
    data = {
        "mark": "digest",
        "remark": "digest",
        "homework": "digest",
        "message": "digest",
        "announcement": "digest",
        "absence_note": "email",
        "achievement": "digest",
        "digest_hour": "18",
        field: value,
    }
    response = client_of(parent).post("/notifications/settings/", data)
    assert response.status_code == 200
    page = response.content.decode()
    label = "Час ежедневной сводки" if field == "digest_hour" else "Новая или изменённая отметка"
    assert f"{label} (по Москве):" in page or f"{label}:" in page


def test_the_student_gets_the_tab_without_the_childrens_tab(demo_world):
    page = client_of(demo_world.users["student"]).get("/notifications/settings/").content.decode()
    assert "Уведомления" in page and "profile_children" not in page
    assert "/accounts/profile/children/" not in page


def test_a_forged_unsubscribe_link_is_a_clear_page(demo_world):
    page = Client().get("/notifications/unsubscribe/abc:def/")
    assert page.status_code == 404
    assert "Ссылка недействительна" in page.content.decode()
