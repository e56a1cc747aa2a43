"""The pages through HTTP: compose with ``?to=``, signature, escaping and links, the
conversation with its «Прочитано» list, attachments, trash, search, the counter, the home
feed and the query budgets."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shkola.messaging.models import Attachment, Delivery, Folder, Message
from shkola.messaging.services import message_send


def _send(sender: Any, recipient: Any, subject: str = "Тема", body: str = "Текст") -> Message:
    return message_send(
        sender=sender, targets=[f"u:{recipient.pk}"], subject=subject, body=body
    ).message


def test_compose_preselects_to_and_appends_the_signature(client: Any, world: Any) -> None:
    world.parent.signature = "С уважением, мама Пети"
    world.parent.save()
    client.force_login(world.parent)
    response = client.get(reverse("messaging:compose") + f"?to={world.a.class_teacher.pk}")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["to"] == [f"u:{world.a.class_teacher.pk}"]
    assert form.initial["body"].endswith("С уважением, мама Пети")
    assert not response.context["to_error"]


@pytest.mark.parametrize("to", ["other_school", "garbage", "missing", "huge"])
def test_compose_with_a_forbidden_to_shows_an_error(client: Any, world: Any, to: str) -> None:
    value = {
        "other_school": str(world.b.teacher.pk),
        "garbage": "<script>",
        "missing": "987654",
        "huge": "9" * 40,
    }[to]
    client.force_login(world.parent)
    response = client.get(reverse("messaging:compose"), {"to": value})
    assert response.status_code == 200
    assert response.context["to_error"]
    assert "Кому:" in response.content.decode()


def test_compose_posts_and_refuses_a_forged_recipient(client: Any, world: Any) -> None:
    client.force_login(world.parent)
    url = reverse("messaging:compose")
    response = client.post(
        url, {"to": [f"u:{world.b.teacher.pk}"], "subject": "Т", "body": "Текст"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["to"]
    assert not Message.objects.exists()
    response = client.post(
        url, {"to": [f"u:{world.a.class_teacher.pk}"], "subject": "Вопрос", "body": "Текст"}
    )
    message = Message.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("messaging:message", args=[message.pk])
    assert Delivery.objects.get().recipient == world.a.class_teacher


def test_compose_saves_a_draft_and_sends_it_later(client: Any, world: Any) -> None:
    client.force_login(world.parent)
    client.post(
        reverse("messaging:compose"),
        {"to": [f"u:{world.a.teacher.pk}"], "subject": "", "body": "Начало", "save_draft": "1"},
    )
    draft = Message.objects.get(sent_at__isnull=True)
    assert client.get(reverse("messaging:drafts")).context["page"].object_list[0] == draft
    response = client.post(
        reverse("messaging:draft_edit", args=[draft.pk]),
        {"to": [f"u:{world.a.teacher.pk}"], "subject": "Итог", "body": "Начало и конец"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.sent_at is not None and draft.deliveries.count() == 1


def test_nothing_typed_becomes_html_and_links_work(client: Any, world: Any) -> None:
    body = (
        "Смотрите https://school.example/a?b=1&c=2. <script>alert(1)</script>\n"
        '"><img src=x onerror=alert(1)> javascript:alert(1) http://x.example/"onmouseover="'
    )
    message = _send(world.parent, world.a.class_teacher, "<b>тема</b>", body)
    client.force_login(world.a.class_teacher)
    html = client.get(reverse("messaging:message", args=[message.pk])).content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html
    assert "&lt;b&gt;тема&lt;/b&gt;" in html
    assert '<a href="https://school.example/a?b=1&amp;c=2" rel="noopener' in html
    assert '<a href="http://x.example/" rel=' in html
    assert 'href="javascript' not in html
    assert 'onmouseover="' not in html


def test_conversation_marks_read_and_the_sender_sees_who_read(client: Any, world: Any) -> None:
    message = _send(world.parent, world.a.class_teacher)
    client.force_login(world.parent)
    page = client.get(reverse("messaging:message", args=[message.pk]))
    assert page.context["c"].readers_total == 0
    client.force_login(world.a.class_teacher)
    assert "messages" in [b["key"] for b in client.get("/").context["top_badges"]]
    assert _badge(client) == 1
    client.get(reverse("messaging:message", args=[message.pk]))
    assert _badge(client) == 0
    client.force_login(world.parent)
    page = client.get(reverse("messaging:message", args=[message.pk]))
    assert [d.recipient for d in page.context["c"].readers] == [world.a.class_teacher]
    assert "Прочитано" in page.content.decode()


def _badge(client: Any) -> int:
    badges = client.get(reverse("messaging:sent")).context["top_badges"]
    return next(b["count"] for b in badges if b["key"] == "messages")


def test_reply_through_the_page_goes_to_the_sender(client: Any, world: Any) -> None:
    message = _send(world.parent, world.a.class_teacher, "Вопрос")
    client.force_login(world.a.class_teacher)
    response = client.post(reverse("messaging:reply", args=[message.pk]), {"body": "Ответ"})
    assert response.status_code == 302
    reply = Message.objects.exclude(pk=message.pk).get()
    assert list(reply.deliveries.values_list("recipient_id", flat=True)) == [world.parent.pk]
    # an empty reply is an error naming the field, not a 500
    response = client.post(reverse("messaging:reply", args=[message.pk]), {"body": " "})
    assert response.status_code == 400
    assert response.context["form"].errors["body"]
    # a stranger's reply is a 404
    client.force_login(world.other_parent)
    response = client.post(reverse("messaging:reply", args=[message.pk]), {"body": "Я"})
    assert response.status_code == 404


def test_attachments_are_checked_and_only_sender_and_recipient_download(
    client: Any, world: Any
) -> None:
    client.force_login(world.parent)
    bad = SimpleUploadedFile("x.png", b"not an image", "image/png")
    response = client.post(
        reverse("messaging:compose"),
        {"to": [f"u:{world.a.teacher.pk}"], "subject": "Т", "body": "Текст", "attachments": bad},
    )
    assert response.status_code == 200 and response.context["form"].errors["attachments"]
    assert not Message.objects.exists()
    good = SimpleUploadedFile("справка.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    client.post(
        reverse("messaging:compose"),
        {"to": [f"u:{world.a.teacher.pk}"], "subject": "Т", "body": "Текст", "attachments": good},
    )
    attachment = Attachment.objects.get()
    url = reverse("messaging:attachment", args=[attachment.pk])
    assert attachment.content_type == "application/pdf"
    assert client.get(url).status_code == 200
    client.force_login(world.a.teacher)
    response = client.get(url)
    assert response.status_code == 200
    assert "sandbox" in response["Content-Security-Policy"]
    for stranger in (world.other_parent, world.a.class_teacher, world.a.curator):
        client.force_login(stranger)
        assert client.get(url).status_code == 404


def test_trash_and_restore_through_the_pages(client: Any, world: Any) -> None:
    message = _send(world.parent, world.a.teacher)
    client.force_login(world.other_parent)
    assert client.post(reverse("messaging:move_to_trash", args=[message.pk])).status_code == 404
    client.force_login(world.a.teacher)
    client.post(reverse("messaging:move_to_trash", args=[message.pk]))
    assert Delivery.objects.get().folder == Folder.TRASH
    assert len(client.get(reverse("messaging:trash")).context["page"]) == 1
    assert len(client.get(reverse("messaging:inbox")).context["page"]) == 0
    client.post(reverse("messaging:restore", args=[message.pk]))
    assert len(client.get(reverse("messaging:inbox")).context["page"]) == 1


def test_recipients_never_see_each_other(client: Any, world: Any) -> None:
    from shkola.core.testing.factories import guardian_of

    second = guardian_of(world.a.students[1])
    # a surname nobody else has (the factories' surnames repeat, and one could be the
    # reader's own, shown in the top bar)
    world.parent.last_name = "Неповторимова"
    world.parent.save(update_fields=["last_name"])
    client.force_login(world.a.class_teacher)
    client.post(
        reverse("messaging:compose"),
        {"to": [f"cp:{world.a.class_unit.pk}"], "subject": "Собрание", "body": "Текст"},
    )
    message = Message.objects.get()
    assert message.recipients_label == "Все родители 7А"
    client.force_login(second)
    html = client.get(reverse("messaging:message", args=[message.pk])).content.decode()
    assert world.parent.last_name not in html
    assert "Все родители 7А" not in html


def test_search_and_pagination_never_fail(client: Any, world: Any) -> None:
    for n in range(25):
        _send(world.parent, world.a.teacher, f"Письмо {n}")
    client.force_login(world.a.teacher)
    first = client.get(reverse("messaging:inbox")).context["page"]
    assert len(first) == 20 and first.paginator.num_pages == 2
    assert len(client.get(reverse("messaging:inbox"), {"page": "2"}).context["page"]) == 5
    for odd in ("abc", "-1", "99999999999999999999", ""):
        assert client.get(reverse("messaging:inbox"), {"page": odd}).status_code == 200
    found = client.get(reverse("messaging:inbox"), {"q": "Письмо 13"}).context["page"]
    assert [d.message.subject for d in found] == ["Письмо 13"]
    assert client.get(reverse("messaging:inbox"), {"q": "x" * 5000}).status_code == 200


def test_home_feed_shows_the_latest_unread(client: Any, world: Any) -> None:
    for n in range(7):
        _send(world.parent, world.a.teacher, f"Письмо {n}")
    client.force_login(world.a.teacher)
    response = client.get("/")
    ctx = response.context
    feeds = {f["key"]: f["feed"] for f in ctx["main_feeds"] + ctx["side_feeds"]}
    assert feeds["messages"].unread == 7
    assert [d.message.subject for d in feeds["messages"].latest] == [
        f"Письмо {n}" for n in (6, 5, 4, 3, 2)
    ]
    assert "Письмо 6" in response.content.decode()


def _fill_inbox(world: Any, n: int) -> Message:
    first = None
    for i in range(n):
        m = _send(world.parent, world.a.teacher, f"Письмо {i}", "Текст https://example.org")
        first = first or m
    assert first is not None
    return first


@pytest.mark.parametrize("size", [1, 40])
def test_inbox_query_budget_is_the_same_for_1_and_40(
    client: Any, world: Any, django_assert_max_num_queries: Any, size: int
) -> None:
    _fill_inbox(world, size)
    client.force_login(world.a.teacher)
    client.get(reverse("messaging:inbox"))
    with django_assert_max_num_queries(INBOX_BUDGET):
        assert client.get(reverse("messaging:inbox")).status_code == 200
    with django_assert_max_num_queries(INBOX_BUDGET):
        assert client.get(reverse("messaging:sent")).status_code == 200


@pytest.mark.parametrize("size", [1, 40])
def test_conversation_query_budget_is_the_same_for_1_and_40(
    client: Any, world: Any, django_assert_max_num_queries: Any, size: int
) -> None:
    from shkola.messaging.services import message_reply

    first = _fill_inbox(world, 1)
    message = first
    for i in range(size - 1):
        sender = world.a.teacher if i % 2 == 0 else world.parent
        message = message_reply(sender=sender, message=message, body=f"Ответ {i}").message
    client.force_login(world.parent)
    client.get(reverse("messaging:message", args=[first.pk]))
    with django_assert_max_num_queries(CONVERSATION_BUDGET):
        response = client.get(reverse("messaging:message", args=[first.pk]))
    assert len(response.context["c"].thread) == size


INBOX_BUDGET = 11
CONVERSATION_BUDGET = 18


DEMO_MAY_WRITE_TO_CLASSTEACHER = {
    "student": True,  # her class teacher
    "parent": True,  # the child's class teacher
    "teacher": True,  # a colleague
    "curator": True,  # the administration: anyone of its school
    "teacher_parent": True,  # a colleague in the demo school
    "official": False,  # officials write to administrations only
    "parent_two_schools": False,  # their children are in other classes
    "student2": False,  # another school
    "parent2": False,  # another school
    "teacher2": False,  # another school
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(DEMO_MAY_WRITE_TO_CLASSTEACHER))
def test_each_demo_role_writing_to_the_class_teacher(client: Any, demo_world: Any, role: str):
    target = demo_world.users["classteacher"]
    client.force_login(demo_world.users[role])
    response = client.get(reverse("messaging:compose"), {"to": target.pk})
    allowed = DEMO_MAY_WRITE_TO_CLASSTEACHER[role]
    assert response.status_code == 200
    assert bool(response.context["to_error"]) is not allowed
    before = Message.objects.count()
    response = client.post(
        reverse("messaging:compose"),
        {"to": [f"u:{target.pk}"], "subject": "Вопрос", "body": "Текст"},
    )
    assert (response.status_code == 302) is allowed
    assert Message.objects.count() == before + (1 if allowed else 0)


@pytest.mark.django_db
def test_the_two_school_parent_writes_to_each_childs_class_teacher(client: Any, demo_world: Any):
    client.force_login(demo_world.users["parent_two_schools"])
    for child in (demo_world.cross_child, demo_world.cross_other_child):
        teacher = child.current_class.class_teacher
        response = client.post(
            reverse("messaging:compose"),
            {"to": [f"u:{teacher.pk}"], "subject": "Вопрос", "body": "Текст"},
        )
        assert response.status_code == 302, child


def test_someone_without_a_school_has_no_mailbox(client: Any, world: Any) -> None:
    from shkola.core.testing.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(reverse("messaging:inbox")).status_code == 404
    assert client.get(reverse("messaging:compose")).status_code == 404
    home = client.get("/")
    feeds = home.context["main_feeds"] + home.context["side_feeds"]
    assert "messages" not in [f["key"] for f in feeds]
    assert "messages" not in [b["key"] for b in home.context["top_badges"]]
