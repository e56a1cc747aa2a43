"""The register of organisations (B1) through the services and HTTP: a municipal official
registers in their municipality, a regional one in any of the region; checksums and
required fields are refused in Russian naming the field, nothing typed is lost; the
curator's sheet gives a one-time password that must be changed at the first sign-in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shkola.accounts.models import AuditEvent, Role, RoleAssignment, User
from shkola.core.testing.factories import (
    TEST_PASSWORD,
    OrganisationFactory,
    StudentFactory,
    TerritoryFactory,
    UserFactory,
    make_school,
    staff,
)
from shkola.registry import selectors, services
from shkola.schools.models import ControlForm, Organisation, Territory

pytestmark = pytest.mark.django_db

VALID = {
    "kind": "school",
    "full_name": "Муниципальное бюджетное общеобразовательное учреждение «Школа №7»",
    "short_name": "МБОУ «Школа №7»",
    "inn": "7707083893",
    "ogrn": "1027700132195",
    "address": "142100, г. Подольск, ул. Садовая, д. 3",
    "director_name": "Петрова Мария Ивановна",
}


@dataclass
class Region:
    region: Territory
    home: Territory  # the municipal official's municipality
    neighbour: Territory  # another municipality of the region
    municipal: User
    regional: User
    foreign_org: Organisation  # a school of ``neighbour``


@pytest.fixture
def world() -> Region:
    region = Territory.objects.create(name="Тестовая область", kind=Territory.Kind.REGION)
    home = TerritoryFactory(name="Городской округ Подольск", parent=region)
    neighbour = TerritoryFactory(name="Городской округ Чехов", parent=region)
    municipal = UserFactory(username="municipal1")
    RoleAssignment.objects.create(user=municipal, role=Role.MUNICIPAL, territory=home)
    regional = UserFactory(username="regional1")
    RoleAssignment.objects.create(user=regional, role=Role.REGIONAL, territory=region)
    return Region(
        region=region,
        home=home,
        neighbour=neighbour,
        municipal=municipal,
        regional=regional,
        foreign_org=OrganisationFactory(territory=neighbour, short_name="МБОУ СОШ №99"),
    )


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def login(client: Client, username: str, password: str) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password})


# --- services ----------------------------------------------------------------------------


def test_a_municipal_official_registers_a_school_of_their_municipality(world: Region) -> None:
    org = services.organisation_register_by_official(
        actor=world.municipal, territory=world.home, **VALID
    )
    org.refresh_from_db()
    assert (org.territory, org.kind, org.inn, org.ogrn, org.director_name) == (
        world.home,
        "school",
        "7707083893",
        "1027700132195",
        "Петрова Мария Ивановна",
    )
    assert ControlForm.objects.filter(organisation=org).exists()  # the defaults came with it
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ORGANISATION_REGISTER)
    assert (event.actor, event.organisation) == (world.municipal, org)


def test_a_municipal_official_cannot_register_in_another_municipality(world: Region) -> None:
    with pytest.raises(ValidationError) as error:
        services.organisation_register_by_official(
            actor=world.municipal, territory=world.neighbour, **VALID
        )
    assert "territory" in error.value.message_dict
    assert not Organisation.objects.filter(inn=VALID["inn"]).exists()


def test_a_regional_official_registers_in_any_municipality_but_not_in_the_region(
    world: Region,
) -> None:
    org = services.organisation_register_by_official(
        actor=world.regional, territory=world.neighbour, **{**VALID, "kind": "extra"}
    )
    assert org.territory == world.neighbour and org.kind == "extra"
    with pytest.raises(ValidationError) as error:
        services.organisation_register_by_official(
            actor=world.regional,
            territory=world.region,
            **{**VALID, "inn": "7736207543", "ogrn": "1027739850962"},
        )
    assert "territory" in error.value.message_dict


def test_the_municipalities_of_an_official(world: Region) -> None:
    from shkola.accounts.selectors import viewer_for

    assert selectors.official_municipalities(viewer_for(world.municipal)) == [world.home]
    assert selectors.official_municipalities(viewer_for(world.regional)) == [
        world.home,
        world.neighbour,
    ]
    assert selectors.official_municipalities(viewer_for(UserFactory())) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("inn", "7707083894", "ИНН указан неверно: не сходится контрольное число."),
        ("inn", "77070838", "ИНН организации — 10 цифр без пробелов и других знаков."),
        ("ogrn", "1027700132196", "ОГРН указан неверно: не сходится контрольное число."),
        ("ogrn", "", "Укажите ОГРН организации."),
        ("short_name", "  ", "Укажите краткое наименование."),
        ("full_name", "", "Укажите полное наименование."),
        ("address", "", "Укажите адрес."),
        ("director_name", "", "Укажите ФИО директора."),
        ("kind", "university", "Выберите тип организации из списка."),
    ],
)
def test_bad_details_are_refused_naming_the_field(
    world: Region, field: str, value: str, message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        services.organisation_register_by_official(
            actor=world.municipal, territory=world.home, **{**VALID, field: value}
        )
    assert error.value.message_dict == {field: [message]}
    assert not Organisation.objects.filter(territory=world.home).exists()


def test_an_inn_already_registered_is_refused(world: Region) -> None:
    services.organisation_register_by_official(actor=world.municipal, territory=world.home, **VALID)
    with pytest.raises(ValidationError) as error:
        services.organisation_register_by_official(
            actor=world.regional, territory=world.neighbour, **VALID
        )
    assert error.value.message_dict == {
        "inn": ["Организация с этим ИНН уже зарегистрирована в системе."]
    }


def test_an_update_logs_what_changed_and_stays_in_the_territory(world: Region) -> None:
    org = services.organisation_register_by_official(
        actor=world.municipal, territory=world.home, **VALID
    )
    services.organisation_update_by_official(
        actor=world.municipal,
        organisation=org,
        territory=world.home,
        **{**VALID, "address": "г. Подольск, ул. Новая, д. 1"},
    )
    org.refresh_from_db()
    assert org.address == "г. Подольск, ул. Новая, д. 1"
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ORGANISATION_CHANGE)
    assert event.details["changes"] == {"address": [VALID["address"], org.address]}
    with pytest.raises(ValidationError):
        services.organisation_update_by_official(
            actor=world.municipal,
            organisation=world.foreign_org,
            territory=world.home,
            **{**VALID, "inn": "7736207543", "ogrn": "1027739850962"},
        )


def test_curator_logins_are_latin_and_unique(world: Region) -> None:
    assert (
        services.curator_login_suggest(
            last_name="Иванова", first_name="Анна", middle_name="Петровна"
        )
        == "ivanova.ap"
    )
    UserFactory(username="ivanova.ap")
    assert (
        services.curator_login_suggest(
            last_name="Иванова", first_name="Анна", middle_name="Петровна"
        )
        == "ivanova.ap2"
    )
    assert services.curator_login_suggest(last_name="Ли", first_name="Ян") == "li.y.kur"


def test_issuing_again_replaces_the_password_of_the_same_curator(world: Region) -> None:
    org = OrganisationFactory(territory=world.home)
    first = services.curator_issue(
        actor=world.municipal, organisation=org, last_name="Иванова", first_name="Анна"
    )
    again = services.curator_issue(
        actor=world.regional, organisation=org, last_name="иванова", first_name="Анна"
    )
    assert again.user == first.user and again.reissued and not first.reissued
    user = User.objects.get(pk=first.user.pk)
    assert not user.check_password(first.password) and user.check_password(again.password)
    assert user.must_change_password
    assert (
        RoleAssignment.objects.filter(user=user, role=Role.CURATOR, organisation=org).count() == 1
    )
    assert (
        AuditEvent.objects.filter(kind=AuditEvent.Kind.CURATOR_ISSUE, subject_user=user).count()
        == 2
    )


def test_no_curator_is_issued_outside_the_territory_or_over_an_officials_account(
    world: Region,
) -> None:
    with pytest.raises(ValidationError):
        services.curator_issue(
            actor=world.municipal,
            organisation=world.foreign_org,
            last_name="Иванова",
            first_name="Анна",
        )
    org = OrganisationFactory(territory=world.home)
    RoleAssignment.objects.create(user=world.regional, role=Role.CURATOR, organisation=org)
    with pytest.raises(ValidationError):
        services.curator_issue(
            actor=world.municipal,
            organisation=org,
            last_name=world.regional.last_name,
            first_name=world.regional.first_name,
            middle_name=world.regional.middle_name,
        )
    assert User.objects.get(pk=world.regional.pk).check_password(TEST_PASSWORD)


# --- HTTP --------------------------------------------------------------------------------


def test_bad_input_is_shown_in_russian_and_nothing_typed_is_lost(world: Region) -> None:
    client = signed_in(world.municipal)
    response = client.post(
        reverse("registry:organisation_new"),
        {**VALID, "territory": world.home.id, "inn": "7707083894"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "ИНН указан неверно: не сходится контрольное число." in page
    assert "«ИНН»" in page  # the summary names the field
    assert 'value="7707083894"' in page and 'value="1027700132195"' in page
    assert "Петрова Мария Ивановна" in page
    assert not Organisation.objects.filter(territory=world.home).exists()


@pytest.mark.parametrize("territory", ["abc", "999999", ""])
def test_a_wrong_municipality_is_an_error_not_a_500(world: Region, territory: str) -> None:
    client = signed_in(world.municipal)
    response = client.post(reverse("registry:organisation_new"), {**VALID, "territory": territory})
    assert response.status_code == 200
    assert "муниципалитет" in response.content.decode()
    assert not Organisation.objects.filter(inn=VALID["inn"]).exists()


def test_registering_leads_to_the_curator_form_and_the_list(world: Region) -> None:
    client = signed_in(world.municipal)
    response = client.post(
        reverse("registry:organisation_new"), {**VALID, "territory": world.home.id}
    )
    org = Organisation.objects.get(inn=VALID["inn"])
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:curator_issue", args=[org.id])
    listing = client.get(reverse("registry:organisations")).content.decode()
    assert "Школа №7" in listing
    assert "МБОУ СОШ №99" not in listing  # another municipality's


def test_the_regional_list_is_grouped_by_municipality(world: Region) -> None:
    OrganisationFactory(territory=world.home, short_name="МБОУ СОШ №1")
    page = signed_in(world.regional).get(reverse("registry:organisations")).content.decode()
    assert page.index("Городской округ Подольск") < page.index("МБОУ СОШ №1")
    assert page.index("Городской округ Чехов") < page.index("МБОУ СОШ №99")
    assert f'id="municipality-{world.neighbour.id}"' in page


def test_another_territorys_organisation_is_not_found(world: Region) -> None:
    client = signed_in(world.municipal)
    for name in ("registry:organisation_edit", "registry:curator_issue"):
        url = reverse(name, args=[world.foreign_org.id])
        assert client.get(url).status_code == 404
        assert (
            client.post(url, {**VALID, "last_name": "Иванова", "first_name": "Анна"}).status_code
            == 404
        )
    # (the session's demo world has its own Иванова: look for one with a curator's role here)
    assert not User.objects.filter(
        last_name="Иванова", roles__organisation=world.foreign_org
    ).exists()
    world.foreign_org.refresh_from_db()
    assert world.foreign_org.inn == ""
    assert (
        signed_in(world.regional)
        .get(reverse("registry:organisation_edit", args=[world.foreign_org.id]))
        .status_code
        == 200
    )


def test_staff_and_families_do_not_see_the_register(world: Region) -> None:
    school = make_school()
    for user in (school.curator, school.teacher):
        assert signed_in(user).get(reverse("registry:organisations")).status_code == 404


def test_editing_keeps_what_was_typed_on_an_error(world: Region) -> None:
    org = OrganisationFactory(territory=world.home, short_name="МБОУ СОШ №5")
    client = signed_in(world.municipal)
    response = client.post(
        reverse("registry:organisation_edit", args=[org.id]),
        {**VALID, "territory": world.home.id, "ogrn": "1027700132196", "short_name": "Новое имя"},
    )
    assert "ОГРН указан неверно" in response.content.decode()
    assert 'value="Новое имя"' in response.content.decode()
    org.refresh_from_db()
    assert org.short_name == "МБОУ СОШ №5"


def test_the_curator_sheet_and_the_forced_password_change(world: Region) -> None:
    org = OrganisationFactory(territory=world.home, short_name="МБОУ СОШ №5")
    official = signed_in(world.municipal)
    sheet = official.post(
        reverse("registry:curator_issue", args=[org.id]),
        {"last_name": "Иванова", "first_name": "Анна", "middle_name": "Петровна", "email": ""},
    )
    text = sheet.content.decode()
    curator = User.objects.get(last_name="Иванова", roles__organisation=org)
    assert "Лист доступа куратора" in text and curator.username in text
    assert settings.SHKOLA["PUBLIC_URL"].rstrip("/") in text
    assert "no-store" in sheet["Cache-Control"]
    password = text.split('id="sheet-password">')[1].split("<")[0]
    assert curator.check_password(password) and curator.must_change_password
    assert RoleAssignment.objects.filter(user=curator, role=Role.CURATOR, organisation=org).exists()

    browser = Client()
    assert login(browser, curator.username, password).status_code == 302
    assert browser.get("/").url == reverse("accounts:password_change")
    assert browser.get(reverse("schools:students")).url == reverse("accounts:password_change")
    changed = browser.post(
        reverse("accounts:password_change"),
        {
            "old_password": password,
            "new_password1": "Svoy-Parol-2026!",
            "new_password2": "Svoy-Parol-2026!",
        },
    )
    assert changed.status_code == 302
    assert browser.get("/").status_code == 200
    assert not User.objects.get(pk=curator.pk).must_change_password


def test_issuing_again_makes_the_old_sheet_useless(world: Region) -> None:
    org = OrganisationFactory(territory=world.home)
    official = signed_in(world.municipal)
    url = reverse("registry:curator_issue", args=[org.id])
    data = {"last_name": "Иванова", "first_name": "Анна", "middle_name": "", "email": ""}
    first = official.post(url, data).content.decode().split('id="sheet-password">')[1][:10]
    second = official.post(url, data).content.decode()
    assert "Прежний пароль этого куратора больше не действует." in second
    curator = User.objects.get(last_name="Иванова", roles__organisation=org)
    assert login(Client(), curator.username, first).status_code == 200  # refused, form again


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"last_name": "", "first_name": "Анна"}, "Укажите фамилию куратора."),
        ({"last_name": "Иванова", "first_name": " "}, "Укажите имя куратора."),
        (
            {"last_name": "Иванова", "first_name": "Анна", "email": "not-an-email"},
            "Адрес электронной почты «not-an-email» указан неверно.",
        ),
    ],
)
def test_bad_curator_details_are_refused(world: Region, data: dict[str, str], message: str) -> None:
    org = OrganisationFactory(territory=world.home)
    response = signed_in(world.municipal).post(
        reverse("registry:curator_issue", args=[org.id]), data
    )
    text = response.content.decode().replace("&laquo;", "«").replace("&raquo;", "»")
    assert response.status_code == 200 and message in text
    assert not User.objects.filter(roles__organisation=org).exists()


def test_the_list_costs_the_same_queries_however_many_organisations(
    world: Region, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(world.regional)

    def add(n: int) -> None:
        for territory in (world.home, world.neighbour):
            for _ in range(n):
                org = OrganisationFactory(territory=territory)
                staff(org, Role.CURATOR)
                StudentFactory(organisation=org)

    add(1)
    client.get(reverse("registry:organisations"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("registry:organisations"))
    add(6)
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("registry:organisations"))
    assert response.content.decode().count("registry-row") >= 14


def test_the_curator_page_offers_a_new_password_for_each_curator(world: Region) -> None:
    org = OrganisationFactory(territory=world.home)
    access = services.curator_issue(
        actor=world.municipal, organisation=org, last_name="Иванова", first_name="Анна"
    )
    client = signed_in(world.municipal)
    page = client.get(reverse("registry:curator_issue", args=[org.id])).content.decode()
    assert "Выдать новый пароль" in page and access.user.username in page
    again = client.post(
        reverse("registry:curator_issue", args=[org.id]),
        {"last_name": "Иванова", "first_name": "Анна", "middle_name": ""},
    )
    assert access.user.username in again.content.decode()
    assert not User.objects.get(pk=access.user.pk).check_password(access.password)


@pytest.mark.parametrize("query", ["territory=²", "territory=-1", "territory=1e9", "territory=%00"])
def test_a_strange_municipality_in_the_address_is_ignored(world: Region, query: str) -> None:
    response = signed_in(world.regional).get(f"{reverse('registry:organisation_new')}?{query}")
    assert response.status_code == 200


def test_the_municipality_in_the_address_is_preselected(world: Region) -> None:
    response = signed_in(world.regional).get(
        f"{reverse('registry:organisation_new')}?territory={world.neighbour.id}"
    )
    assert f'<option value="{world.neighbour.id}" selected>' in response.content.decode()
