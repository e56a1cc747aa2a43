"""Who is signed in, from the shared cache: the account, the Viewer's data (roles, own
student, children, led classes, territories, school) and each school's current year.

Every signed-in page needs these, and they change rarely, so they are kept for a short time
(``PEOPLE_CACHE_SECONDS``) in the cache that every worker shares (Redis outside the demo).

Entries are never deleted, they are outdated. An entry is stored with the tag it was read
under, ``(global generation, person's version)``; dropping a person writes a new version,
and an organisation-wide change (a class renamed, a year created, a child moved) writes a
new global generation. A reader takes the tag before it queries the database, so data read
before a change is stored under the old tag and never served again. The services drop
twice: at once (this worker's next request, and tests, see the change) and after commit (a
reader in another worker that read the old rows between the first drop and the commit
stored them under the new tag; the second drop outdates them). A rolled-back change only
costs a cache miss.
"""

from __future__ import annotations

import pickle
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

from shkola.core.replicas import on_primary

GENERATION_KEY = "who:gen"
YEAR_MISSING = "who:no-year"  # the cached answer «this school has no year»
_ATTACHED = "_shkola_person"


def _cache() -> Any:
    return caches[getattr(settings, "PEOPLE_CACHE_ALIAS", "default")]


def _timeout() -> int:
    return int(getattr(settings, "PEOPLE_CACHE_SECONDS", 60))


def _version_key(user_id: int) -> str:
    return f"who:ver:{user_id}"


def _user_key(user_id: int) -> str:
    return f"who:user:{user_id}"


def _viewer_key(user_id: int) -> str:
    return f"who:viewer:{user_id}"


def _year_key(organisation_id: int, on: Any) -> str:
    return f"who:year:{organisation_id}:{on.isoformat() if on is not None else '-'}"


def _token() -> str:
    return secrets.token_hex(8)


def _ensure(key: str, found: Any) -> str:
    """The stored token of ``key``, creating one when missing (evicted or never written): an
    entry is accepted only under a token that exists, never under «no token»."""
    if found:
        return str(found)
    cache = _cache()
    token = _token()
    cache.add(key, token, timeout=None)
    return str(cache.get(key) or token)


@dataclass
class Person:
    """One person's cached state as read at the start of a request. The Viewer's parts are
    kept pickled as they were when computed: what a page later attaches to a child or a
    school object never travels into the cache."""

    user_id: int
    tag: tuple[str, str]
    user: Any = None
    parts: dict[str, bytes] = field(default_factory=dict)
    # when the oldest of ``parts`` was read: a part added later does not make it younger
    born: float = 0.0

    def has(self, name: str) -> bool:
        return name in self.parts

    def part(self, name: str) -> Any:
        return pickle.loads(self.parts[name])  # noqa: S301 (our own cache, written above)


def person_load(user_id: int) -> Person:
    """One round trip: the global generation, the person's version, account and Viewer data."""
    user_id = int(user_id)
    keys = [GENERATION_KEY, _version_key(user_id), _user_key(user_id), _viewer_key(user_id)]
    got = _cache().get_many(keys)
    tag = (
        _ensure(GENERATION_KEY, got.get(GENERATION_KEY)),
        _ensure(_version_key(user_id), got.get(_version_key(user_id))),
    )
    person = Person(user_id=user_id, tag=tag)
    stored_user = got.get(_user_key(user_id))
    if stored_user is not None and stored_user[0] == tag:
        person.user = stored_user[1]
    stored_viewer = got.get(_viewer_key(user_id))
    if (
        stored_viewer is not None
        and len(stored_viewer) == 3
        and stored_viewer[0] == tag
        and time.time() - stored_viewer[2] < _timeout()
    ):
        person.parts = dict(stored_viewer[1])
        person.born = stored_viewer[2]
    return person


def person_user_remember(person: Person, user: Any) -> None:
    """Store the account as read from the database (before anything is attached to it)."""
    person.user = user
    _cache().set(_user_key(person.user_id), (person.tag, user), _timeout())


def person_viewer_remember(person: Person, name: str, value: Any) -> None:
    """Add one computed part of the Viewer (roles, children…) to the person's entry."""
    now = time.time()
    if not person.parts:
        person.born = now
    person.parts[name] = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    # The entry lives PEOPLE_CACHE_SECONDS from its oldest part, however many parts a later
    # page adds: a change that no service dropped is seen within that time, not six times it.
    left = max(1, int(_timeout() - (now - person.born)))
    _cache().set(_viewer_key(person.user_id), (person.tag, dict(person.parts), person.born), left)


def person_attach(user: Any, person: Person) -> None:
    """Hand the state read with the account to the request's Viewer (no second round trip)."""
    user.__dict__[_ATTACHED] = person


def person_of(user: Any) -> Person | None:
    """The state the request's account was loaded with (taken once: a later Viewer of the
    same account object, after a change, reads the cache again), else loaded now."""
    if not getattr(user, "pk", None) or not getattr(user, "is_authenticated", False):
        return None
    person = user.__dict__.pop(_ATTACHED, None)
    if person is None or person.user_id != user.pk:
        person = person_load(user.pk)
    return person


def year_cached(organisation_id: int, on: Any, load: Callable[[], Any]) -> Any:
    """A school's current year on a day, kept under the global generation."""
    cache = _cache()
    key = _year_key(organisation_id, on)
    got = cache.get_many([GENERATION_KEY, key])
    generation = _ensure(GENERATION_KEY, got.get(GENERATION_KEY))
    stored = got.get(key)
    if stored is not None and stored[0] == generation:
        return None if stored[1] == YEAR_MISSING else stored[1]
    with on_primary():  # every app server will serve it: never a replica's older rows
        year = load()
    cache.set(key, (generation, YEAR_MISSING if year is None else year), _timeout())
    return year


# --- dropping ----------------------------------------------------------------------------


def _bump_people(user_ids: frozenset[int]) -> None:
    _cache().set_many({_version_key(uid): _token() for uid in user_ids}, timeout=None)


def _bump_everyone() -> None:
    _cache().set(GENERATION_KEY, _token(), timeout=None)


def _now_and_after_commit(action: Callable[[], None]) -> None:
    action()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(action)


def people_cache_drop(user_ids: Iterable[Any]) -> None:
    """These people's account and Viewer are read again by every worker's next request."""
    ids = frozenset(int(uid) for uid in user_ids if uid)
    if ids:
        _now_and_after_commit(lambda: _bump_people(ids))


def people_cache_drop_all() -> None:
    """An organisation-wide change (a class, a year, a child's school or class, a guardian):
    everyone's Viewer and every school's year are read again."""
    _now_and_after_commit(_bump_everyone)
