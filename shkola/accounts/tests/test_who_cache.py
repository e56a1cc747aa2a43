"""The shared cache of who is signed in (who.py): a warm page asks the database for nothing
but its own content, and every change to a role, a child, a name, the year, a session or a
password is seen by the next request of another worker.

"Another worker" is a second test client with the same session cookie; the per-process
memos (menu and static addresses) are forgotten between the two requests, so only the
shared cache connects them. The Redis tests at the end run against a real server."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from shkola.accounts import services, who
from shkola.accounts.models import Role, RoleAssignment, UserSession
from shkola.accounts.selectors import viewer_for
from shkola.core import navigation
from shkola.core.templatetags import frame
from shkola.core.testing.factories import UserFactory, guardian_of, staff
from shkola.schools.models import ClassUnit

PROFILE = "/accounts/profile/"


@pytest.fixture(autouse=True)
def _today(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SHKOLA_TODAY", "2026-11-10")  # inside the test school's year


def other_worker(client: Client) -> Client:
    """A client that sends the same session cookie, as a browser whose next request lands
    on another worker: nothing of the first worker's process memory is shared."""
    navigation._ADDRESSES.clear()
    frame._ADDRESSES.clear()
    other = Client()
    name = settings.SESSION_COOKIE_NAME
    other.cookies[name] = client.cookies[name].value
    return other


def role_label(html: str) -> str:
    return re.search(r'role-label">([^<]*)</small>', html).group(1)


def year_badge(html: str) -> str | None:
    found = re.search(r'year-badge[^"]*"[^>]*>([^<]*)</span>', html)
    return found.group(1) if found else None


def switcher(html: str) -> list[str]:
    """The child switcher's buttons: «Name 7А»."""
    part = html.split('id="child-switcher"', 1)
    if len(part) < 2:
        return []
    buttons = re.findall(r"<button[^>]*>(.*?)</button>", part[1].split("</form>")[0], re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", b).split()) for b in buttons]


def user_name(html: str) -> str:
    found = re.search(r'user-name"[^>]*>\s*<i[^>]*></i>\s*([^<]*?)\s*<small', html)
    return found.group(1)


def page(client: Client, path: str = PROFILE) -> str:
    response = client.get(path)
    assert response.status_code == 200, response
    return response.content.decode()


def normalised(html: str) -> str:
    """The page without what differs per request (CSRF token, CSP nonce)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
    return re.sub(r'nonce="[^"]+"', "", html)


# --- a warm page --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["teacher", "class_teacher", "parent", "student", "curator"])
def test_a_warm_frame_asks_only_for_the_top_bar_counters_and_shows_what_a_cold_one_shows(
    client, school, kind
):
    # Given a signed-in person of each kind whose frame was rendered once (the cache is warm)
    if kind == "teacher":
        user = staff(school.organisation, Role.TEACHER)
    elif kind == "class_teacher":
        user = school.class_teacher
    elif kind == "curator":
        user = school.curator
    elif kind == "parent":
        user = guardian_of(*school.students[:2])
    else:
        user = UserFactory()
        student = school.students[0]
        student.user = user
        student.save()
    client.force_login(user)
    cold = page(client)
    # When they open the page again
    with CaptureQueriesContext(connection) as queries:
        warm = page(client)
    # Then the session, the account, the roles, the children, the led classes, the school
    # and the year come from the cache: only the top bar's counters are counted
    assert len(queries) == 1, [q["sql"][:80] for q in queries.captured_queries]
    assert queries.captured_queries[0]["sql"].startswith("SELECT (SELECT COUNT(*)")
    # And the page is the one the database gives (same frame, same content)
    assert normalised(warm) == normalised(cold)
    caches["people"].clear()
    client.force_login(user)
    assert normalised(page(client)) == normalised(cold)


@pytest.mark.django_db
def test_the_cached_viewer_equals_the_one_from_the_database(school):
    parent = guardian_of(*school.students[:2])
    RoleAssignment.objects.create(user=parent, role=Role.TEACHER, organisation=school.organisation)
    fresh = viewer_for(parent)
    parts = (
        "own_student",
        "children",
        "territory_ids",
        "led_class_ids",
        "organisation",
        "role_labels",
    )
    from_db = {name: getattr(fresh, name) for name in parts}
    from_db["roles"] = fresh.roles
    with CaptureQueriesContext(connection) as queries:
        cached = viewer_for(parent)
        from_cache = {name: getattr(cached, name) for name in parts}
        from_cache["roles"] = cached.roles
    assert len(queries) == 0
    assert from_cache == from_db
    assert [c.current_class.name for c in from_cache["children"]] == [
        c.current_class.name for c in from_db["children"]
    ]


@pytest.mark.django_db
def test_a_page_needing_only_part_of_the_viewer_caches_that_part(school):
    # Given nothing cached yet, a Viewer asked only for roles reads only roles
    teacher = school.teacher
    with CaptureQueriesContext(connection) as queries:
        assert viewer_for(teacher).roles
    assert len(queries) == 1
    # When another part is asked for (the school: whether they study there, then which),
    # it is read once and joins the entry
    with CaptureQueriesContext(connection) as queries:
        assert viewer_for(teacher).organisation == school.organisation
    assert len(queries) == 2
    with CaptureQueriesContext(connection) as queries:
        assert viewer_for(teacher).organisation == school.organisation
    assert len(queries) == 0


@pytest.mark.django_db
def test_a_part_added_later_does_not_keep_the_older_parts_beyond_their_time(
    school, settings, monkeypatch
):
    # Given a teacher's roles cached at 12:00:00 with a 60-second life
    settings.PEOPLE_CACHE_SECONDS = 60
    clock = {"now": 1_000_000.0}
    monkeypatch.setattr(who.time, "time", lambda: clock["now"])
    teacher = school.teacher
    assert viewer_for(teacher).roles
    # When a page 50 seconds later asks for another part (the school), added to the entry
    clock["now"] += 50
    with CaptureQueriesContext(connection) as queries:
        assert viewer_for(teacher).organisation == school.organisation
    assert len(queries) == 2
    # Then 61 seconds after the roles were read, nothing of the entry is served any more: a
    # change no service dropped (a role deleted in the admin) is seen within the minute
    clock["now"] += 11
    with CaptureQueriesContext(connection) as queries:
        assert viewer_for(teacher).roles
    assert len(queries) == 1


def counters(html: str) -> dict[str, str]:
    """The top bar's counters on a page: {badge key: count or ''}."""
    found = re.findall(
        r'id="badge-([\w-]+)"[^>]*>\s*<i[^>]*></i>(?:\s*<span[^>]*>(\d+)</span>)?', html
    )
    return dict(found)


@pytest.mark.django_db
def test_the_counters_sql_is_remembered_but_the_counts_are_fresh(client, school):
    import datetime as dt

    from shkola.announcements.services import announcement_publish
    from shkola.notifications.services import notify

    # Given a parent of one child whose page was opened once (the counters' SQL remembered)
    parent = guardian_of(school.students[0])
    client.force_login(parent)
    before = counters(page(client))
    assert before.get("notifications") == ""
    # When a notification arrives, the next page counts it
    notify(kind="mark", user_ids=[parent.pk], title="Новая отметка", url="/diary/")
    assert counters(page(client))["notifications"] == "1"
    # When an announcement is published for a class the family has no child in, nothing more
    other, other_students = school.add_class(9, "В", n_students=1)
    day = dt.date(2026, 11, 10)
    announcement_publish(
        author=school.curator,
        title="Экскурсия",
        body="9 «В» едет в музей",
        audience="families",
        scope="classes",
        class_unit_ids=[other.id],
        valid_from=day,
        valid_to=day,
    )
    assert counters(page(client)).get("announcements", "") == ""
    # … and when the parent's second child studies in that class, the same kind of page
    # selects the new child's announcements (the person's data changed: the SQL is rebuilt)
    from shkola.schools.services import guardian_link, guardian_of_user

    guardian_link(guardian=guardian_of_user(user=parent), student=other_students[0], kind="mother")
    assert counters(page(other_worker(client)))["announcements"] == "1"


# --- every change is seen by the next request of another worker ----------------------------


@pytest.mark.django_db
def test_a_role_granted_or_revoked_shows_on_the_next_request(client, school):
    teacher = staff(school.organisation, Role.TEACHER)
    client.force_login(teacher)
    assert role_label(page(client)) == "Учитель"
    assert role_label(page(client)) == "Учитель"  # warm
    [assignment] = RoleAssignment.objects.filter(user=teacher)
    services.role_grant(
        user=teacher, role=Role.CURATOR, organisation=school.organisation, actor=school.curator
    )
    html = page(other_worker(client))
    assert role_label(html) == "Учитель"  # listed before the curator
    assert 'href="/accounts/people/"' in html  # the curator's menu
    services.role_revoke(assignment=assignment, actor=school.curator)
    assert role_label(page(other_worker(client))) == "Куратор (администратор школы)"


@pytest.mark.django_db
def test_becoming_a_class_teacher_shows_on_the_next_request(client, school):
    teacher = staff(school.organisation, Role.TEACHER)
    client.force_login(teacher)
    assert role_label(page(client)) == "Учитель"
    school.class_unit.class_teacher = teacher
    school.class_unit.save(update_fields=["class_teacher"])
    assert role_label(page(other_worker(client))) == "Классный руководитель"


@pytest.mark.django_db
def test_a_child_linked_or_unlinked_shows_in_the_switcher(client, school):
    first, second = school.students[:2]
    parent = guardian_of(first)
    client.force_login(parent)
    assert switcher(page(client)) == [f"{first.first_name} 7А"]
    # the child's second child is linked, then the school unlinks the first (roster)
    from shkola.roster import services as roster
    from shkola.schools.models import Guardianship

    guardian = Guardianship.objects.get(student=first).guardian
    Guardianship.objects.create(guardian=guardian, student=second, kind="mother")
    shown = sorted(switcher(page(other_worker(client))))
    assert shown == sorted([f"{first.first_name} 7А", f"{second.first_name} 7А"])
    roster.guardian_detach(
        organisation=school.organisation,
        actor=school.curator,
        guardianship=Guardianship.objects.get(student=first),
    )
    assert switcher(page(other_worker(client))) == [f"{second.first_name} 7А"]


@pytest.mark.django_db
def test_a_child_added_by_code_shows_in_the_switcher(client, school, codes):
    first, second = school.students[:2]
    parent = guardian_of(first)
    client.force_login(parent)
    assert len(switcher(page(client))) == 1
    code = next(c for c in codes["parent"] if c.student_id == second.pk)
    services.parent_child_add(user=parent, code=code.code)
    assert len(switcher(page(other_worker(client)))) == 2


@pytest.mark.django_db
def test_a_name_changed_shows_on_the_next_request(client, school):
    # the person's own name (profile) and a child's name and class (the school's roster)
    parent = guardian_of(school.students[0])
    client.force_login(parent)
    html = page(client)
    assert user_name(html) == parent.short_name
    services.profile_update(
        user=parent, email=parent.email, phone="+79161234567", last_name="Новикова"
    )
    parent.refresh_from_db()
    assert parent.short_name.startswith("Новикова ")
    assert user_name(page(other_worker(client))) == parent.short_name
    student = school.students[0]
    student.first_name = "Ярослав"
    student.save(update_fields=["first_name"])
    assert switcher(page(other_worker(client))) == ["Ярослав 7А"]
    ClassUnit.objects.filter(pk=school.class_unit.pk).update(letter="Б")  # no signal …
    services.people_cache_drop_all()  # … so the service that does it drops everyone
    assert switcher(page(other_worker(client))) == ["Ярослав 7Б"]


@pytest.mark.django_db
def test_a_class_move_shows_on_the_next_request(client, school):
    from shkola.schools import services as school_services

    student = school.students[0]
    parent = guardian_of(student)
    client.force_login(parent)
    assert switcher(page(client)) == [f"{student.first_name} 7А"]
    other_class, _ = school.add_class(7, "В", n_students=0)
    school_services.enrolment_record(
        student=student,
        action="transfer",
        date=dt.date(2026, 11, 2),
        order_number="2-у",
        class_unit=other_class,
    )
    assert switcher(page(other_worker(client))) == [f"{student.first_name} 7В"]


@pytest.mark.django_db
def test_the_year_changed_shows_on_the_next_request(client, school):
    from shkola.yearsetup import services as yearsetup

    client.force_login(school.teacher)
    assert year_badge(page(client)) == school.year.name
    assert year_badge(page(client)) == school.year.name  # warm
    yearsetup.year_dates_save(
        organisation=school.organisation,
        year=school.year,
        name="2026–2027",
        start=school.year.start,
        end=school.year.end,
        scheme=school.organisation.period_scheme,
        parallel_schemes={},
        by=school.curator,
    )
    assert year_badge(page(other_worker(client))) == "2026–2027"


@pytest.mark.django_db
def test_a_session_ended_in_access_is_gone_in_every_worker(client, school):
    # Given a person signed in on a phone (phone) and a laptop (client)
    teacher = school.teacher
    phone = Client()
    phone.force_login(teacher)
    client.force_login(teacher)
    assert page(phone) and page(client)
    # When they end the phone's session in «Доступ» from the laptop
    row = UserSession.objects.get(session_key=phone.session.session_key)
    client.post("/accounts/profile/access/end/", {"session": row.pk})
    # Then the phone's next request, on any worker, is sent to sign in
    response = other_worker(phone).get(PROFILE)
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert page(other_worker(client))  # the laptop stays


@pytest.mark.django_db
def test_logout_is_gone_in_every_worker(client, school):
    client.force_login(school.teacher)
    assert page(client)
    same_browser = other_worker(client)
    client.post("/accounts/logout/")
    assert same_browser.get(PROFILE).status_code == 302


@pytest.mark.django_db
def test_a_password_change_signs_out_other_browsers_even_without_a_session_row(client, school):
    # Given a second browser whose session «Доступ» does not list (no UserSession row): only
    # Django's password-hash check can end it, and that reads the cached account
    parent = guardian_of(school.students[0])
    parent.set_password("Old-Password-2026")
    parent.save()
    laptop = Client()
    laptop.force_login(parent)
    UserSession.objects.filter(session_key=laptop.session.session_key).delete()
    assert page(laptop) and page(laptop)  # warm
    client.force_login(parent)
    # When the person changes their password on the phone
    done = client.post(
        "/accounts/password/",
        {
            "old_password": "Old-Password-2026",
            "new_password1": "New-Choice-Pass-7",
            "new_password2": "New-Choice-Pass-7",
        },
    )
    assert done.status_code == 302
    # Then the laptop is signed out on its next request, the phone stays
    assert other_worker(laptop).get(PROFILE).status_code == 302
    assert page(other_worker(client))


@pytest.mark.django_db
def test_a_temporary_password_set_by_the_curator_signs_the_person_out(client, school):
    parent = guardian_of(school.students[0])
    client.force_login(parent)
    assert page(client)
    services.password_set_by_curator(actor=school.curator, user=parent)
    assert other_worker(client).get(PROFILE).status_code == 302


@pytest.mark.django_db
def test_an_account_switched_off_is_refused_on_the_next_request(client, school):
    parent = guardian_of(school.students[0])
    client.force_login(parent)
    UserSession.objects.all().delete()  # only the account's state can refuse it
    assert page(client)
    parent.is_active = False
    parent.save(update_fields=["is_active"])
    assert other_worker(client).get(PROFILE).status_code == 302


@pytest.mark.django_db
def test_a_new_class_school_or_student_outdates_only_the_people_it_names(client, school):
    from shkola.core.testing.factories import OrganisationFactory, StudentFactory

    client.force_login(school.teacher)
    page(client)
    OrganisationFactory(territory=school.organisation.territory)
    ClassUnit.objects.create(parallel=school.parallel, letter="Д")
    StudentFactory(organisation=school.organisation)
    with CaptureQueriesContext(connection) as queries:
        page(client)
    assert len(queries) == 1  # still warm: nobody's frame shows them yet
    ClassUnit.objects.create(parallel=school.parallel, letter="Е", class_teacher=school.teacher)
    assert role_label(page(other_worker(client))) == "Классный руководитель"


# --- the drop after commit ------------------------------------------------------------------


@pytest.mark.django_db
def test_data_read_before_a_commit_is_never_served_after_it(
    school, django_capture_on_commit_callbacks
):
    teacher = school.teacher
    assert viewer_for(teacher).roles  # cached
    with django_capture_on_commit_callbacks(execute=True):
        services.role_grant(user=teacher, role=Role.CURATOR, organisation=school.organisation)
        # another worker reads before the commit: the old roles, under the new version
        racing = who.person_load(teacher.pk)
        who.person_viewer_remember(racing, "roles", [])
        assert who.person_load(teacher.pk).has("roles")
    # after the commit the second drop outdates what it stored
    assert not who.person_load(teacher.pk).has("roles")
    assert {r.role for r in viewer_for(teacher).roles} == {Role.TEACHER, Role.CURATOR}


@pytest.mark.django_db
def test_an_evicted_version_never_revives_an_old_entry(school):
    teacher = school.teacher
    assert viewer_for(teacher).roles
    person = who.person_load(teacher.pk)
    caches["people"].delete(f"who:ver:{teacher.pk}")  # evicted (local memory culls)
    assert who.person_load(teacher.pk).tag != person.tag
    assert not who.person_load(teacher.pk).has("roles")


# --- the real shared cache ----------------------------------------------------------------


def _redis_or_skip() -> str:
    """The Redis on 127.0.0.1:6379; outside CI a missing one skips, in CI it fails."""
    import os

    location = "redis://127.0.0.1:6379/3"
    try:
        import redis

        redis.Redis.from_url(location, socket_connect_timeout=2).ping()
    except Exception as error:  # noqa: BLE001
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI has Redis on 127.0.0.1:6379, but: {error}")
        pytest.skip("no Redis on 127.0.0.1:6379")
    return location


@pytest.fixture
def redis_cache():  # type: ignore[no-untyped-def]
    import redis

    location = _redis_or_skip()
    prefix = f"shkola-test-{uuid.uuid4().hex}"
    config = {
        "BACKEND": "shkola.core.cache.SharedRedisCache",
        "LOCATION": location,
        "KEY_PREFIX": prefix,
    }
    with override_settings(CACHES={"default": config, "people": config}):
        yield config
    # only this test's keys: a FLUSHDB would empty the cache of a test running beside it
    server = redis.Redis.from_url(location)
    for key in server.scan_iter(match=f"{prefix}:*", count=1000):
        server.delete(key)


def _second_process_cache(config):  # type: ignore[no-untyped-def]
    """Another worker's connection: a cache object of its own on the same server."""
    from django.core.cache.backends.redis import RedisCache

    return RedisCache(config["LOCATION"], {"KEY_PREFIX": config["KEY_PREFIX"]})


@pytest.mark.django_db
def test_with_redis_a_session_ended_is_gone_for_another_connection(client, school, redis_cache):
    from django.contrib.sessions.backends.cached_db import KEY_PREFIX

    teacher = school.teacher
    phone = Client()
    phone.force_login(teacher)
    client.force_login(teacher)
    assert page(phone) and page(client)
    key = phone.session.session_key
    elsewhere = _second_process_cache(redis_cache)
    assert elsewhere.get(KEY_PREFIX + key) is not None  # the session lives in the shared cache
    assert elsewhere.get(f"who:user:{teacher.pk}") is not None  # and so does the account
    row = UserSession.objects.get(session_key=key)
    client.post("/accounts/profile/access/end/", {"session": row.pk})
    assert elsewhere.get(KEY_PREFIX + key) is None
    response = other_worker(phone).get(PROFILE)
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.django_db
def test_with_redis_a_role_change_reaches_another_connection(client, school, redis_cache):
    teacher = staff(school.organisation, Role.TEACHER)
    client.force_login(teacher)
    html = page(client)
    assert role_label(html) == "Учитель" and 'href="/accounts/people/"' not in html
    elsewhere = _second_process_cache(redis_cache)
    before = elsewhere.get(f"who:ver:{teacher.pk}")
    services.role_grant(user=teacher, role=Role.CURATOR, organisation=school.organisation)
    assert elsewhere.get(f"who:ver:{teacher.pk}") not in (None, before)
    html = page(other_worker(client))
    assert role_label(html) == "Учитель"  # listed before the curator
    assert 'href="/accounts/people/"' in html  # the curator's menu


_WORKER = """
import sys

import django

django.setup()
from django.conf import settings
from django.test import Client

browser = Client()
browser.cookies[settings.SESSION_COOKIE_NAME] = sys.argv[1]
print(browser.get("/accounts/profile/").status_code)
"""


def _served_by_a_fresh_process(config, session_key: str) -> int:  # type: ignore[no-untyped-def]
    """The status of the profile page for this session cookie, served by a new Python
    process (a worker that shares only the database and Redis with this one)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SHKOLA_TESTING": "1",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "DB_CONN_MAX_AGE": "0",
        "REDIS_URL": config["LOCATION"],
        "SHKOLA_TEST_REDIS": "1",
        "CACHE_KEY_PREFIX": config["KEY_PREFIX"],
    }
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run(
        [sys.executable, "-c", _WORKER, session_key],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return int(done.stdout.strip().splitlines()[-1])


@pytest.mark.django_db(transaction=True)
def test_with_redis_another_process_sees_a_session_end_and_a_password_change(redis_cache):
    if connection.vendor != "postgresql":
        pytest.skip("another process needs a database it can open (PostgreSQL)")
    # Given a person signed in on a phone and on a laptop; the laptop's session is not in
    # «Доступ» (no row), so only the password-hash check can end it
    user = UserFactory()
    user.set_password("Old-Password-2026")
    user.save()
    phone, laptop = Client(), Client()
    phone.force_login(user)
    laptop.force_login(user)
    UserSession.objects.filter(session_key=laptop.session.session_key).delete()
    assert _served_by_a_fresh_process(redis_cache, phone.session.session_key) == 200
    assert _served_by_a_fresh_process(redis_cache, laptop.session.session_key) == 200
    # When this process ends the phone's session («Доступ») …
    services.user_sessions_end(user=user, keep_session_key=laptop.session.session_key)
    # … then another process no longer serves it
    assert _served_by_a_fresh_process(redis_cache, phone.session.session_key) == 302
    assert _served_by_a_fresh_process(redis_cache, laptop.session.session_key) == 200
    # When the password changes here, the laptop (its account cached there) is signed out
    user.set_password("New-Password-2026")
    user.save()
    assert _served_by_a_fresh_process(redis_cache, laptop.session.session_key) == 302
