"""Reads of the school's services. Every page runs a fixed number of queries whatever it holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from shkola.core import clock
from shkola.schools.models import ClassUnit, Guardianship, Organisation, Student
from shkola.schools.selectors import current_year

from .models import OPEN_STATUSES, Application, ApplicationStatus, Service, ServiceStatus
from .services import is_for_student


def _services() -> QuerySet[Service]:
    return (
        Service.objects.select_related("teacher", "organisation")
        .prefetch_related(
            Prefetch(
                "class_units",
                queryset=ClassUnit.objects.select_related("parallel").order_by(
                    "parallel__grade", "letter"
                ),
            )
        )
        .annotate(
            accepted_count=Count(
                "applications", filter=Q(applications__status=ApplicationStatus.ACCEPTED)
            ),
            pending_count=Count(
                "applications", filter=Q(applications__status=ApplicationStatus.PENDING)
            ),
            waitlist_count=Count(
                "applications", filter=Q(applications__status=ApplicationStatus.WAITLISTED)
            ),
        )
    )


def free_places(service: Any) -> int:
    return max(0, service.capacity - service.accepted_count)


def _applications() -> QuerySet[Application]:
    return Application.objects.select_related(
        "student__current_class__parallel", "applicant", "decided_by"
    )


# ------------------------------------------------------------------ the school's side


def acting_school(admin_org_ids: set[int]) -> Organisation | None:
    """A person who runs several schools creates services in the first of them."""
    return Organisation.objects.filter(pk__in=admin_org_ids).order_by("id").first()


def current_classes(organisation_id: int) -> list[ClassUnit]:
    """The classes of the school's current year, for «Только для классов»."""
    year = current_year(organisation_id, clock.today())
    if year is None:
        return []
    return list(
        ClassUnit.objects.filter(parallel__academic_year=year)
        .select_related("parallel")
        .order_by("parallel__grade", "letter")
    )


def school_services(admin_org_ids: set[int]) -> list[Service]:
    return list(
        _services().filter(organisation_id__in=admin_org_ids).order_by("status", "title", "id")
    )


def school_service(admin_org_ids: set[int], service_id: int) -> Service | None:
    return _services().filter(organisation_id__in=admin_org_ids, pk=service_id).first()


@dataclass
class ServiceApplications:
    pending: list[Application]
    waitlist: list[Application]  # in the order they joined it: the next child first
    accepted: list[Application]
    closed: list[Application]  # declined, withdrawn, removed

    @property
    def all(self) -> list[Application]:
        return self.accepted + self.waitlist + self.pending + self.closed


def applications_of(service: Service) -> ServiceApplications:
    """The list of one service; each child's guardians come along (a guardian without an
    account applies through the school, and the list still names the family)."""
    rows = list(
        _applications()
        .filter(service=service)
        .prefetch_related(
            Prefetch(
                "student__guardianships",
                queryset=Guardianship.objects.select_related("guardian").order_by("id"),
            )
        )
        .order_by("created_at", "id")
    )
    for a in rows:
        a.family = family_names(a)  # type: ignore[attr-defined]
    by = {s: [a for a in rows if a.status == s] for s in ApplicationStatus.values}
    waitlist = sorted(by[ApplicationStatus.WAITLISTED], key=lambda a: (a.waitlisted_at, a.id))
    accepted = sorted(
        by[ApplicationStatus.ACCEPTED],
        key=lambda a: (a.student.last_name, a.student.first_name, a.id),
    )
    closed = sorted(
        [a for a in rows if a.status not in OPEN_STATUSES],
        key=lambda a: (a.decided_at or a.created_at, a.id),
        reverse=True,
    )
    return ServiceApplications(by[ApplicationStatus.PENDING], waitlist, accepted, closed)


def school_application(admin_org_ids: set[int], application_id: int) -> Application | None:
    return (
        _applications()
        .select_related("service")
        .filter(service__organisation_id__in=admin_org_ids, pk=application_id)
        .first()
    )


def family_names(application: Application) -> str:
    """Who applied, else the child's guardians (prefetched by ``applications_of``)."""
    if application.applicant is not None:
        return application.applicant.full_name
    return ", ".join(
        g.guardian.full_name
        for g in application.student.guardianships.all()  # type: ignore[attr-defined]
    )


# ------------------------------------------------------------------ the family's side


@dataclass
class ChildServices:
    child: Student
    attending: list[Application]  # accepted
    applications: list[Application]  # everything else, newest first
    offered: list[Service]  # published, meant for the child, not applied for


def child_services(child: Student) -> ChildServices:
    """The «Услуги» page of one child: only the child's own school's services."""
    apps = list(
        _applications()
        .select_related("service__teacher")
        .filter(student=child)
        .order_by("-created_at", "-id")
    )
    open_ids = {a.service_id for a in apps if a.status in OPEN_STATUSES}
    offered = [
        s
        for s in _services()
        .filter(organisation_id=child.organisation_id, status=ServiceStatus.PUBLISHED)
        .exclude(pk__in=open_ids)
        .order_by("title", "id")
        if is_for_student(s, child, {c.id for c in s.class_units.all()})
    ]
    for s in offered:
        s.free_places = free_places(s)  # type: ignore[attr-defined]
    return ChildServices(
        child=child,
        attending=[a for a in apps if a.status == ApplicationStatus.ACCEPTED],
        applications=[a for a in apps if a.status != ApplicationStatus.ACCEPTED],
        offered=offered,
    )


def family_service(children: list[Student], service_id: int) -> Service | None:
    """A service a parent may open: of a school one of their children attends, published or
    closed (a draft is the school's), or one a child of theirs has applied for."""
    schools = {c.organisation_id for c in children}
    if not schools:
        return None
    applied = Application.objects.filter(student_id__in=[c.id for c in children])
    return (
        _services()
        .filter(pk=service_id, organisation_id__in=schools)
        .filter(~Q(status=ServiceStatus.DRAFT) | Q(pk__in=applied.values("service_id")))
        .first()
    )


def family_applications(children: list[Student], service: Service) -> list[Application]:
    return list(
        _applications()
        .filter(service=service, student_id__in=[c.id for c in children])
        .order_by("-created_at", "-id")
    )


def family_application(children: list[Student], application_id: int) -> Application | None:
    return (
        _applications()
        .select_related("service")
        .filter(student_id__in=[c.id for c in children], pk=application_id)
        .first()
    )


def student_services(student: Student) -> list[Application]:
    """The services a child attends (the student's own page)."""
    return list(
        _applications()
        .select_related("service__teacher")
        .filter(student=student, status=ApplicationStatus.ACCEPTED)
        .order_by("service__title", "id")
    )
