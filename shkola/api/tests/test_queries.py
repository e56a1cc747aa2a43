"""Each API list costs a fixed number of queries, whatever the data: the budget is measured
with more data added and must not move."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from . import factories

pytestmark = pytest.mark.django_db

# the API's own cost: DOT's token lookup (token, its app and user) and the person's roles
BUDGETS = {
    "/api/v1/me": 8,
    "/api/v1/students/{id}/diary": 22,
    "/api/v1/students/{id}/homework": 22,
    "/api/v1/students/{id}/report-card": 16,
    "/api/v1/students/{id}/final-marks": 12,
    "/api/v1/students/{id}/timetable": 12,
    "/api/v1/students/{id}/portfolio": 12,
    "/api/v1/messages": 10,
    "/api/v1/announcements": 10,
}


def _more_data(w: Any) -> None:
    """More messages, announcements and portfolio rows for the parent and the child."""
    from shkola.core import clock
    from shkola.messaging import services as messaging_services
    from shkola.messaging.models import Message
    from shkola.portfolio.models import Achievement, Category, Club

    teacher = w.users["classteacher"]
    for n in range(3):
        message = Message.objects.create(
            sender=teacher,
            subject=f"Проверка запросов {n}",
            body="Текст",
            created_at=clock.now(),
            sent_at=clock.now(),
        )
        messaging_services.message_deliver(message=message, recipient_ids=[w.users["parent"].id])
        Club.objects.create(
            student=w.student,
            kind="club",
            direction="technical",
            year="2026/2027",
            name=f"Кружок {n}",
            organisation_name="ДДТ",
        )
        Achievement.objects.create(
            student=w.student, category=Category.OLYMPIAD, name=f"Олимпиада {n}", year="2026"
        )


@pytest.mark.parametrize("url", list(BUDGETS))
def test_each_list_has_a_fixed_budget(
    demo_world: Any, url: str, django_assert_max_num_queries: Any
) -> None:
    cache.clear()
    w = demo_world
    tok = factories.token(w.users["parent"])
    path = url.format(id=w.student.id)
    headers = factories.bearer(tok)
    with django_assert_max_num_queries(BUDGETS[url]):
        assert Client().get(path, **headers).status_code == 200
    _more_data(w)
    with django_assert_max_num_queries(BUDGETS[url]):
        assert Client().get(path, **headers).status_code == 200
