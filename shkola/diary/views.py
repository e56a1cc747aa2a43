"""Diary pages for students and parents (D1–D9, F2).

Every page exists twice: ``/diary/<page>/`` reads the diary of ``active_student`` (the student
themself or the parent's chosen child, so the child switcher works everywhere), and
``/diary/s/<student_id>/<page>/`` lets the class teacher or the school's administration open
one student's diary. A family member following such a link is sent to the first form (a
parent's chosen child becomes that child); anyone else's child is a 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ClassVar

from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shkola.accounts import services as account_services
from shkola.accounts.selectors import (
    ACTIVE_STUDENT_SESSION_KEY,
    active_student,
    viewer_from_request,
)
from shkola.core import exports as core_exports
from shkola.core import params as core_params
from shkola.core.clock import today
from shkola.core.navigation import address_of
from shkola.core.replicas import serve_from_replica
from shkola.core.vendor import chartjs_path
from shkola.schools.models import Student

from . import exports, html, selectors

View = Callable[..., HttpResponse]


class DiaryLinks:
    """URLs of the diary pages for the student on screen, reversed only when a template asks."""

    def __init__(self, student_id: int | None) -> None:
        self.student_id = student_id

    names: ClassVar[frozenset[str]] = frozenset(
        {
            "week",
            "report",
            "report_xlsx",
            "extra",
            "homework",
            "finals",
            "missed",
            "tests",
            "timetable",
            "averages",
            "events",
            "remarks",
        }
    )

    def __getitem__(self, name: str) -> str:
        if name not in self.names:
            raise KeyError(name)  # templates then fall back to attributes
        if self.student_id is None:
            # The family's own pages are the same addresses for everyone: reversed once per
            # process; the diary's frame asks for ten of them a page.
            return address_of(f"diary:{name}") or reverse(f"diary:{name}")
        return reverse(f"diary:{name}_of", kwargs={"student_id": self.student_id})


def _share_viewer(request: HttpRequest) -> Any:
    viewer = viewer_from_request(request)
    # The permission predicates cache their Viewer on the user object; hand them the one this
    # request already built so a permission check costs no queries.
    request.user._shkola_viewer = viewer  # type: ignore[union-attr]
    return viewer


# How a diary page is named in the personal-data access log.
PAGE_LABELS = {
    "week": gettext_lazy("неделя"),
    "report": gettext_lazy("табель"),
    "report_xlsx": gettext_lazy("табель (Excel)"),
    "extra": gettext_lazy("дополнительный журнал"),
    "homework": gettext_lazy("домашние задания"),
    "finals": gettext_lazy("итоговые отметки"),
    "missed": gettext_lazy("пропуски"),
    "tests": gettext_lazy("контрольные работы"),
    "timetable": gettext_lazy("расписание"),
    "averages": gettext_lazy("средние баллы"),
    "events": gettext_lazy("события"),
    "remarks": gettext_lazy("замечания"),
}


def diary_page(name: str) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, student_id: int | None = None) -> HttpResponse:
            viewer = _share_viewer(request)
            if student_id is None:
                student = active_student(request)
                if student is None or not request.user.has_perm("diary.view_diary", student):
                    raise Http404(_("Дневник не найден."))
            else:
                student = get_object_or_404(
                    Student.objects.select_related("current_class__parallel", "organisation"),
                    pk=student_id,
                )
                if not request.user.has_perm("diary.view_diary", student):
                    raise Http404(_("Дневник не найден."))
                own = viewer.own_student
                if (own and own.id == student.id) or any(
                    c.id == student.id for c in viewer.children
                ):
                    if not (own and own.id == student.id):
                        request.session[ACTIVE_STUDENT_SESSION_KEY] = student.id
                    target = reverse(f"diary:{name}")
                    if request.GET:
                        target += "?" + request.GET.urlencode()
                    return HttpResponseRedirect(target)
                account_services.personal_data_viewed(
                    request=request,
                    student=student,
                    what=_("Дневник: %(page)s") % {"page": PAGE_LABELS.get(name, name)},
                )
            links = DiaryLinks(student_id)
            # The page's own reads (not the permission checks above, nor the access log) go
            # to a read replica when one is usable and the reader has not just written.
            return serve_from_replica(request, lambda: view(request, student, links))

        return wrapper

    return decorate


def _render(
    request: HttpRequest,
    template: str,
    student: Student,
    links: DiaryLinks,
    page: str,
    **ctx: Any,
) -> HttpResponse:
    # The student never sees «Замечания» (seed 001), so the section is named after what it
    # shows them: «Комментарии». Costs no query: the student reads only their own diary.
    own = student.user_id is not None and student.user_id == request.user.id
    ctx.update({"student": student, "links": links, "page": page, "own_diary": own})
    return render(request, template, ctx)


def _period(request: HttpRequest, student: Student) -> selectors.PeriodChoice:
    return selectors.periods_for(
        student, request.GET.get("period"), today(), wanted_year=request.GET.get("year")
    )


@diary_page("week")
def week(request: HttpRequest, student: Student, links: DiaryLinks) -> HttpResponse:
    day = today()
    error = ""
    wanted = request.GET.get("week", "")
    monday = selectors.monday_of(day)
    if wanted:
        chosen = core_params.parse_date(wanted)
        if chosen is None:
            error = _(
                "Неделя: дата должна быть в виде ГГГГ-ММ-ДД между %(min)s и %(max)s, "
                "показана текущая неделя."
            ) % {
                "min": f"{core_params.MIN_DATE:%d.%m.%Y}",
                "max": f"{core_params.MAX_DATE:%d.%m.%Y}",
            }
        else:
            monday = chosen
    diary_week = selectors.diary_week(student, monday, day)
    labels = html.WeekLabels()
    days = [(d, html.week_lessons(d.lessons, labels)) for d in diary_week.days]
    return _render(
        request, "diary/week.html", student, links, "week", week=diary_week, days=days, error=error
    )


@diary_page("report")
def report(request: HttpRequest, student: Student, links: DiaryLinks) -> HttpResponse:
    choice = _period(request, student)
    rows = selectors.report_card(student, choice.current, today=today()) if choice.current else []
    # The subjects' rows are drawn in Python (diary.html): a template loop cost more than the data.
    rows_html = ""
    if rows and choice.current:
        rows_html = html.report_rows(rows, html.ReportLabels(choice.current.name))
    return _render(
        request,
        "diary/report.html",
        student,
        links,
        "report",
        choice=choice,
        rows=rows,
        rows_html=rows_html,
    )


@diary_page("report_xlsx")
def report_xlsx(request: HttpRequest, student: Student, links: DiaryLinks) -> HttpResponse:
    choice = _period(request, student)
    if choice.current is None:
        raise Http404(_("Аттестационных периодов нет."))
    rows = selectors.report_card(student, choice.current)
    content = exports.report_card_xlsx(student, choice.current, rows)
    class_name = student.current_class.name if student.current_class else ""
    filename = core_exports.download_name(
        _("Табель"), student.full_name, class_name, choice.current.name, extension="xlsx"
    )
    return core_exports.xlsx_response(content, filename)


@diary_page("extra")
def extra(request: HttpRequest, student: Student, links: DiaryLinks) -> HttpResponse:
    choice = _period(request, student)
    rows = selectors.extra_journal(student, choice.current) if choice.current else []
    return _render(request, "diary/extra.html", student, links, "extra", choice=choice, rows=rows)


@diary_page("homework")
def homework(request: HttpRequest, student: Student, links: DiaryLinks) -> HttpResponse:
    choice = _period(request, student)
    rows = selectors.homework_journal(student, choice.current) if choice.current else []
    return _render(
        request,
        "diary/homework.html",
        student,
        links,
        "homework",
        choice=choice,
        rows=rows,
    )


@diary_page("finals")
def finals(request: HttpRequest, student: Student, links: DiaryLinks) -> HttpResponse:
    data = selectors.final_marks(student, request.GET.get("year"))
    return _render(request, "diary/finals.html", student, links, "finals", finals=data)


@diary_page("missed")
def missed(request: HttpRequest, student: Student, links: DiaryLinks) -> HttpResponse:
    choice = _period(request, student)
    rows = selectors.missed_lessons(student, choice.current) if choice.current else []
    return _render(request, "diary/missed.html", student, links, "missed", choice=choice, rows=rows)


@diary_page("tests")
def tests(request: HttpRequest, student: Student, links: DiaryLinks) -> HttpResponse:
    choice = _period(request, student)
    day = today()
    months = selectors.planned_tests(student, choice.current, day) if choice.current else []
    return _render(
        request,
        "diary/tests.html",
        student,
        links,
        "tests",
        choice=choice,
        months=months,
        today=day,
        weekday_names=["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"],
    )


@diary_page("timetable")
def timetable(request: HttpRequest, student: Student, links: DiaryLinks) -> HttpResponse:
    try:
        grid = selectors.timetable_grid(student, request.GET.get("class"))
    except selectors.ClassNotFound as exc:
        raise Http404(_("Класс не найден.")) from exc
    holidays = selectors.holiday_info(student, today())
    return _render(
        request,
        "diary/timetable.html",
        student,
        links,
        "timetable",
        grid=grid,
        holidays=holidays,
        today=today(),
    )


@diary_page("averages")
def averages(request: HttpRequest, student: Student, links: DiaryLinks) -> HttpResponse:
    choice = _period(request, student)
    data = selectors.averages(student, choice.current, today=today()) if choice.current else None
    return _render(
        request,
        "diary/averages.html",
        student,
        links,
        "averages",
        choice=choice,
        data=data,
        chartjs=chartjs_path(),
    )


@diary_page("events")
def events(request: HttpRequest, student: Student, links: DiaryLinks) -> HttpResponse:
    rows = selectors.upcoming_events(student, today())
    return _render(request, "diary/events.html", student, links, "events", events=rows)


@diary_page("remarks")
def remarks(request: HttpRequest, student: Student, links: DiaryLinks) -> HttpResponse:
    with_remarks = request.user.has_perm("diary.view_remarks", student)
    rows = selectors.remarks_of(student, with_remarks=with_remarks)
    return _render(
        request,
        "diary/remarks.html",
        student,
        links,
        "remarks",
        remarks=[r for r in rows if r.kind == "remark"],
        comments=[r for r in rows if r.kind == "comment"],
        with_remarks=with_remarks,
    )


def homework_file(request: HttpRequest, file_id: int) -> HttpResponseBase:
    """A homework attachment, for those who may read the diary of a student who attends the
    lesson (and, for a personal assignment, only that student's diary)."""
    viewer = _share_viewer(request)
    attachment = selectors.homework_file_for(file_id)
    if attachment is None:
        raise Http404
    homework_row = attachment.homework
    lesson = homework_row.lesson
    allowed = False
    if (
        lesson.teacher_id == request.user.id
        or lesson.subject.organisation_id in viewer.admin_org_ids
        or lesson.class_unit_id
        and lesson.class_unit_id in viewer.led_class_ids
    ):
        allowed = True
    else:
        family = ([viewer.own_student] if viewer.own_student else []) + list(viewer.children)
        for student in family:
            if homework_row.student_id not in (None, student.id):
                continue
            if selectors.attends(student, lesson):
                allowed = True
                break
    if not allowed:
        raise Http404
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)
