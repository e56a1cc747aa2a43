"""Each portfolio section as seed 000 describes it: the fields a form asks for, what a list
shows, the «Контроль» tabs, and how a teacher's review reaches the family."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from shkola.portfolio import services
from shkola.portfolio.models import Achievement, Category, Status

from .conftest import jpeg, pdf

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"portfolio:{name}", kwargs=kwargs)


# Seed 000, sections 2.3 and 2.4, in the seed's order.
FIRST_THREE = ["Тип работы", "Наименование", "Год", "Уровень", "Предмет", "Результат", "Педагог",
               "Комментарий"]  # fmt: skip
WORKS = ["Тип работы", "Вид работы", "Наименование", "Год", "Уровень", "Результат", "Педагог",
         "Предмет", "Комментарий"]  # fmt: skip
SEED_FIELDS = {
    "creativity": FIRST_THREE,
    "competition": FIRST_THREE,
    "contest": FIRST_THREE,
    "research": WORKS,
    "project": WORKS,
    "sport": ["Вид спорта", "Наименование", "Год", "Уровень", "Результат", "Педагог", "Предмет",
              "Комментарий"],
    "olympiad": ["Тип работы", "Вид работы", "Уровень", "Предмет", "Год", "Мероприятие",
                 "Результат", "Педагог", "Комментарий"],
}  # fmt: skip


@pytest.mark.parametrize("category", list(SEED_FIELDS))
def test_each_section_asks_exactly_the_seed_fields_with_cover_and_photos(client, world, category):
    client.force_login(world.parent)
    response = client.get(url("achievement_add", student_id=world.student.id, category=category))
    form = response.context["form"]
    assert [str(f.label) for f in form.text_fields] == SEED_FIELDS[category]
    html = response.content.decode()
    assert 'name="cover"' in html and 'name="photos"' in html and 'name="files"' in html
    assert "Сохранить" in html and "Закрыть" in html


def test_sphere_list_shows_the_fields_and_every_file_can_be_viewed_and_downloaded(client, world):
    a = services.achievement_create(
        student=world.student,
        by=world.school.class_teacher,
        category=Category.SPORT,
        data={
            "sport_kind": "Лыжные гонки",
            "name": "Лыжня России",
            "year": "2026",
            "level": "municipal",
            "result": "3 место",
            "teacher_name": "Кузнецов В. П.",
            "comment": "Дистанция 5 км",
        },
        confirmed=True,
        uploads=[("cover", jpeg("cover.jpg"))],
    )
    client.force_login(world.student_user)
    html = client.get(url("interests", student_id=world.student.id) + "?sphere=sport")
    html = html.content.decode()
    for text in ("Лыжня России", "Вид спорта", "Лыжные гонки", "Муниципальный", "3 место",
                 "Кузнецов В. П.", "Дистанция 5 км"):  # fmt: skip
        assert text in html, text
    cover = a.files.get()
    # A cover alone still has its «Скачать» link, and the download really comes.
    assert f"{url('file', file_id=cover.id)}?download=1" in html
    got = client.get(url("file", file_id=cover.id), {"download": "1"})
    assert got.status_code == 200 and "attachment" in got["Content-Disposition"]
    thumb = client.get(url("file", file_id=cover.id), {"thumb": "1"})
    assert thumb["Content-Type"] == "image/jpeg"


def _diagnostic(world, kind, day):
    return services.diagnostic_create(
        student=world.student,
        by=world.school.teacher,
        kind=kind,
        subject=world.school.subject,
        date=dt.date(2026, 9, day),
        score=7,
        max_score=10,
        mark="4",
        tasks=[{"kes": f"КЭС-{kind}", "kt": "2.1", "score": 1, "max": 1}],
    )


def test_control_tabs_each_show_their_own_works_and_the_charts_have_data(client, world):
    for day, kind in enumerate(("control", "regional", "niko", "vpr"), start=1):
        _diagnostic(world, kind, day)
    client.force_login(world.parent)
    page = client.get(url("control", student_id=world.student.id))
    html = page.content.decode()
    for tab in ("Контрольные и диагностики", "НИКО", "ВПР"):
        assert tab in html
    assert "КЭС-control" in html and "КЭС-regional" in html
    assert "КЭС-niko" not in html and "КЭС-vpr" not in html
    # No marks in this journal yet: the two journal charts say so, the regional one draws.
    assert "В журнале пока нет отметок." in html
    assert "Отметок за контрольные работы пока нет." in html
    assert 'data-chart="regional"' in html
    assert page.context["charts"]["regional"]["values"] == [70.0]

    niko = client.get(url("control", student_id=world.student.id) + "?tab=niko").content.decode()
    assert "КЭС-niko" in niko and "КЭС-vpr" not in niko and "КЭС-control" not in niko
    vpr = client.get(url("control", student_id=world.student.id) + "?tab=vpr").content.decode()
    assert "КЭС-vpr" in vpr and "КЭС-niko" not in vpr
    assert "из 10 (70%)" in vpr


def test_the_family_cannot_confirm_and_a_rejection_reaches_it_with_the_reason(client, world):
    a = services.achievement_create(
        student=world.student,
        by=world.parent,
        category=Category.OLYMPIAD,
        data={"name": "Олимпиада «Звезда»", "year": "2026"},
        confirmed=False,
        rounds={"school": "1"},
        uploads=[("file", pdf())],
    )
    client.force_login(world.parent)
    assert client.post(url("achievement_confirm", achievement_id=a.id)).status_code == 404
    assert (
        client.post(url("achievement_reject", achievement_id=a.id), {"reason": "x"}).status_code
        == 404
    )
    a.refresh_from_db()
    assert a.status == Status.PENDING

    client.force_login(world.school.class_teacher)
    empty = client.post(
        url("achievement_reject", achievement_id=a.id), {"reason": "  "}, follow=True
    )
    assert "Укажите причину отклонения" in empty.content.decode()
    assert Achievement.objects.get().status == Status.PENDING
    client.post(
        url("achievement_reject", achievement_id=a.id),
        {"reason": "Нет диплома, только справка об участии"},
    )
    assert client.get(url("queue")).context["achievements"] == []

    client.force_login(world.parent)
    html = client.get(url("olympiads", student_id=world.student.id)).content.decode()
    assert "Отклонено" in html and "Нет диплома, только справка об участии" in html
    assert client.get(url("rating", student_id=world.student.id)).context["rating"].total == 0


def test_card_edit_form_has_the_seed_fields(client, world):
    client.force_login(world.parent)
    html = client.get(url("card_edit", student_id=world.student.id)).content.decode()
    for label in ("Фамилия", "Имя", "Отчество", "Дата рождения", "E-mail", "Муж.", "Жен.",
                  "ОВЗ", "Фото", "Сохранить", "Закрыть"):  # fmt: skip
        assert label in html, label
    form = client.get(url("card_edit", student_id=world.student.id)).context["form"]
    assert [n for n, f in form.fields.items() if f.disabled] == ["special_needs"]
    client.force_login(world.student_user)
    form = client.get(url("card_edit", student_id=world.student.id)).context["form"]
    assert [n for n, f in form.fields.items() if f.disabled] == [
        "last_name",
        "first_name",
        "middle_name",
        "birth_date",
        "special_needs",
    ]
    assert (
        "Изменяет школа."
        in client.get(url("card_edit", student_id=world.student.id)).content.decode()
    )


def test_only_the_school_sets_the_ovz_flag(client, world):
    def card_data(**changes: object) -> dict[str, object]:
        s = world.student
        data = {
            "last_name": s.last_name,
            "first_name": s.first_name,
            "middle_name": s.middle_name,
            "birth_date": s.birth_date.isoformat(),
            "email": s.email,
            "sex": s.sex or "f",
        }
        return data | changes

    edit = url("card_edit", student_id=world.student.id)
    for family in (world.parent, world.student_user):
        client.force_login(family)
        client.post(edit, card_data(special_needs="on"))
        world.student.refresh_from_db()
        assert world.student.special_needs is False
    with pytest.raises(ValidationError) as refused:
        services.student_card_update(
            student=world.student,
            by=world.parent,
            data={"special_needs": True},
            may_edit_identity=True,
        )
    assert "может изменить только школа" in refused.value.message_dict["special_needs"][0]

    client.force_login(world.school.class_teacher)
    assert client.post(edit, card_data(special_needs="on")).status_code == 302
    world.student.refresh_from_db()
    assert world.student.special_needs is True
    client.force_login(world.parent)
    card = client.get(url("card", student_id=world.student.id)).content.decode()
    assert "ОВЗ" in card


EXTRA_PAGES = [
    ("control", "?tab=niko", 18),
    ("control", "?tab=vpr", 18),
    ("card_edit", "", 11),
    ("club_add", "", 10),
]


@pytest.mark.parametrize(("name", "query", "budget"), EXTRA_PAGES)
def test_more_pages_query_budget(client, world, django_assert_max_num_queries, name, query, budget):
    for day in range(1, 7):
        _diagnostic(world, ("niko", "vpr")[day % 2], day)
    client.force_login(world.parent)
    target = url(name, student_id=world.student.id) + query
    client.get(target)
    with django_assert_max_num_queries(budget):
        assert client.get(target).status_code == 200
