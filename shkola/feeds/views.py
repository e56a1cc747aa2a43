"""«Календарь в телефоне»: a student or a parent makes a secret link of a student's
calendars, copies it into a phone's calendar, and revokes it. The link itself needs no
sign-in: a calendar app cannot sign in; the long random token is the key."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shkola.accounts.selectors import active_student, viewer_from_request
from shkola.core import clock, params

from . import ical, selectors, services
from .models import CALENDARS

NEW_LINK_SESSION_KEY = "feeds_new_link"


def _students(request: HttpRequest) -> list:  # type: ignore[type-arg]
    students = selectors.family_students(viewer_from_request(request))
    if not students:
        raise Http404
    return students


def _feed_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("feeds:calendar", args=[token]))


@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    students = _students(request)
    errors: dict[str, list[str]] = {}
    # The child chosen in the header's switcher is the one the form starts with.
    chosen_child = active_student(request)
    default = (
        chosen_child.id if chosen_child is not None and chosen_child in students else students[0].id
    )
    values: dict[str, object] = {"calendars": list(CALENDARS), "student": default}
    if request.method == "POST":
        student_id = params.parse_id(request.POST.get("student"))
        student = next((s for s in students if s.id == student_id), None)
        chosen = [c for c in request.POST.getlist("calendars") if c in CALENDARS]
        values = {"calendars": chosen, "student": student_id}
        if student is None:
            errors["student"] = [_("«Чей календарь»: выберите обучающегося из списка.")]
        else:
            try:
                _feed, token = services.feed_create(
                    owner=request.user, student=student, calendars=chosen
                )
            except ValidationError as error:
                errors = error.message_dict
            else:
                # The token is not stored: it is shown on the next page once (post/redirect/get).
                request.session[NEW_LINK_SESSION_KEY] = {"token": token, "student": student.id}
                return redirect("feeds:index")
    new_link = request.session.pop(NEW_LINK_SESSION_KEY, None)
    feeds = selectors.active_feeds(request.user, [s.id for s in students])
    by_student = [
        {"student": s, "feeds": [f for f in feeds if f.student_id == s.id]} for s in students
    ]
    new = None
    if new_link:
        url = _feed_url(request, new_link["token"])
        new = {
            "url": url,
            "webcal": "webcal://" + url.split("://", 1)[1],
            "student": next((s for s in students if s.id == new_link["student"]), None),
        }
    response = render(
        request,
        "feeds/index.html",
        {
            "by_student": by_student,
            "students": students,
            "new": new,
            "errors": errors,
            "values": values,
            "calendar_choices": [
                ("timetable", _("Расписание уроков"), _("с кабинетом, учителем и заменами")),
                ("tests", _("Контрольные работы"), _("уроки с запланированной контрольной")),
                ("holidays", _("Каникулы"), ""),
                ("events", _("События школы"), _("для класса, для всей школы и личные")),
            ],
            "calendar_labels": {
                "timetable": _("расписание"),
                "tests": _("контрольные"),
                "holidays": _("каникулы"),
                "events": _("события"),
            },
        },
        status=400 if errors else 200,
    )
    # The page may hold a fresh secret link: the browser must not keep it.
    add_never_cache_headers(response)
    return response


@require_POST
def revoke(request: HttpRequest, feed_id: int) -> HttpResponse:
    _students(request)
    feed = selectors.own_feed(request.user, feed_id)
    if feed is None:
        raise Http404
    services.feed_revoke(feed=feed, by=request.user)
    messages.success(
        request,
        _("Ссылка …%(tail)s отозвана: календарь по ней больше не обновляется.")
        % {"tail": feed.token_tail},
    )
    return redirect("feeds:index")


@login_not_required
@require_GET
def calendar(request: HttpRequest, token: str) -> HttpResponse:
    if len(token) > 100:
        raise Http404
    feed = selectors.feed_by_token_hash(services.token_hash(token))
    if feed is None:
        raise Http404
    student = feed.student
    name = _("Школа: %(name)s") % {"name": f"{student.last_name} {student.first_name}"}
    content = ical.calendar_bytes(name, selectors.feed_events(feed, clock.today()), clock.now())
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="shkola.ics"'
    # Private to the one who holds the link; no shared cache may keep it.
    patch_cache_control(response, private=True, max_age=900)
    response["X-Robots-Tag"] = "noindex"
    return response
