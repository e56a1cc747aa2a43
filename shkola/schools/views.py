"""School pages for staff: «Обучающиеся», the roster a member of staff may look up, and
«События школы», the events the administration plans for its students (D9)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from shkola.accounts.selectors import Viewer, viewer_from_request
from shkola.core import params
from shkola.core.clock import today
from shkola.core.confirm import confirm_delete
from shkola.core.once import submit_once
from shkola.timetable.models import TimetableEntry

from . import selectors, services
from .models import Organisation, SchoolEvent


def students(request: HttpRequest) -> HttpResponse:
    """The administration and the specialists see their whole school; a teacher the classes
    they lead or teach. Read-only: each name opens the student's card in the portfolio."""
    viewer = viewer_from_request(request)
    whole_school = viewer.admin_org_ids | viewer.specialist_org_ids
    class_ids = set(viewer.led_class_ids)
    if viewer.teacher_org_ids:
        taught = TimetableEntry.objects.filter(
            teacher=viewer.user, academic_year__organisation_id__in=viewer.teacher_org_ids
        ).filter(Q(class_unit__isnull=False) | Q(group__class_unit__isnull=False))
        for own, of_group in taught.values_list("class_unit_id", "group__class_unit_id"):
            class_ids.add(own or of_group)
    if not whole_school and not class_ids:
        raise Http404
    raw_class = request.GET.get("class", "")
    class_id = params.parse_id(raw_class)
    query = request.GET.get("q", "").strip()[:100]
    found = selectors.roster(
        whole_school_org_ids=whole_school, class_ids=class_ids, class_id=class_id, query=query
    )
    return render(
        request,
        "schools/students.html",
        {"roster": found, "class_id": class_id, "query": query},
    )


# --------------------------------------------------------------------------- «События школы»


def _admin_schools(viewer: Viewer) -> list[Organisation]:
    """The schools the viewer administers; anyone else has no events page (404)."""
    schools = list(Organisation.objects.filter(id__in=viewer.admin_org_ids).order_by("short_name"))
    if not schools:
        raise Http404
    return schools


def _chosen_school(request: HttpRequest, schools: list[Organisation]) -> Organisation:
    # A director of several schools switches with ?school=<id>; one school needs no choice.
    raw = request.GET.get("school", "")
    return next((s for s in schools if str(s.id) == raw), schools[0])


def _events_url(school: Organisation, schools: list[Organisation]) -> str:
    url = reverse("schools:events")
    return f"{url}?school={school.id}" if len(schools) > 1 else url


def events(request: HttpRequest) -> HttpResponse:
    """Upcoming and past events of the administrator's school."""
    viewer = viewer_from_request(request)
    schools = _admin_schools(viewer)
    school = _chosen_school(request, schools)
    return render(
        request,
        "schools/events.html",
        {
            "school": school,
            "schools": schools,
            "events": selectors.school_events(school, today()),
            "school_query": f"?school={school.id}" if len(schools) > 1 else "",
        },
    )


def _values_of(event: SchoolEvent | None) -> dict[str, Any]:
    if event is None:
        return {"class_units": set(), "students": set()}
    return {
        "title": event.title,
        "date": event.date.isoformat(),
        "time": event.time.strftime("%H:%M") if event.time else "",
        "place": event.place,
        "description": event.description,
        "class_units": {str(c.id) for c in event.class_units.all()},
        "students": {str(s.id) for s in event.students.all()},
    }


def _event_form(
    request: HttpRequest,
    *,
    school: Organisation,
    schools: list[Organisation],
    event: SchoolEvent | None,
) -> HttpResponse:
    """The add and the edit form: on an error every typed value comes back with the message."""
    errors: dict[str, list[str]] = {}
    values = _values_of(event)
    if request.method == "POST":
        post = request.POST
        done_url = _events_url(school, schools)
        # A new event is created once per form: a double submit adds nothing.
        with submit_once(request, fallback=done_url, enabled=event is None) as once:
            if once.duplicate:
                return once.duplicate
            try:
                saved = services.event_save(
                    organisation=school,
                    title=post.get("title", ""),
                    date=post.get("date", ""),
                    time=post.get("time", ""),
                    place=post.get("place", ""),
                    description=post.get("description", ""),
                    class_unit_ids=post.getlist("class_units"),
                    student_ids=post.getlist("students"),
                    event=event,
                )
            except ValidationError as error:
                errors = error.message_dict
                values = {
                    **{
                        k: post.get(k, "")
                        for k in ("title", "date", "time", "place", "description")
                    },
                    "class_units": set(post.getlist("class_units")),
                    "students": set(post.getlist("students")),
                }
            else:
                messages.success(
                    request, _("Событие «%(title)s» сохранено.") % {"title": saved.title}
                )
                return once.done(done_url)
    choices = selectors.event_choices(
        school,
        keep_class_ids=[c.id for c in event.class_units.all()] if event else [],
        keep_student_ids=[s.id for s in event.students.all()] if event else [],
    )
    chosen_students = values["students"]
    groups = [
        {
            "class_unit": class_unit,
            "students": students,
            "chosen": sum(1 for s in students if str(s.id) in chosen_students),
        }
        for class_unit, students in choices.students_by_class
    ]
    return render(
        request,
        "schools/event_form.html",
        {
            "school": school,
            "event": event,
            "values": values,
            "errors": errors,
            "classes": choices.classes,
            "student_groups": groups,
            "back_url": _events_url(school, schools),
        },
        status=422 if errors else 200,
    )


def event_add(request: HttpRequest) -> HttpResponse:
    viewer = viewer_from_request(request)
    schools = _admin_schools(viewer)
    return _event_form(
        request, school=_chosen_school(request, schools), schools=schools, event=None
    )


def event_edit(request: HttpRequest, event_id: int) -> HttpResponse:
    viewer = viewer_from_request(request)
    schools = _admin_schools(viewer)
    event = selectors.school_event(viewer.admin_org_ids, event_id)
    if event is None:
        raise Http404
    return _event_form(request, school=event.organisation, schools=schools, event=event)


def event_delete(request: HttpRequest, event_id: int) -> HttpResponse:
    viewer = viewer_from_request(request)
    schools = _admin_schools(viewer)
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    event = selectors.school_event(viewer.admin_org_ids, event_id)
    if event is None:
        raise Http404
    if request.method != "POST":
        return confirm_delete(
            request,
            what=_("событие «%(title)s»") % {"title": event.title},
            cancel_url=_events_url(event.organisation, schools),
        )
    services.event_delete(organisation=event.organisation, event=event)
    messages.success(request, _("Событие «%(title)s» удалено.") % {"title": event.title})
    return redirect(_events_url(event.organisation, schools))
