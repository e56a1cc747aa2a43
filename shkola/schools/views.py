"""School pages for staff: «Обучающиеся», the roster a member of staff may look up."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from shkola.accounts.selectors import viewer_from_request
from shkola.timetable.models import TimetableEntry

from . import selectors


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
    class_id = int(raw_class) if raw_class.isdigit() else None
    query = request.GET.get("q", "").strip()[:100]
    found = selectors.roster(
        whole_school_org_ids=whole_school, class_ids=class_ids, class_id=class_id, query=query
    )
    return render(
        request,
        "schools/students.html",
        {"roster": found, "class_id": class_id, "query": query},
    )
