"""Who is looking: the roles, schools, classes and children behind a signed-in user.

Every page builds one ``Viewer`` per request (cached on the request) and the permission
rules read it, so deciding what a person may see costs a fixed handful of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from shkola.core.replicas import on_primary

from . import who
from .models import ADMIN_ROLES, Role, RoleAssignment, User

if TYPE_CHECKING:
    from django.http import HttpRequest

    from shkola.schools.models import Student

ACTIVE_STUDENT_SESSION_KEY = "active_student_id"


class _shared(cached_property):  # type: ignore[type-arg]
    """A part of the Viewer read from the shared cache when it holds it, else computed once
    and added there (see who.py): a page that never asks for children does not pay for them
    on a miss, and a warm page asks the database for none."""

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        name = self.attrname
        assert name is not None
        if name in instance.__dict__:
            return instance.__dict__[name]
        person = instance.person
        if person is not None and person.has(name):
            value = person.part(name)
        elif person is not None:
            # read from the primary even in a family page: every app server will serve it
            with on_primary():
                value = self.func(instance)
            who.person_viewer_remember(person, name, value)
        else:
            value = self.func(instance)
        instance.__dict__[name] = value
        return value


@dataclass
class Viewer:
    user: User
    roles: list[RoleAssignment] = field(default_factory=list)
    person: who.Person | None = field(default=None, repr=False, compare=False)

    @_shared
    def own_student(self) -> Student | None:
        from shkola.schools.models import Student

        return (
            Student.objects.select_related("current_class__parallel", "organisation")
            .filter(user=self.user)
            .first()
        )

    @_shared
    def children(self) -> list[Student]:
        from shkola.schools.models import Student

        return list(
            Student.objects.select_related("current_class__parallel", "organisation")
            .filter(guardianships__guardian__user=self.user)
            .order_by("last_name", "first_name")
        )

    @property
    def is_student(self) -> bool:
        return self.own_student is not None

    @property
    def is_parent(self) -> bool:
        return bool(self.children)

    @cached_property
    def staff_org_ids(self) -> set[int]:
        return {r.organisation_id for r in self.roles if r.organisation_id}

    @cached_property
    def admin_org_ids(self) -> set[int]:
        return {
            r.organisation_id for r in self.roles if r.organisation_id and r.role in ADMIN_ROLES
        }

    @cached_property
    def teacher_org_ids(self) -> set[int]:
        return {
            r.organisation_id
            for r in self.roles
            if r.organisation_id and r.role in (Role.TEACHER, Role.CLASS_TEACHER)
        }

    @cached_property
    def specialist_org_ids(self) -> set[int]:
        return {
            r.organisation_id for r in self.roles if r.organisation_id and r.role == Role.SPECIALIST
        }

    @_shared
    def territory_ids(self) -> set[int]:
        """Territories an official oversees, including every municipality of a region."""
        from shkola.schools.models import Territory

        direct = {r.territory_id for r in self.roles if r.territory_id}
        if not direct:
            return set()
        children = set(Territory.objects.filter(parent_id__in=direct).values_list("id", flat=True))
        return direct | children

    @_shared
    def led_class_ids(self) -> set[int]:
        """Classes this person leads in a school where they hold a staff role. Families (no
        roles) skip the query: it ran on every page of every parent and student."""
        from shkola.schools.models import ClassUnit

        if not self.staff_org_ids:
            return set()
        return set(
            ClassUnit.objects.filter(
                class_teacher=self.user, parallel__organisation_id__in=self.staff_org_ids
            ).values_list("id", flat=True)
        )

    @property
    def is_staff_member(self) -> bool:
        return bool(self.staff_org_ids)

    @property
    def is_teacher(self) -> bool:
        return bool(self.teacher_org_ids)

    @property
    def is_class_teacher(self) -> bool:
        return bool(self.led_class_ids)

    @property
    def is_school_admin(self) -> bool:
        return bool(self.admin_org_ids)

    @property
    def is_official(self) -> bool:
        return bool(self.territory_ids)

    @cached_property
    def role_labels(self) -> list[str]:
        labels: list[str] = []
        if self.is_student:
            labels.append(str(_label("student")))
        if self.is_parent:
            labels.append(str(_label("parent")))
        if self.is_class_teacher:
            labels.append(str(Role.CLASS_TEACHER.label))
        for role in Role:
            if role == Role.CLASS_TEACHER:
                continue
            if any(r.role == role for r in self.roles) and str(role.label) not in labels:
                labels.append(str(role.label))
        return labels

    @property
    def primary_role(self) -> str:
        return self.role_labels[0] if self.role_labels else ""

    @_shared
    def organisation(self) -> Any:
        """The school this person works or studies in (the first one when several)."""
        from shkola.schools.models import Organisation

        if self.own_student:
            return self.own_student.organisation
        if self.staff_org_ids:
            return Organisation.objects.filter(id__in=self.staff_org_ids).order_by("id").first()
        if self.children:
            return self.children[0].organisation
        return None


def _label(kind: str) -> str:
    from django.utils.translation import gettext

    return {"student": gettext("Обучающийся"), "parent": gettext("Родитель")}[kind]


def viewer_for(user: User) -> Viewer:
    if not user.is_authenticated:
        return Viewer(user=user, roles=[])
    person = who.person_of(user)
    if person is not None and person.has("roles"):
        roles = person.part("roles")
    else:
        with on_primary():  # kept in the shared cache: never a replica's older rows
            roles = list(RoleAssignment.objects.filter(user=user))
        if person is not None:
            who.person_viewer_remember(person, "roles", roles)
    return Viewer(user=user, roles=roles, person=person)


def viewer_from_request(request: HttpRequest) -> Viewer:
    cached = getattr(request, "_shkola_viewer", None)
    if cached is None:
        cached = viewer_for(request.user)  # type: ignore[arg-type]
        request._shkola_viewer = cached  # type: ignore[attr-defined]
    return cached


def active_student(request: HttpRequest) -> Student | None:
    """The diary's subject: the student themself, or the parent's chosen child."""
    viewer = viewer_from_request(request)
    if viewer.own_student:
        return viewer.own_student
    children = viewer.children
    if not children:
        return None
    wanted = request.session.get(ACTIVE_STUDENT_SESSION_KEY)
    for child in children:
        if child.id == wanted:
            return child
    return children[0]


# --- school administration: people, invitations, lockouts, the security log --------------


def user_organisation_ids(user: Any) -> set[int]:
    """Schools an account belongs to: as a student, as a parent of a student, as staff."""
    if user is None or not getattr(user, "pk", None):
        return set()
    return organisation_ids_of_users([user.pk]).get(user.pk, set())


def organisation_ids_of_users(user_ids: Any) -> dict[int, set[int]]:
    """Schools each account belongs to (as a student, a parent, staff), three queries for
    any number of accounts."""
    from shkola.schools.models import Student

    ids = [pk for pk in user_ids if pk]
    result: dict[int, set[int]] = {pk: set() for pk in ids}
    if not ids:
        return result
    pairs = list(Student.objects.filter(user_id__in=ids).values_list("user_id", "organisation_id"))
    pairs += list(
        Student.objects.filter(guardianships__guardian__user_id__in=ids).values_list(
            "guardianships__guardian__user_id", "organisation_id"
        )
    )
    pairs += list(
        RoleAssignment.objects.filter(user_id__in=ids, organisation__isnull=False).values_list(
            "user_id", "organisation_id"
        )
    )
    for user_id, organisation_id in pairs:
        result[user_id].add(organisation_id)
    return result


def _powers_beyond_school_ids(viewer: Viewer, users: list[Any]) -> set[int]:
    """Of ``users``: the viewer themself, system administrators, and anyone holding an
    administrative role anywhere, a territory role, or a role in an organisation the viewer
    does not administer."""
    ids = {u.pk for u in users if getattr(u, "pk", None)}
    beyond = {u.pk for u in users if u.pk == viewer.user.pk or u.is_superuser or u.is_staff} & ids
    for user_id, role, organisation_id in RoleAssignment.objects.filter(
        user_id__in=ids - beyond
    ).values_list("user_id", "role", "organisation_id"):
        if role in ADMIN_ROLES or organisation_id not in viewer.admin_org_ids:
            beyond.add(user_id)
    return beyond


def _beyond_school_ids(viewer: Viewer, users: list[Any]) -> set[int]:
    """Of ``users``, those a school's administration must not manage: the ones with powers
    beyond the school (above), and anyone linked to another school in any way (a parent
    whose child studies there, a teacher there). A temporary password or a merge over such
    an account would take over powers, or open children's data, that the curator has no
    say over."""
    ids = {u.pk for u in users if getattr(u, "pk", None)}
    beyond = _powers_beyond_school_ids(viewer, users)
    for user_id, organisation_ids in organisation_ids_of_users(ids - beyond).items():
        if organisation_ids - viewer.admin_org_ids:
            beyond.add(user_id)
    return beyond


def powers_refusal(login: str) -> str:
    from django.utils.translation import gettext

    return gettext(
        "У «%(login)s» есть административная роль или роль в другой организации — "
        "такой учётной записью управляет администратор системы, а не куратор школы."
    ) % {"login": login}


def other_school_refusal(login: str) -> str:
    from django.utils.translation import gettext

    return gettext(
        "«%(login)s» связан(а) не только с вашей школой (ребёнок, учёба или работа в другой "
        "организации): куратор одной школы не выдаёт такой учётной записи временный пароль, "
        "не объединяет и не разблокирует её. Пароль восстанавливается самим человеком по "
        "ссылке «Забыли пароль?» на странице входа — письмо придёт на подтверждённый адрес "
        "электронной почты; блокировка входа снимается сама по истечении срока."
    ) % {"login": login}


def user_management_refusal(viewer: Viewer, user: Any) -> str | None:
    """Why the viewer may not set a password for, merge or unlock this account, or None if
    they may.

    Manageable: students and parents of the viewer's schools, and staff whose only roles
    are non-administrative ones in those schools, when nothing links them to any other
    school (see docs/accounts.md, «Учётные записи нескольких школ»)."""
    from django.utils.translation import gettext

    if user is None or not getattr(user, "pk", None) or not viewer.admin_org_ids:
        return gettext("Учётная запись не найдена среди пользователей вашей школы.")
    login = user.username
    if user.pk == viewer.user.pk:
        return gettext(
            "«%(login)s» — ваша собственная учётная запись: пароль меняйте в «Мои данные»."
        ) % {"login": login}
    organisation_ids = user_organisation_ids(user)
    if not (organisation_ids & viewer.admin_org_ids):
        return gettext("Логин «%(login)s» не найден среди пользователей вашей школы.") % {
            "login": login
        }
    if _powers_beyond_school_ids(viewer, [user]):
        return powers_refusal(login)
    if organisation_ids - viewer.admin_org_ids:
        return other_school_refusal(login)
    return None


def acting_organisation(viewer: Viewer, user: Any) -> Any:
    """The school in whose name an administrator acts on an account: the one they
    administer that the account belongs to (so its security log names that school, not the
    school of the person's first child)."""
    from shkola.schools.models import Organisation

    shared = user_organisation_ids(user) & viewer.admin_org_ids
    return Organisation.objects.filter(id__in=shared or viewer.admin_org_ids).order_by("id").first()


def school_users(organisation_ids: Any) -> Any:
    """Accounts that belong to these schools: students, parents of their students, staff."""
    from django.db.models import Q

    from shkola.schools.models import Student

    return User.objects.filter(
        Q(student__organisation_id__in=organisation_ids)
        | Q(
            guardian__guardianships__student__in=Student.objects.filter(
                organisation_id__in=organisation_ids
            )
        )
        | Q(roles__organisation_id__in=organisation_ids)
    )


def user_manageable(viewer: Viewer, user: Any) -> bool:
    return user_management_refusal(viewer, user) is None


def admin_organisations(viewer: Viewer) -> list[Any]:
    from shkola.schools.models import Organisation

    return list(Organisation.objects.filter(id__in=viewer.admin_org_ids).order_by("short_name"))


@dataclass
class ClassInvitations:
    class_unit: Any
    students: int
    registered_students: int
    active_student_codes: int
    active_parent_codes: int


def invitation_classes(viewer: Viewer) -> list[ClassInvitations]:
    """The current year's classes of the viewer's schools with how far registration has got."""
    from django.db.models import Count, Q

    from shkola.core import clock
    from shkola.schools.models import ClassUnit

    now = clock.now()
    active = Q(
        invitations__used_at__isnull=True,
        invitations__revoked_at__isnull=True,
        invitations__expires_at__gt=now,
    )
    classes = (
        ClassUnit.objects.filter(
            parallel__organisation_id__in=viewer.admin_org_ids,
            parallel__academic_year__is_current=True,
        )
        .select_related("parallel__organisation", "class_teacher")
        .annotate(
            n_students=Count("students", distinct=True),
            n_registered=Count("students", filter=Q(students__user__isnull=False), distinct=True),
            n_student_codes=Count(
                "invitations",
                filter=active & Q(invitations__kind="student"),
                distinct=True,
            ),
            n_parent_codes=Count(
                "invitations",
                filter=active & Q(invitations__kind="parent"),
                distinct=True,
            ),
        )
        .order_by("parallel__organisation__short_name", "parallel__grade", "letter")
    )
    return [
        ClassInvitations(
            class_unit=c,
            students=c.n_students,
            registered_students=c.n_registered,
            active_student_codes=c.n_student_codes,
            active_parent_codes=c.n_parent_codes,
        )
        for c in classes
    ]


def class_of_admin(viewer: Viewer, class_id: int) -> Any:
    from django.http import Http404

    from shkola.schools.models import ClassUnit

    class_unit = (
        ClassUnit.objects.select_related("parallel__organisation", "class_teacher")
        .filter(pk=class_id, parallel__organisation_id__in=viewer.admin_org_ids)
        .first()
    )
    if class_unit is None:
        raise Http404
    return class_unit


@dataclass
class StudentInvitations:
    student: Any
    student_code: Any  # the newest student invitation, or None
    parent_code: Any
    parents: list[str]


def invitations_of_class(class_unit: Any) -> list[StudentInvitations]:
    from django.db.models import Prefetch

    from shkola.schools.models import Guardianship
    from shkola.schools.selectors import students_of_class

    from .models import Invitation

    students = list(
        students_of_class(class_unit)
        .select_related("user")
        .prefetch_related(
            Prefetch(
                "invitations",
                queryset=Invitation.objects.order_by("-created_at", "-id"),
                to_attr="all_invitations",
            ),
            Prefetch(
                "guardianships",
                queryset=Guardianship.objects.filter(guardian__user__isnull=False).select_related(
                    "guardian"
                ),
                to_attr="registered_parents",
            ),
        )
    )
    rows = []
    for s in students:
        by_kind: dict[str, Any] = {}
        for inv in s.all_invitations:
            by_kind.setdefault(inv.kind, inv)
        rows.append(
            StudentInvitations(
                student=s,
                student_code=by_kind.get("student"),
                parent_code=by_kind.get("parent"),
                parents=[g.guardian.full_name for g in s.registered_parents],
            )
        )
    return rows


def invitations_to_print(class_unit: Any, kind: str | None) -> list[Any]:
    from shkola.core import clock

    from .models import Invitation

    qs = Invitation.objects.filter(
        class_unit=class_unit,
        used_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=clock.now(),
    ).select_related("student", "organisation")
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.order_by("kind", "student__last_name", "student__first_name"))


@dataclass
class PersonRow:
    user: User
    kind: str  # «Обучающийся» / «Родитель» / «Сотрудник»
    details: str
    manageable: bool = True  # the card (temporary password) is open to the viewer
    refusal: str = ""  # why not, shown instead of the link


def people_search(viewer: Viewer, query: str, limit: int = 50) -> list[PersonRow]:
    """Students, parents and staff of the viewer's schools whose name or login matches."""
    from django.db.models import Q
    from django.utils.translation import gettext

    from shkola.schools.models import Guardianship, Student

    org_ids = viewer.admin_org_ids
    words = [w for w in query.split() if w][:3]
    if not org_ids or not words:
        return []
    name_q = Q()
    for w in words:
        name_q &= (
            Q(last_name__icontains=w)
            | Q(first_name__icontains=w)
            | Q(middle_name__icontains=w)
            | Q(username__icontains=w)
        )
    rows: dict[int, PersonRow] = {}
    for s in Student.objects.filter(
        organisation_id__in=org_ids, user__in=User.objects.filter(name_q)
    ).select_related("user", "current_class__parallel")[:limit]:
        if s.user is None:  # excluded by the filter; narrows the nullable link
            continue
        cls = s.current_class.name if s.current_class else ""
        rows[s.user.pk] = PersonRow(s.user, gettext("Обучающийся"), cls)
    for g in (
        Guardianship.objects.filter(
            student__organisation_id__in=org_ids,
            guardian__user__in=User.objects.filter(name_q),
        )
        .select_related("guardian__user", "student")
        .order_by("guardian__last_name")[:limit]
    ):
        u = g.guardian.user
        if u is None:
            continue
        if u.pk in rows:
            rows[u.pk].details += ", " + g.student.full_name
        else:
            rows[u.pk] = PersonRow(u, gettext("Родитель"), g.student.full_name)
    for r in (
        RoleAssignment.objects.filter(
            organisation_id__in=org_ids, user__in=User.objects.filter(name_q)
        )
        .select_related("user")
        .order_by("user__last_name")[:limit]
    ):
        if r.user.pk in rows:
            if str(r.get_role_display()) not in rows[r.user.pk].details:
                rows[r.user.pk].details += ", " + str(r.get_role_display())
        else:
            rows[r.user.pk] = PersonRow(r.user, gettext("Сотрудник"), str(r.get_role_display()))
    found = [row.user for row in rows.values()]
    powers = _powers_beyond_school_ids(viewer, found)
    beyond = _beyond_school_ids(viewer, found)
    for row in rows.values():
        row.manageable = row.user.pk not in beyond
        if row.user.pk in powers:
            row.refusal = "" if row.user.pk == viewer.user.pk else powers_refusal(row.user.username)
        elif not row.manageable:
            row.refusal = other_school_refusal(row.user.username)
    return sorted(rows.values(), key=lambda p: (p.user.last_name, p.user.first_name))[:limit]


def user_of_admin(viewer: Viewer, user_id: int) -> User:
    from django.http import Http404

    user = User.objects.filter(pk=user_id).first()
    if user is None or not user_manageable(viewer, user):
        raise Http404
    return user


@dataclass
class UserCard:
    user: User
    student: Any
    children: list[Any]
    roles: list[RoleAssignment]
    recent_events: list[Any]
    locked: bool


def user_card(user: User) -> UserCard:
    from shkola.schools.models import Student

    from .models import AuditEvent

    return UserCard(
        user=user,
        student=Student.objects.select_related("current_class__parallel").filter(user=user).first(),
        children=list(
            Student.objects.filter(guardianships__guardian__user=user).select_related(
                "current_class__parallel", "organisation"
            )
        ),
        roles=list(RoleAssignment.objects.filter(user=user).select_related("organisation")),
        recent_events=list(
            AuditEvent.objects.filter(subject_user=user).select_related("actor")[:10]
        ),
        locked=login_locked(user.username),
    )


def login_locked(username: str) -> bool:
    """Whether axes holds this login locked: its recent failures summed over every address
    (the way axes counts the ``username`` lockout parameter)."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.db.models import Sum
    from django.utils import timezone

    since = timezone.now() - dt.timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    failures = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return (failures or 0) >= settings.AXES_FAILURE_LIMIT


def lockout_time_left(username: str | None) -> dt.timedelta:
    """How long until the lock of this login ends: its newest failed attempt plus the
    cool-off. Tries refused while locked are not recorded, so the lock has a fixed length."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.utils import timezone

    cool_off = dt.timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    newest = (
        AccessAttempt.objects.filter(
            username=username or "", attempt_time__gte=timezone.now() - cool_off
        )
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    if newest is None:
        return cool_off
    return max(newest + cool_off - timezone.now(), dt.timedelta(0))


@dataclass(frozen=True)
class Lockout:
    """A login axes holds locked: its failures summed over every address it was tried from
    (axes locks a login on that sum, so one row per address would hide a spread attack)."""

    id: int  # the newest attempt row: a stable handle for the unlock form
    username: str
    failures: int
    last_attempt: dt.datetime
    ip_addresses: tuple[str, ...]
    # False for a person linked to a school the viewer does not administer: no single
    # school's curator lifts that lock; it ends by itself (the lock has a fixed length).
    manageable: bool = True
    refusal: str = ""


def school_lockouts(viewer: Viewer) -> list[Lockout]:
    """Locked logins of the viewer's schools' people, newest first."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.db.models import Max, Sum
    from django.utils import timezone

    org_ids = viewer.admin_org_ids
    if not org_ids:
        return []
    since = timezone.now() - dt.timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    recent = AccessAttempt.objects.filter(
        username__in=school_users(org_ids).values("username"), attempt_time__gte=since
    )
    locked = list(
        recent.values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"), id=Max("id"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last")
    )
    addresses: dict[str, set[str]] = {}
    for username, ip in recent.filter(username__in=[row["username"] for row in locked]).values_list(
        "username", "ip_address"
    ):
        if ip:
            addresses.setdefault(username, set()).add(ip)
    accounts = {
        u.username: u for u in User.objects.filter(username__in=[r["username"] for r in locked])
    }
    elsewhere = {
        user_id
        for user_id, organisation_ids in organisation_ids_of_users(
            [u.pk for u in accounts.values()]
        ).items()
        if organisation_ids - org_ids
    }
    lockouts = []
    for row in locked:
        account = accounts.get(row["username"])
        linked_elsewhere = account is not None and account.pk in elsewhere
        lockouts.append(
            Lockout(
                id=row["id"],
                username=row["username"],
                failures=row["failures"],
                last_attempt=row["last"],
                ip_addresses=tuple(sorted(addresses.get(row["username"], ()))),
                manageable=not linked_elsewhere,
                refusal=other_school_refusal(row["username"]) if linked_elsewhere else "",
            )
        )
    return lockouts


def school_lockout_count(viewer: Viewer) -> int:
    """How many logins of the viewer's schools axes holds locked (the curator's home page):
    the same rule as ``school_lockouts``, in one query."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.db.models import Sum
    from django.utils import timezone

    org_ids = viewer.admin_org_ids
    if not org_ids:
        return 0
    since = timezone.now() - dt.timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    return (
        AccessAttempt.objects.filter(
            username__in=school_users(org_ids).values("username"), attempt_time__gte=since
        )
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .count()
    )


def lockout_of_admin(viewer: Viewer, attempt_id: int) -> Lockout:
    from django.http import Http404

    for lockout in school_lockouts(viewer):
        if lockout.id == attempt_id and lockout.manageable:
            return lockout
    raise Http404


def password_reset_throttled(*, email: str, ip_address: str | None) -> bool:
    """Whether a «Забыли пароль?» request must not send a letter: the typed address already
    had its letters this hour (requests that sent nothing do not count, so a stranger's
    flood cannot keep someone from their own letter), or the client asked too often."""
    from django.conf import settings
    from django.utils import timezone

    from .models import AuditEvent

    hour_ago = timezone.now() - dt.timedelta(hours=1)
    recent = AuditEvent.objects.filter(
        kind=AuditEvent.Kind.PASSWORD_RESET_REQUEST, created_at__gte=hour_ago
    )
    if ip_address and (
        recent.filter(ip_address=ip_address).count()
        >= settings.SHKOLA["PASSWORD_RESET_PER_IP_HOUR"]
    ):
        return True
    sent = recent.filter(username=email, details__throttled=False).count()
    return sent >= settings.SHKOLA["PASSWORD_RESET_PER_EMAIL_HOUR"]


def audit_events(
    viewer: Viewer,
    *,
    kind: str = "",
    query: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> Any:
    from django.db.models import Q

    from .models import AuditEvent

    # A school sees its own rows and every row about its people, wherever it was recorded:
    # a person linked to two schools shows up in both logs.
    qs = AuditEvent.objects.filter(
        Q(organisation_id__in=viewer.admin_org_ids)
        | Q(subject_user__in=school_users(viewer.admin_org_ids).values("pk"))
    ).select_related("actor", "subject_user", "organisation")
    if kind:
        qs = qs.filter(kind=kind)
    if query:
        qs = qs.filter(
            Q(username__icontains=query)
            | Q(actor__username__icontains=query)
            | Q(subject_user__last_name__icontains=query)
            | Q(ip_address__startswith=query)
        )
    if date_from:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(created_at__date__lte=date_to)
    return qs.order_by("-created_at", "-id")


# --- own profile -------------------------------------------------------------------------


def sessions_of(user: User) -> list[Any]:
    """Browsers where the person is still signed in. A session that expired, or that a
    password change or reset signed out (its stored password hash no longer matches), is
    not listed even while its row waits to be cleaned up."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY

    from .models import UserSession

    store = import_module(settings.SESSION_ENGINE).SessionStore
    current = user.get_session_auth_hash()
    rows = list(UserSession.objects.filter(user=user).order_by("-last_seen"))
    stored = _stored_sessions(store, [row.session_key for row in rows])
    alive = []
    for row in rows:
        data = stored.get(row.session_key, {})
        if str(data.get(SESSION_KEY)) == str(user.pk) and data.get(HASH_SESSION_KEY) == current:
            alive.append(row)
    return alive


def _stored_sessions(store: Any, keys: list[str]) -> dict[str, dict[str, Any]]:
    """The live sessions' data by key: one query with database sessions, else one look-up per
    key (cache sessions are cheap to read)."""
    from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
    from django.utils import timezone

    if issubclass(store, DatabaseStore):
        model = store.get_model_class()
        found = model.objects.filter(session_key__in=keys, expire_date__gt=timezone.now())
        return {s.session_key: store().decode(s.session_data) for s in found}
    return {key: store(session_key=key).load() for key in keys}


def recent_logins(user: User, limit: int = 10) -> list[Any]:
    from .models import AuditEvent

    return list(
        AuditEvent.objects.filter(
            subject_user=user,
            kind__in=[
                AuditEvent.Kind.LOGIN,
                AuditEvent.Kind.LOGIN_FAILED,
                AuditEvent.Kind.SSO_LOGIN,
            ],
        ).order_by("-created_at")[:limit]
    )
