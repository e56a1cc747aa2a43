"""«Учителя и администрация» for a family and «Коллеги» for staff."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from shkola.accounts.selectors import active_student, viewer_from_request

from . import selectors


def compose_url() -> str | None:
    """Where «Написать» leads: the messaging app's compose page, when it is installed."""
    try:
        return reverse("messaging:compose")
    except NoReverseMatch:
        return None


def teachers(request: HttpRequest) -> HttpResponse:
    student = active_student(request)
    if student is None:
        raise Http404
    return render(
        request,
        "people/teachers.html",
        {
            "student": student,
            "contacts": selectors.family_contacts(student),
            "compose_url": compose_url(),
        },
    )


def colleagues(request: HttpRequest) -> HttpResponse:
    viewer = viewer_from_request(request)
    if not viewer.is_staff_member:
        raise Http404
    return render(
        request,
        "people/colleagues.html",
        {"schools": selectors.colleagues(viewer), "compose_url": compose_url()},
    )
