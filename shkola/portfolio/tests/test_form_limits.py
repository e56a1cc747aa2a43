"""Text longer than its column is refused by the form with a Russian message at the field,
before anything is saved — on PostgreSQL it used to be a 500 that lost the uploaded files."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shkola.portfolio.models import Achievement

from .conftest import jpeg


def url(name, **kwargs):  # type: ignore[no-untyped-def]
    return reverse(f"portfolio:{name}", kwargs=kwargs)


def olympiad(**extra):  # type: ignore[no-untyped-def]
    return {
        "work_type": "Индивидуальная",
        "work_kind": "Предметная олимпиада",
        "level": "municipal",
        "subject": "Математика",
        "year": "2026/2027",
        "name": "ВсОШ по математике",
        "result": "Призёр",
        "teacher_name": "Петрова А. А.",
        "comment": "",
        **extra,
    }


@pytest.mark.parametrize(
    ("category", "field"),
    [
        ("olympiad", "work_type"),
        ("olympiad", "work_kind"),
        ("olympiad", "subject"),
        ("sport", "sport_kind"),
        ("olympiad", "result"),
    ],
)
def test_an_achievement_text_longer_than_its_column_is_refused_at_the_field(
    client, world, category, field
):
    limit = Achievement._meta.get_field(field).max_length
    client.force_login(world.parent)
    data = {**olympiad(sport_kind="Плавание"), field: "я" * (limit + 1)}
    response = client.post(
        url("achievement_add", student_id=world.student.id, category=category),
        {**data, "photos": [jpeg()]},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    message = f"не более {limit} символов"
    assert message in errors[field][0]
    assert message in response.content.decode()
    assert not Achievement.objects.exists()

    # The same text at the limit is saved whole.
    ok = client.post(
        url("achievement_add", student_id=world.student.id, category=category),
        {**data, field: "я" * limit, "photos": [jpeg()]},
    )
    assert ok.status_code == 302
    assert getattr(Achievement.objects.get(), field) == "я" * limit


def test_a_card_email_longer_than_its_column_is_refused_at_the_field(client, world):
    client.force_login(world.parent)
    too_long = "a" * 64 + "@" + ".".join(["b" * 63] * 3) + ".ru"  # 259 characters, valid form
    response = client.post(
        url("card_edit", student_id=world.student.id),
        {
            "last_name": world.student.last_name,
            "first_name": world.student.first_name,
            "birth_date": "2013-05-17",
            "sex": "m",
            "email": too_long,
            "photo": jpeg("me.png", color="blue"),
        },
    )
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert "не более 254 символов" in response.content.decode()
    world.student.refresh_from_db()
    assert world.student.email != too_long
