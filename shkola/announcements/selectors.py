"""Reads of announcements: who reads which, unread counts, the author's list.

A reader's announcements are decided by one condition built from the viewer (its roles,
own student record and children are loaded once per request): each school is matched only
with that school's audiences, so a parent with children in two schools, or a teacher of one
school who is a parent in another, sees each school's announcements meant for them only."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from shkola.accounts.models import ORGANISATION_ROLES, RoleAssignment
from shkola.core import clock

from .models import (
    PARENT_AUDIENCES,
    STAFF_AUDIENCES,
    STUDENT_AUDIENCES,
    Announcement,
    AnnouncementFile,
    AnnouncementRead,
    Audience,
    Scope,
)

HOME_FEED_SIZE = 5


def _family_member_q(student: Any, audiences: tuple[str, ...]) -> Q:
    """Announcements of the student's school meant for them (or their parents) by audience
    and by school, parallel or class."""
    where = Q(scope=Scope.SCHOOL)
    class_unit = student.current_class
    if class_unit is not None:
        where |= Q(
            scope=Scope.PARALLELS,
            id__in=Announcement.parallels.through.objects.filter(
                parallel_id=class_unit.parallel_id
            ).values("announcement_id"),
        )
        where |= Q(
            scope=Scope.CLASSES,
            id__in=Announcement.class_units.through.objects.filter(
                classunit_id=class_unit.id
            ).values("announcement_id"),
        )
    # A student without a class (left the school) reads only whole-school announcements.
    return Q(organisation_id=student.organisation_id, audience__in=audiences) & where


def audience_q(viewer: Any) -> Q | None:
    """The condition «this viewer is in the announcement's audience», or None for nobody."""
    parts: list[Q] = []
    if viewer.own_student is not None:
        parts.append(_family_member_q(viewer.own_student, STUDENT_AUDIENCES))
    for child in viewer.children:
        parts.append(_family_member_q(child, PARENT_AUDIENCES))
    if viewer.staff_org_ids:
        parts.append(Q(organisation_id__in=viewer.staff_org_ids, audience__in=STAFF_AUDIENCES))
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


def _valid_today() -> Q:
    today = clock.today()
    return Q(valid_from__lte=today, valid_to__gte=today)


def readable(viewer: Any) -> QuerySet[Announcement]:
    """Valid announcements whose audience includes the viewer (no order, no relations)."""
    where = audience_q(viewer)
    if where is None:
        return Announcement.objects.none()
    return Announcement.objects.filter(where & _valid_today())


def is_reader(viewer: Any, announcement: Announcement) -> bool:
    """Whether the viewer is in the audience of this (shown) announcement: an author or an
    administrator who opens one meant for others is not counted among its readers."""
    return readable(viewer).filter(pk=announcement.pk).exists()


def _with_read(queryset: QuerySet[Announcement], user: Any) -> QuerySet[Announcement]:
    return queryset.annotate(
        is_read=Exists(AnnouncementRead.objects.filter(announcement=OuterRef("pk"), user=user))
    )


def announcements_for_reader(viewer: Any) -> list[Announcement]:
    """The «Объявления» list: pinned first, then the newest; ``is_read`` on each; authors,
    schools and attachments loaded (a fixed number of queries)."""
    return list(
        _with_read(readable(viewer), viewer.user)
        .select_related("author", "organisation")
        .prefetch_related("files")
        .order_by("-pinned", "-valid_from", "-id")
    )


def unread(viewer: Any) -> QuerySet[Announcement]:
    """What the top bar's counter counts (with the other counters, in one query)."""
    return readable(viewer).exclude(
        Exists(AnnouncementRead.objects.filter(announcement=OuterRef("pk"), user=viewer.user))
    )


def unread_count(viewer: Any) -> int:
    return unread(viewer).count()


def home_feed(viewer: Any) -> dict[str, Any] | None:
    """The unread valid announcements for the home page (pinned first, at most five) and
    how many there are; None when nothing is unread (the section is not shown)."""
    if audience_q(viewer) is None:
        return None
    unread = (
        readable(viewer)
        .exclude(
            Exists(AnnouncementRead.objects.filter(announcement=OuterRef("pk"), user=viewer.user))
        )
        .select_related("organisation")
        .order_by("-pinned", "-valid_from", "-id")
    )
    items = list(unread[:HOME_FEED_SIZE])
    if not items:
        return None
    count = len(items) if len(items) < HOME_FEED_SIZE else unread.count()
    return {"items": items, "count": count}


def may_manage_q(viewer: Any) -> Q:
    """Announcements the viewer may change: their own and, for the administration, every
    announcement of their schools."""
    return Q(author=viewer.user) | Q(organisation_id__in=viewer.admin_org_ids)


def announcement_for(viewer: Any, announcement_id: int) -> Announcement:
    """One announcement the viewer may open: valid and meant for them, or theirs to manage
    (also outside its period). Anything else is a 404."""
    where = may_manage_q(viewer)
    audience = audience_q(viewer)
    if audience is not None:
        where |= audience & _valid_today()
    found = (
        Announcement.objects.filter(where, pk=announcement_id)
        .select_related("author", "organisation")
        .prefetch_related("files", "parallels", "class_units__parallel")
        .first()
    )
    if found is None:
        raise Http404
    return found


def announcement_to_manage(viewer: Any, announcement_id: int) -> Announcement:
    found = (
        Announcement.objects.filter(may_manage_q(viewer), pk=announcement_id)
        .select_related("author", "organisation")
        .prefetch_related("files", "parallels", "class_units")
        .first()
    )
    if found is None:
        raise Http404
    return found


def file_for(viewer: Any, file_id: int) -> AnnouncementFile:
    """An attachment for the audience of its announcement (while it is shown) and for those
    who manage it; anyone else gets a 404."""
    where = may_manage_q(viewer)
    audience = audience_q(viewer)
    if audience is not None:
        where |= audience & _valid_today()
    found = (
        AnnouncementFile.objects.filter(
            pk=file_id, announcement__in=Announcement.objects.filter(where)
        )
        .select_related("announcement")
        .first()
    )
    if found is None:
        raise Http404
    return found


def managed_announcements(viewer: Any) -> list[Announcement]:
    """«Мои объявления»: the viewer's own and, for the administration, their schools' ones,
    with the number of people who have read each."""
    return list(
        Announcement.objects.filter(may_manage_q(viewer))
        .select_related("author", "organisation")
        .prefetch_related("parallels", "class_units__parallel")
        .annotate(readers=Count("reads", distinct=True))
        .order_by("-pinned", "-valid_from", "-id")
    )


def announcement_reader_ids(announcement: Announcement) -> list[int]:
    """Ids of the accounts in the announcement's audience — the students, the parents of the
    students, the staff — whatever its period (the integrator notifies them on publish)."""
    from shkola.schools.models import Guardianship, Student

    students = Student.objects.filter(organisation_id=announcement.organisation_id)
    if announcement.scope == Scope.PARALLELS:
        students = students.filter(current_class__parallel__in=announcement.parallels.values("id"))
    elif announcement.scope == Scope.CLASSES:
        students = students.filter(current_class__in=announcement.class_units.values("id"))
    else:
        students = students.filter(current_class__isnull=False)
    ids: set[int] = set()
    if announcement.audience in STUDENT_AUDIENCES:
        ids |= set(students.filter(user__isnull=False).values_list("user_id", flat=True).distinct())
    if announcement.audience in PARENT_AUDIENCES:
        ids |= set(
            Guardianship.objects.filter(student__in=students, guardian__user__isnull=False)
            .values_list("guardian__user_id", flat=True)
            .distinct()
        )
    if announcement.audience in (Audience.EVERYONE, Audience.STAFF):
        ids |= set(
            RoleAssignment.objects.filter(
                organisation_id=announcement.organisation_id, role__in=ORGANISATION_ROLES
            )
            .values_list("user_id", flat=True)
            .distinct()
        )
    return sorted(i for i in ids if i is not None)


def author_choices(viewer: Any) -> dict[str, Any]:
    """What the viewer may address: the school they post in, its parallels and classes (the
    administration) or the classes they lead (a class teacher)."""
    from shkola.schools.models import ClassUnit, Organisation, Parallel

    if viewer.admin_org_ids:
        organisation = (
            viewer.organisation
            if viewer.organisation is not None and viewer.organisation.id in viewer.admin_org_ids
            else Organisation.objects.filter(id__in=viewer.admin_org_ids).order_by("id").first()
        )
        return {
            "organisation": organisation,
            "is_admin": True,
            "parallels": list(
                Parallel.objects.filter(
                    organisation=organisation, academic_year__is_current=True
                ).order_by("grade")
            ),
            "class_units": list(
                ClassUnit.objects.filter(
                    parallel__organisation=organisation, parallel__academic_year__is_current=True
                ).select_related("parallel")
            ),
        }
    class_units = list(
        ClassUnit.objects.filter(id__in=viewer.led_class_ids).select_related(
            "parallel__organisation"
        )
    )
    organisation = class_units[0].parallel.organisation if class_units else None
    return {
        "organisation": organisation,
        "is_admin": False,
        "parallels": [],
        "class_units": [c for c in class_units if c.parallel.organisation == organisation],
    }
