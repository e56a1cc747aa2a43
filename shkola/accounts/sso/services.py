"""Single sign-on writes: who the provider's person is here, their children, the curator's
decisions about children the roster does not have.

Matching never guesses. A person is found by SNILS (an account's, a legal representative's,
a student's), then by the provider's subject stored at an earlier sign-in. A person with no
account gets one only when the roster already knows them (a student or representative with
the same SNILS and birth date) or knows one of their children; otherwise nothing is created."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shkola.accounts.models import AuditEvent, User
from shkola.accounts.services import audit_record, people_cache_drop, user_create
from shkola.core import clock
from shkola.schools import services as school_services
from shkola.schools.models import Guardian, Guardianship, RepresentativeKind, Student
from shkola.schools.services import guardian_link

from .models import SsoIdentity, UnmatchedChild, UnmatchedChildStatus
from .providers import ClaimedChild, SsoPerson


class Refusal:
    """Why a provider's person gets no account here (shown on the explanation page)."""

    UNKNOWN = "unknown"  # no account, not in the roster, no child in the roster
    NO_SNILS = "no_snils"  # the provider gave no SNILS and the subject is not known
    CONFLICT = "conflict"  # SNILS and stored subject point at different accounts
    AMBIGUOUS = "ambiguous"  # one SNILS, several accounts
    INACTIVE = "inactive"  # the account is switched off


@dataclass
class SignInOutcome:
    user: User | None = None
    refusal: str = ""
    created: bool = False
    matched_by: str = ""  # snils / subject / roster / children
    linked: list[Student] = field(default_factory=list)
    unmatched: list[ClaimedChild] = field(default_factory=list)


def _single_user(users: list[Any]) -> tuple[User | None, bool]:
    distinct = {u.pk: u for u in users}
    if len(distinct) > 1:
        return None, True
    return (next(iter(distinct.values())) if distinct else None), False


def _user_by_snils(snils: str) -> tuple[User | None, bool]:
    """The account of this SNILS: its own, a representative's, a student's. (user, ambiguous)"""
    user, ambiguous = _single_user(list(User.objects.filter(snils=snils)))
    if user or ambiguous:
        return user, ambiguous
    user, ambiguous = _single_user(
        [
            g.user
            for g in Guardian.objects.filter(snils=snils, user__isnull=False).select_related("user")
        ]
    )
    if user or ambiguous:
        return user, ambiguous
    return _single_user(
        [
            s.user
            for s in Student.objects.filter(snils=snils, user__isnull=False).select_related("user")
        ]
    )


_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya".split(),
        strict=True,
    )
)


def _login_for(last_name: str, first_name: str) -> str:
    """A readable unique login (``ivanova.m``), the person may never type it."""
    latin = "".join(_TRANSLIT.get(ch, ch) for ch in last_name.lower()).replace("-", "")
    latin = re.sub(r"[^a-z0-9]", "", latin) or "user"
    initial = "".join(_TRANSLIT.get(ch, ch) for ch in first_name[:1].lower())
    base = f"{latin}.{re.sub(r'[^a-z]', '', initial)}".rstrip(".")
    if len(base) < 3:
        base = f"{base}.sso"
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


def _account_new(
    *,
    last_name: str,
    first_name: str,
    middle_name: str,
    birth_date: Any,
    snils: str,
    email: str,
) -> User:
    user = user_create(
        username=_login_for(last_name, first_name),
        password=None,  # signs in through the provider; a password can be set in the profile
        last_name=last_name,
        first_name=first_name,
        middle_name=middle_name,
        email=email,
    )
    user.birth_date = birth_date
    user.snils = snils
    user.save(update_fields=["birth_date", "snils"])
    return user


def _account_from_roster(person: SsoPerson) -> User | None:
    """A first sign-in of a student or representative the school already entered."""
    if not person.birth_date:
        return None
    student = (
        Student.objects.select_for_update()
        .filter(snils=person.snils, birth_date=person.birth_date, user__isnull=True)
        .first()
    )
    if student is not None:
        user = _account_new(
            last_name=student.last_name,  # the school keeps a student's name
            first_name=student.first_name,
            middle_name=student.middle_name,
            birth_date=student.birth_date,
            snils=person.snils,
            email=person.email,
        )
        Student.objects.filter(pk=student.pk).update(user=user)
        people_cache_drop([user.pk])
        return user
    guardian = (
        Guardian.objects.select_for_update()
        .filter(snils=person.snils, birth_date=person.birth_date, user__isnull=True)
        .first()
    )
    if guardian is not None:
        user = _account_new(
            last_name=person.last_name or guardian.last_name,
            first_name=person.first_name or guardian.first_name,
            middle_name=person.middle_name or guardian.middle_name,
            birth_date=person.birth_date,
            snils=person.snils,
            email=person.email or guardian.email,
        )
        Guardian.objects.filter(pk=guardian.pk).update(user=user)
        people_cache_drop([user.pk])
        return user
    return None


def _roster_children(children: tuple[ClaimedChild, ...]) -> dict[int, Student]:
    """Claimed child index → the roster student with the same SNILS and birth date."""
    wanted = {c.snils for c in children if c.snils and c.birth_date}
    if not wanted:
        return {}
    by_key: dict[tuple[str, Any], list[Student]] = {}
    for s in Student.objects.filter(snils__in=wanted).select_related("organisation"):
        by_key.setdefault((s.snils, s.birth_date), []).append(s)
    found: dict[int, Student] = {}
    for i, child in enumerate(children):
        candidates = by_key.get((child.snils, child.birth_date), [])
        if len(candidates) == 1:  # two roster records with one SNILS: not ours to pick
            found[i] = candidates[0]
    return found


def _guardian_of(user: User, person: SsoPerson | None = None) -> Guardian:
    guardian = Guardian.objects.filter(user=user).first()
    if guardian is not None:
        if person is not None and person.snils and not guardian.snils:
            Guardian.objects.filter(pk=guardian.pk).update(snils=person.snils)
        return guardian
    return school_services.guardian_of_user(user=user)


def _child_link(*, user: User, student: Student, person: SsoPerson | None = None) -> bool:
    """Make ``user`` a representative of ``student``; False when already linked."""
    if student.user_id == user.pk:
        return False
    guardian = _guardian_of(user, person)
    if Guardianship.objects.filter(guardian=guardian, student=student).exists():
        return False
    existing = Guardianship.objects.filter(guardian=guardian).first()
    guardian_link(
        guardian=guardian,
        student=student,
        kind=existing.kind if existing else RepresentativeKind.OTHER,
    )
    return True


def _unmatched_key(child: ClaimedChild) -> dict[str, Any]:
    if child.snils:
        return {"snils": child.snils}
    return {
        "snils": "",
        "last_name": child.last_name,
        "first_name": child.first_name,
        "birth_date": child.birth_date,
    }


def _children_sync(
    *, user: User, person: SsoPerson, provider: str
) -> tuple[list[Student], list[ClaimedChild]]:
    now = clock.now()
    found = _roster_children(person.children)
    linked: list[Student] = []
    unmatched: list[ClaimedChild] = []
    for i, child in enumerate(person.children):
        student = found.get(i)
        if student is not None:
            if _child_link(user=user, student=student, person=person):
                linked.append(student)
            UnmatchedChild.objects.filter(
                parent=user, status=UnmatchedChildStatus.OPEN, **_unmatched_key(child)
            ).update(
                status=UnmatchedChildStatus.LINKED,
                student=student,
                resolved_at=now,
            )
            continue
        record = UnmatchedChild.objects.filter(parent=user, **_unmatched_key(child)).first()
        if record is None:
            UnmatchedChild.objects.create(
                provider=provider,
                parent=user,
                last_name=child.last_name,
                first_name=child.first_name,
                middle_name=child.middle_name,
                birth_date=child.birth_date,
                snils=child.snils,
                last_seen_at=now,
            )
            unmatched.append(child)
        elif record.status == UnmatchedChildStatus.OPEN:
            UnmatchedChild.objects.filter(pk=record.pk).update(last_seen_at=now)
            unmatched.append(child)
        # linked or dismissed by the curator: their decision stands
    return linked, unmatched


@transaction.atomic
def sso_sign_in(*, provider: str, person: SsoPerson) -> SignInOutcome:
    """Find (or, when the roster knows the person, create) the account for ``person`` and
    bring their children from the provider's record into it."""
    if not person.subject:
        raise ValidationError({"sub": _("Провайдер не сообщил идентификатор человека.")})
    identity = (
        SsoIdentity.objects.select_for_update()
        .select_related("user")
        .filter(provider=provider, subject=person.subject)
        .first()
    )
    user: User | None = None
    matched_by = ""
    if person.snils:
        user, ambiguous = _user_by_snils(person.snils)
        if ambiguous:
            return SignInOutcome(refusal=Refusal.AMBIGUOUS)
        matched_by = "snils" if user else ""
    if user is not None and identity is not None and identity.user_id != user.pk:
        return SignInOutcome(refusal=Refusal.CONFLICT)
    if user is None and identity is not None:
        user, matched_by = identity.user, "subject"
    created = False
    if user is None:
        if not person.snils:
            return SignInOutcome(refusal=Refusal.NO_SNILS)
        user = _account_from_roster(person)
        matched_by = "roster"
        if user is None and _roster_children(person.children):
            user = _account_new(
                last_name=person.last_name,
                first_name=person.first_name,
                middle_name=person.middle_name,
                birth_date=person.birth_date,
                snils=person.snils,
                email=person.email,
            )
            matched_by = "children"
        if user is None:
            return SignInOutcome(refusal=Refusal.UNKNOWN)
        created = True
    if not user.is_active:
        return SignInOutcome(refusal=Refusal.INACTIVE)
    if person.snils and not user.snils:
        User.objects.filter(pk=user.pk).update(snils=person.snils)
        user.snils = person.snils
        people_cache_drop([user.pk])
    now = clock.now()
    if identity is None:
        SsoIdentity.objects.create(
            provider=provider, subject=person.subject, user=user, last_login_at=now
        )
    else:
        SsoIdentity.objects.filter(pk=identity.pk).update(last_login_at=now)
    linked, unmatched = _children_sync(user=user, person=person, provider=provider)
    return SignInOutcome(
        user=user,
        created=created,
        matched_by=matched_by,
        linked=linked,
        unmatched=unmatched,
    )


def sso_sign_in_recorded(*, outcome: SignInOutcome, provider: str, ip_address: str | None) -> None:
    audit_record(
        kind=AuditEvent.Kind.SSO_LOGIN,
        actor=outcome.user,
        subject_user=outcome.user,
        ip_address=ip_address,
        details={
            "provider": provider,
            "matched_by": outcome.matched_by,
            "account_created": outcome.created,
            "children_linked": [s.pk for s in outcome.linked],
            "children_unmatched": len(outcome.unmatched),
        },
    )


def sso_failure_recorded(
    *,
    provider: str,
    reason: str,
    detail: str = "",
    ip_address: str | None = None,
    subject: str = "",
) -> None:
    audit_record(
        kind=AuditEvent.Kind.LOGIN_FAILED,
        username=f"{provider}:{subject}"[:150] if subject else provider,
        ip_address=ip_address,
        details={"provider": provider, "sso": reason, "detail": detail[:300]},
    )


# --- the curator's decisions about unmatched children ------------------------------------


def _open(unmatched: UnmatchedChild) -> None:
    if unmatched.status != UnmatchedChildStatus.OPEN:
        raise ValidationError(
            {
                "status": _("По этому ребёнку решение уже принято: %(status)s.")
                % {"status": unmatched.get_status_display()}
            }
        )


@transaction.atomic
def unmatched_child_link(
    *, unmatched: UnmatchedChild, student: Student, actor: User
) -> UnmatchedChild:
    """The curator says which roster student the parent's claimed child is."""
    unmatched = UnmatchedChild.objects.select_for_update().get(pk=unmatched.pk)
    _open(unmatched)
    if student is None:
        raise ValidationError({"student": _("Выберите обучающегося.")})
    _child_link(user=unmatched.parent, student=student)
    unmatched.status = UnmatchedChildStatus.LINKED
    unmatched.student = student
    unmatched.resolved_by = actor
    unmatched.resolved_at = clock.now()
    unmatched.save(update_fields=["status", "student", "resolved_by", "resolved_at"])
    audit_record(
        kind=AuditEvent.Kind.DATA_CHANGE,
        actor=actor,
        subject_user=unmatched.parent,
        organisation=student.organisation,
        details={"sso_child_linked": student.pk, "unmatched": unmatched.pk},
    )
    return unmatched


@transaction.atomic
def unmatched_child_dismiss(*, unmatched: UnmatchedChild, actor: User) -> UnmatchedChild:
    """Not a student of this school: the record leaves the list and is not raised again."""
    unmatched = UnmatchedChild.objects.select_for_update().get(pk=unmatched.pk)
    _open(unmatched)
    unmatched.status = UnmatchedChildStatus.DISMISSED
    unmatched.resolved_by = actor
    unmatched.resolved_at = clock.now()
    unmatched.save(update_fields=["status", "resolved_by", "resolved_at"])
    from ..selectors import acting_organisation, viewer_for

    audit_record(
        kind=AuditEvent.Kind.DATA_CHANGE,
        actor=actor,
        subject_user=unmatched.parent,
        # the curator's school, not the school of the parent's first child
        organisation=acting_organisation(viewer_for(actor), unmatched.parent),
        details={"sso_child_dismissed": unmatched.pk},
    )
    return unmatched
