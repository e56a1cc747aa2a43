"""Reads of the api app: the other apps' selectors shaped as the API's answers, and the list
of apps a person allowed (their OAuth tokens). Each list loads its relations in a fixed
number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from shkola.announcements import selectors as announcement_selectors
from shkola.journal import grading
from shkola.messaging import selectors as messaging_selectors
from shkola.messaging.models import Folder
from shkola.portfolio.models import Category

from .scopes import SCOPES


def _name(user: Any) -> str:
    return user.full_name if user is not None else ""


def student_out(student: Any) -> dict[str, Any]:
    return {
        "id": student.id,
        "name": student.full_name,
        "class_name": student.current_class.name if student.current_class_id else "",
        "school": student.organisation.short_name,
    }


def me(viewer: Any, token: Any) -> dict[str, Any]:
    family = ([viewer.own_student] if viewer.own_student else []) + list(viewer.children)
    return {
        "id": viewer.user.id,
        "name": viewer.user.full_name,
        "students": [student_out(st) for st in family],
        "scopes": sorted(token.scopes),
    }


def _files(files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"name": f["name"], "size": f["size"] or 0} for f in files]


def diary_week_out(student: Any, week: Any) -> dict[str, Any]:
    return {
        "student": student_out(student),
        "monday": week.monday,
        "sunday": week.sunday,
        "days": [
            {
                "date": day.date,
                "holiday": day.holiday.name if day.holiday else None,
                "lessons": [
                    {
                        "id": lesson.id,
                        "date": lesson.date,
                        "number": lesson.number,
                        "time": lesson.time,
                        "subject": lesson.subject,
                        "teacher": str(lesson.teacher or ""),
                        "room": lesson.room or "",
                        "topic": lesson.topic or "",
                        "marks": [
                            {"value": m.value, "control_form": m.title, "note": m.note}
                            for m in lesson.marks
                        ],
                        "attendance": lesson.attendance,
                        "homework": [
                            {"text": h.text, "files": _files(h.files)} for h in lesson.homework
                        ],
                        "test_form": lesson.test_form or "",
                        "is_cancelled": lesson.is_cancelled,
                        "is_substitution": lesson.is_substitution,
                    }
                    for lesson in day.lessons
                ],
            }
            for day in week.days
        ],
    }


def homework_out(student: Any, week: Any) -> dict[str, Any]:
    items = [
        {
            "date": lesson.date,
            "number": lesson.number,
            "subject": lesson.subject,
            "text": h.text,
            "files": _files(h.files),
        }
        for day in week.days
        for lesson in day.lessons
        for h in lesson.homework
    ]
    return {
        "student": student_out(student),
        "monday": week.monday,
        "sunday": week.sunday,
        "homework": items,
    }


def _period(period: Any) -> dict[str, Any]:
    return {"id": period.id, "name": str(period.name), "start": period.start, "end": period.end}


def report_card_out(student: Any, choice: Any, rows: list[Any]) -> dict[str, Any]:
    def average(value: Any) -> str | None:
        rounded = grading.quantize2(value)
        return None if rounded is None else f"{rounded:.2f}"

    return {
        "student": student_out(student),
        "period": _period(choice.current) if choice.current else None,
        "periods": [_period(p) for p in choice.periods],
        "subjects": [
            {
                "subject": row.subject.name,
                "marks": [
                    {
                        "value": m.value,
                        "date": m.lesson.date,
                        "control_form": m.control_form.name if m.control_form_id else "",
                        "weight": m.weight,
                        "work_name": m.work_name,
                        "comment": m.comment,
                    }
                    for m in row.marks
                ],
                "average": average(row.average),
                "suggested": row.suggested,
                **_forecast_out(row.forecast),
            }
            for row in rows
        ],
    }


def _forecast_out(forecast: Any) -> dict[str, Any]:
    """The diary's forecast (``diary.selectors.SubjectForecast``), its lines with their text."""
    if forecast is None:
        return {"forecast": [], "forecast_note": ""}
    return {
        "forecast": [
            {
                "mark": line.mark,
                "kind": line.kind,
                "reason": line.reason,
                "lessons_left": line.lessons_left,
                "routes": [
                    {
                        "count": r.count,
                        "value": r.value,
                        "control_form": r.form,
                        "weight": r.weight,
                    }
                    for r in line.routes
                ],
                "text": text,
            }
            for line, text in zip(forecast.forecast.lines, forecast.lines, strict=True)
        ],
        "forecast_note": forecast.note,
    }


def final_marks_out(student: Any, data: Any) -> dict[str, Any]:
    return {
        "student": student_out(student),
        "year": {"id": data.year.id, "name": data.year.name} if data.year else None,
        "years": [{"id": y.id, "name": y.name} for y in data.years],
        "subjects": [
            {
                "subject": row.subject.name,
                "periods": [
                    {"period": str(name), "value": row.periods.get(number, "")}
                    for number, name in zip(data.period_numbers, data.period_names, strict=True)
                ],
                "year": row.year,
                "exam": row.exam,
                "final": row.final,
            }
            for row in data.rows
        ],
    }


def timetable_out(student: Any, grid: Any) -> dict[str, Any]:
    return {
        "student": student_out(student),
        "class_name": grid.class_unit.name if grid.class_unit else "",
        "days": [
            {
                "weekday": number,
                "name": name,
                "lessons": [
                    {
                        "number": row["number"],
                        "start": f"{row['start']:%H:%M}" if row["start"] else "",
                        "end": f"{row['end']:%H:%M}" if row["end"] else "",
                        "subject": entry.subject.name,
                        "teacher": _name(entry.teacher),
                        "room": entry.room.name if entry.room_id else "",
                        "group": entry.group.name if entry.group_id else "",
                    }
                    for row in grid.rows
                    for entry in row["cells"][index]
                ],
            }
            for index, (number, name) in enumerate(grid.weekdays)
        ],
    }


def portfolio_out(student: Any, clubs: list[Any], achievements: list[Any]) -> dict[str, Any]:
    return {
        "student": student_out(student),
        "clubs": [
            {
                "id": c.id,
                "name": c.name,
                "kind": c.get_kind_display(),
                "direction": c.get_direction_display(),
                "year": c.year,
                "organisation": c.organisation_name,
                "teacher": c.teacher_name,
            }
            for c in clubs
        ],
        "achievements": [
            {
                "id": a.id,
                "category": a.category,
                "category_label": str(Category(a.category).label),
                "name": a.name,
                "year": a.year,
                "level": a.get_level_display() if a.level else "",
                "subject": a.subject,
                "result": a.result,
                "status": a.get_status_display(),
            }
            for a in achievements
        ],
    }


def inbox_out(user: Any, page: int) -> dict[str, Any]:
    found = messaging_selectors.folder_page(user, folder=Folder.INBOX, page=page)
    return {
        "page": found.number,
        "pages": found.paginator.num_pages,
        "total": found.paginator.count,
        "messages": [
            {
                "id": d.message.id,
                "subject": d.message.subject,
                "sender": _name(d.message.sender),
                "sent_at": d.message.sent_at,
                "is_read": d.read_at is not None,
                "has_attachments": d.message.has_attachments,
            }
            for d in found.object_list
        ],
    }


def message_out(user: Any, message_id: int) -> dict[str, Any]:
    try:
        found = messaging_selectors.message_for(user, message_id)
    except Http404 as exc:
        raise Http404(_("Сообщение не найдено.")) from exc
    return {
        "id": found.id,
        "subject": found.subject,
        "body": found.body,
        "sender": _name(found.sender),
        "recipients": found.recipients_label,
        "sent_at": found.sent_at,
    }


def announcements_out(viewer: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": a.id,
            "title": a.title,
            "body": a.body,
            "school": a.organisation.short_name,
            "author": _name(a.author),
            "valid_from": a.valid_from,
            "valid_to": a.valid_to,
            "pinned": a.pinned,
            "is_read": bool(getattr(a, "is_read", False)),
        }
        for a in announcement_selectors.announcements_for_reader(viewer)
    ]


# --------------------------------------------------------------------------- allowed apps


@dataclass
class AllowedApp:
    application: Any
    scopes: list[tuple[str, str]]  # (scope, Russian description)
    first_allowed: Any
    last_used: Any


def allowed_apps(user: Any) -> list[AllowedApp]:
    """The apps holding a live grant of this person: an access token or a refresh token not
    revoked, with the scopes given and when. Two queries whatever the number of tokens."""
    access = list(
        get_access_token_model()
        .objects.filter(user=user, application__isnull=False)
        .select_related("application")
        .order_by("created")
    )
    refresh = list(
        get_refresh_token_model()
        .objects.filter(user=user, revoked__isnull=True)
        .filter(~Q(application=None))
        .select_related("application")
        .order_by("created")
    )
    apps: dict[int, AllowedApp] = {}
    scopes: dict[int, set[str]] = {}
    for token in [*access, *refresh]:
        app = apps.get(token.application_id)
        if app is None:
            app = apps[token.application_id] = AllowedApp(
                token.application, [], token.created, token.updated
            )
            scopes[token.application_id] = set()
        app.first_allowed = min(app.first_allowed, token.created)
        app.last_used = max(app.last_used, token.updated)
        scopes[token.application_id] |= set(getattr(token, "scope", "").split())
    for app_id, app in apps.items():
        app.scopes = [(name, str(SCOPES[name])) for name in SCOPES if name in scopes[app_id]]
    return sorted(apps.values(), key=lambda a: a.application.name)
