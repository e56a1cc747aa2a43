"""Reads about personal data: consents, the family's access log, destructions, the subject
access archive («Мои данные целиком»)."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from shkola.accounts.models import AuditEvent, User
from shkola.accounts.selectors import Viewer
from shkola.schools.models import Student

from .models import Consent, ConsentKind, ConsentText, Destruction, DestructionStatus
from .services import consent_text_current, student_gives_own_consent


@dataclass
class ConsentSubject:
    """One person a page lists consents about: a child (for a parent) or the student."""

    student: Student
    kind: str
    consents: list[Consent] = field(default_factory=list)
    destruction: Destruction | None = None
    text: ConsentText | None = None  # the current text, offered when no consent stands

    @property
    def active(self) -> Consent | None:
        return next((c for c in self.consents if c.withdrawn_at is None), None)


def consent_subjects(viewer: Viewer) -> list[ConsentSubject]:
    """The children of a parent (and the student themself, from 14): the consents the viewer
    gave about each, newest first, and any destruction. A fixed number of queries."""
    subjects: list[ConsentSubject] = []
    own = viewer.own_student
    if own is not None and student_gives_own_consent(own):
        subjects.append(ConsentSubject(own, ConsentKind.STUDENT))
    for child in viewer.children:
        subjects.append(ConsentSubject(child, ConsentKind.PARENT))
    if not subjects:
        return subjects
    ids = [s.student.pk for s in subjects]
    consents = Consent.objects.filter(user=viewer.user, student_id__in=ids).select_related("text")
    destructions = Destruction.objects.filter(student_id__in=ids).order_by("requested_at")
    by_student: dict[int, list[Consent]] = {}
    for consent in consents:
        by_student.setdefault(consent.student_id, []).append(consent)
    last: dict[int, Destruction] = {d.student_id: d for d in destructions}
    texts: dict[tuple[str, int], ConsentText] = {}
    for subject in subjects:
        subject.consents = by_student.get(subject.student.pk, [])
        subject.destruction = last.get(subject.student.pk)
        if subject.active is None:
            key = (subject.kind, subject.student.organisation_id)
            if key not in texts:
                texts[key] = consent_text_current(
                    kind=subject.kind, organisation=subject.student.organisation
                )
            subject.text = texts[key]
    return subjects


def former_consents(viewer: Viewer, subjects: list[ConsentSubject]) -> list[Consent]:
    """Consents the viewer gave about someone no longer on their list (the data destroyed,
    the link to the child gone): the profile still shows every consent ever given."""
    shown = [s.student.pk for s in subjects]
    return list(
        Consent.objects.filter(user=viewer.user)
        .exclude(student_id__in=shown)
        .select_related("text", "student")
        .order_by("-given_at")[:100]
    )


def consent_of_user(user: User, consent_id: int) -> Consent:
    consent = (
        Consent.objects.select_related("student", "text").filter(pk=consent_id, user=user).first()
    )
    if consent is None:
        raise Http404
    return consent


def family_student(viewer: Viewer, student_id: int | None) -> Student:
    """A child of the viewer or the viewer's own student row; anyone else's is a 404."""
    own = viewer.own_student
    for student in ([own] if own else []) + viewer.children:
        if student_id is None or student.pk == student_id:
            return student
    raise Http404


def family_students(viewer: Viewer) -> list[Student]:
    own = viewer.own_student
    return ([own] if own else []) + viewer.children


def access_log_of_student(student: Student) -> QuerySet[AuditEvent]:
    """Who on the staff opened the student's data: the «Доступ к персональным данным» rows
    about the student (their family's own views are never written)."""
    condition = Q(details__student=student.pk)
    if student.user_id:
        condition |= Q(subject_user_id=student.user_id)
    return (
        AuditEvent.objects.filter(condition, kind=AuditEvent.Kind.DATA_ACCESS)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


def role_names(user_ids: set[int]) -> dict[int, str]:
    """Each staff member's roles, joined («Учитель, Классный руководитель»), in one query."""
    from shkola.accounts.models import RoleAssignment

    names: dict[int, list[str]] = {}
    for row in RoleAssignment.objects.filter(user_id__in=user_ids).order_by("role"):
        label = str(row.get_role_display())
        if label not in names.setdefault(row.user_id, []):
            names[row.user_id].append(label)
    return {pk: ", ".join(labels) for pk, labels in names.items()}


def destructions_of_admin(viewer: Viewer) -> QuerySet[Destruction]:
    return (
        Destruction.objects.filter(organisation_id__in=viewer.admin_org_ids)
        .select_related("organisation", "requested_by", "done_by")
        .defer("act_pdf")
        .order_by("status", "due_at", "-id")
    )


def destruction_of_admin(viewer: Viewer, destruction_id: int) -> Destruction:
    found = (
        Destruction.objects.filter(pk=destruction_id, organisation_id__in=viewer.admin_org_ids)
        .select_related("organisation", "requested_by", "done_by", "consent__text")
        .first()
    )
    if found is None:
        raise Http404
    return found


def pending_destruction_count(viewer: Viewer) -> int:
    if not viewer.admin_org_ids:
        return 0
    return Destruction.objects.filter(
        organisation_id__in=viewer.admin_org_ids, status=DestructionStatus.PENDING
    ).count()


def consent_texts(viewer: Viewer) -> QuerySet[ConsentText]:
    region_ids = regions_of_official(viewer)
    return (
        ConsentText.objects.filter(Q(territory__isnull=True) | Q(territory_id__in=region_ids))
        .select_related("territory", "published_by")
        .order_by("kind", "-published_at", "-id")
    )


def regions_of_official(viewer: Viewer) -> list[int]:
    """The territories in which the viewer is a regional official (their region)."""
    from shkola.accounts.models import Role

    return [
        r.territory_id
        for r in viewer.roles
        if r.role == Role.REGIONAL and r.territory_id is not None
    ]


# --- subject access request («Мои данные целиком») ----------------------------------------

ROW_LIMIT = 50_000  # per table: bounded whatever the history


def _iso(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _rows(qs: Any, fields: list[str]) -> list[dict[str, Any]]:
    return [{k: _iso(v) for k, v in row.items()} for row in qs.values(*fields)[:ROW_LIMIT]]


def subject_access_data(user: User, viewer: Viewer) -> dict[str, list[dict[str, Any]]]:
    """Everything Shkola holds about ``user`` and their children, table by table; each table
    is one query, whatever the number of children."""
    from oauth2_provider.models import AccessToken

    from shkola.absences.models import AbsenceNote
    from shkola.accounts.models import RoleAssignment, UserSession
    from shkola.feeds.models import CalendarFeed
    from shkola.journal.models import Attendance, FinalMark, Homework, Mark, Remark
    from shkola.messaging.models import Delivery, Message
    from shkola.notifications.models import Notification
    from shkola.portfolio.models import Achievement, Club
    from shkola.schools.models import Guardian

    students = family_students(viewer)
    ids = [s.pk for s in students]
    class_ids = [s.current_class_id for s in students if s.current_class_id]
    # Remarks («Замечания») are for parents only: a student's own archive has comments.
    remark_kinds = ["remark", "comment"] if viewer.children else ["comment"]
    data: dict[str, list[dict[str, Any]]] = {
        "profile": _rows(
            User.objects.filter(pk=user.pk),
            [
                "username",
                "last_name",
                "first_name",
                "middle_name",
                "birth_date",
                "sex",
                "email",
                "phone",
                "snils",
                "signature",
                "date_joined",
                "last_login",
            ],
        ),
        "roles": _rows(
            RoleAssignment.objects.filter(user=user),
            [
                "role",
                "organisation__short_name",
                "territory__name",
                "specialist_kind",
                "created_at",
            ],
        ),
        "guardian": _rows(
            Guardian.objects.filter(user=user),
            [
                "last_name",
                "first_name",
                "middle_name",
                "birth_date",
                "sex",
                "phone",
                "email",
                "snils",
            ],
        ),
        "consents": _rows(
            Consent.objects.filter(user=user),
            ["kind", "student_id", "text__version", "text__title", "given_at", "withdrawn_at"],
        ),
        "students": _rows(
            Student.objects.filter(pk__in=ids),
            [
                "id",
                "last_name",
                "first_name",
                "middle_name",
                "birth_date",
                "sex",
                "snils",
                "id_doc_kind",
                "id_doc_series",
                "id_doc_number",
                "id_doc_issued_on",
                "id_doc_issued_by",
                "address",
                "email",
                "special_needs",
                "organisation__short_name",
                "current_class__parallel__grade",
                "current_class__letter",
            ],
        ),
        "marks": _rows(
            Mark.objects.filter(student_id__in=ids).order_by("lesson__date", "id"),
            [
                "student_id",
                "lesson__date",
                "lesson__subject__name",
                "value",
                "weight",
                "control_form__name",
                "work_name",
                "comment",
            ],
        ),
        "final_marks": _rows(
            FinalMark.objects.filter(student_id__in=ids).order_by("academic_year_id", "id"),
            [
                "student_id",
                "academic_year__name",
                "subject__name",
                "kind",
                "period__number",
                "value",
            ],
        ),
        "attendance": _rows(
            Attendance.objects.filter(student_id__in=ids).order_by("lesson__date", "id"),
            [
                "student_id",
                "lesson__date",
                "lesson__lesson_number",
                "lesson__subject__name",
                "kind",
            ],
        ),
        "homework": _rows(
            Homework.objects.filter(
                Q(student_id__in=ids) | Q(student__isnull=True, lesson__class_unit_id__in=class_ids)
            ).order_by("lesson__date", "id"),
            ["student_id", "lesson__date", "lesson__subject__name", "text"],
        ),
        "remarks": _rows(
            Remark.objects.filter(student_id__in=ids, kind__in=remark_kinds).order_by("created_at"),
            ["student_id", "kind", "subject__name", "text", "created_at"],
        ),
        "absence_notes": _rows(
            AbsenceNote.objects.filter(student_id__in=ids).order_by("created_at"),
            ["student_id", "date_from", "date_to", "reason", "comment", "status", "created_at"],
        ),
        "portfolio": _rows(
            Achievement.objects.filter(student_id__in=ids).order_by("id"),
            ["student_id", "category", "name", "year", "level", "subject", "result", "status"],
        ),
        "clubs": _rows(
            Club.objects.filter(student_id__in=ids).order_by("id"), ["student_id", "name"]
        ),
        "messages_sent": _rows(
            Message.objects.filter(sender=user, sent_at__isnull=False).order_by("sent_at"),
            ["subject", "body", "recipients_label", "sent_at"],
        ),
        "messages_received": _rows(
            Delivery.objects.filter(recipient=user).order_by("message__sent_at"),
            [
                "message__sender__last_name",
                "message__sender__first_name",
                "message__subject",
                "message__body",
                "message__sent_at",
                "read_at",
            ],
        ),
        "notifications": _rows(
            Notification.objects.filter(user=user).order_by("created_at"),
            ["kind", "title", "text", "student_id", "created_at", "read_at"],
        ),
        "sessions": _rows(
            UserSession.objects.filter(user=user),
            ["user_agent", "ip_address", "created_at", "last_seen"],
        ),
        "apps": _rows(
            AccessToken.objects.filter(user=user).order_by("created", "id"),
            ["application__name", "scope", "created", "expires"],
        ),
        "calendar_feeds": _rows(
            CalendarFeed.objects.filter(owner=user).order_by("created_at", "id"),
            [
                "student_id",
                "token_tail",
                "timetable",
                "tests",
                "holidays",
                "events",
                "created_at",
                "revoked_at",
            ],
        ),
        "audit": _rows(
            AuditEvent.objects.filter(
                Q(subject_user=user) | Q(actor=user) | Q(details__student__in=ids)
            ).order_by("created_at", "id"),
            [
                "kind",
                "created_at",
                "actor__last_name",
                "actor__first_name",
                "ip_address",
                "details",
            ],
        ),
    }
    return data


SHEET_TITLES = {
    "profile": "Профиль",
    "roles": "Роли",
    "guardian": "Законный представитель",
    "consents": "Согласия",
    "students": "Обучающиеся",
    "marks": "Отметки",
    "final_marks": "Итоговые отметки",
    "attendance": "Посещаемость",
    "homework": "Домашние задания",
    "remarks": "Замечания",
    "absence_notes": "Записки",
    "portfolio": "Портфолио",
    "clubs": "Кружки",
    "messages_sent": "Отправленные",
    "messages_received": "Полученные",
    "notifications": "Уведомления",
    "sessions": "Сеансы",
    "apps": "Приложения",
    "calendar_feeds": "Ссылки на календарь",
    "audit": "Журнал событий",
}


def subject_access_archive(user: User, viewer: Viewer) -> bytes:
    """A ZIP with ``data.json`` and ``data.xlsx`` (a sheet per table, text kept as text)."""
    from openpyxl import Workbook

    from shkola.core.exports import append_row, sheet_title

    data = subject_access_data(user, viewer)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for key, rows in data.items():
        ws = workbook.create_sheet(sheet_title(SHEET_TITLES.get(key, key)))
        columns = list(rows[0].keys()) if rows else ["—"]
        append_row(ws, columns)
        for row in rows:
            append_row(
                ws,
                [
                    json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v
                    for v in row.values()
                ],
            )
    sheet = io.BytesIO()
    workbook.save(sheet)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=1, default=str))
        archive.writestr("data.xlsx", sheet.getvalue())
        archive.writestr(
            "README.txt",
            "Все сведения, которые система «Школа» хранит о вас и ваших детях.\n"
            "data.json — в машиночитаемом виде, data.xlsx — по листу на каждый раздел.\n",
        )
    return out.getvalue()
