"""Small pieces of diary markup built in Python: the pages repeat them per mark and per lesson,
where an ``{% include %}`` or a dozen template nodes cost more than the page's data (issue 14).

Each function draws exactly what its template counterpart drew, escaping every value the way
the template engine does; ``diary/tests/test_compiled_reads.py``
compares the pages with the old templates'."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from django.template.defaultfilters import linebreaksbr
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from shkola.core.templatetags.shkola import format_average, mark_class


def escape(value: Any) -> str:
    """``django.utils.html.escape`` (the engine's autoescape) without its lazy wrapper and
    SafeString: these pieces are joined and marked safe once."""
    return html.escape(str(value))


def mark_chip(m: Any) -> SafeString:
    """``diary/_mark.html`` for one mark (a ``Mark`` or a ``CardMark``), with the file's
    trailing newline, as ``{% include %}`` drew it."""
    value = escape(m.value)
    css = escape(mark_class(m.value))
    form = m.control_form
    if m.comment or m.work_name:
        note = ""
        if m.work_name:
            note = escape(m.work_name)
            if m.comment:
                note += ". "
        note += escape(m.comment)
        title = escape(form.name) if form else "Отметка"
        return mark_safe(
            f'<button type="button" class="mark {css} mark-has-comment" data-bs-toggle="popover"'
            f' data-bs-trigger="focus" data-bs-placement="bottom" data-bs-title="{title}"'
            f' data-bs-content="{note}" title="{note}">{value}</button>\n'
        )
    title = f' title="{escape(form.name)}"' if form else ""
    return mark_safe(f'<span class="mark {css}"{title}>{value}</span>\n')


def mark_chips(marks: Iterable[Any]) -> SafeString:
    """The report card's marks of one subject: each chip and a space."""
    return mark_safe("".join(f"{mark_chip(m)} " for m in marks))


def works(marks: Iterable[Any]) -> SafeString:
    """The report card's «Работы» of one subject: date, work or form, comment, mark."""
    parts = []
    for m in marks:
        what: str = ""
        if m.work_name:
            what = escape(m.work_name)
        elif m.control_form:
            what = escape(m.control_form.name)
        comment = f' <span class="text-secondary">({escape(m.comment)})</span>' if m.comment else ""
        parts.append(
            f'<li><span class="text-secondary">{m.lesson.date:%d.%m.%Y}</span> — {what}{comment}:'
            f' <span class="mark {escape(mark_class(m.value))}">{escape(m.value)}</span></li>'
        )
    return mark_safe("".join(parts))


def lesson_dates(dates: Iterable[Any]) -> SafeString:
    """The report card's row of lesson dates (``LessonDate``: a lesson and its marks), each
    with its topic as the title and its marks in bold."""
    parts = []
    for d in dates:
        lesson = d.lesson
        marks = "".join(
            f' <b class="{escape(mark_class(m.value))}">{escape(m.value)}</b>' for m in d.marks
        )
        has = " has-marks" if d.marks else ""
        parts.append(
            f'<span class="lesson-date{has}" title="{escape(lesson.topic)}">'
            f"{lesson.date:%d.%m}{marks}</span>"
        )
    return mark_safe("".join(parts))


class WeekLabels:
    """The week page's words, translated once per page instead of once per lesson."""

    __slots__ = ("substitution", "cancelled", "room", "topic", "mark")

    def __init__(self) -> None:
        self.substitution = escape(gettext("замена"))
        self.cancelled = escape(gettext("Урок снят из расписания"))
        self.room = escape(gettext("каб."))
        self.topic = escape(gettext("Тема:"))
        self.mark = escape(gettext("Отметка"))


def _week_mark(m: Any, labels: WeekLabels) -> str:
    value, css = escape(m.value), escape(m.css)
    if m.note:
        note = escape(m.note)
        title = escape(m.title) if m.title else labels.mark
        return (
            f'<button type="button" class="mark {css} mark-has-comment" data-bs-toggle="popover"'
            f' data-bs-trigger="focus" data-bs-placement="bottom" data-bs-title="{title}"'
            f' data-bs-content="{note}" aria-label="{value}: {note}">{value}</button>'
        )
    return f'<span class="mark {css}" title="{escape(m.title)}">{value}</span>'


def _week_homework(hw: Any) -> str:
    files = "".join(
        f'<a class="hw-file" href="{escape(f["url"])}"><i class="bi bi-paperclip"></i>'
        f"{escape(f['name'])}</a>"
        for f in hw.files
    )
    return (
        '\n              <div class="small lesson-homework"><i class="bi bi-house-door'
        f' text-secondary"></i> {linebreaksbr(hw.text, autoescape=True)}'
        f"\n                {files}\n              </div>\n              "
    )


def week_lessons(lessons: Iterable[Any], labels: WeekLabels) -> SafeString:
    """The lessons of one day of the week page (``DiaryLesson``), each an ``<li>`` as the
    template's loop drew it, whitespace included."""
    parts = []
    for row in lessons:
        substitution = (
            f' <span class="badge text-bg-info lesson-substitution">{labels.substitution}</span>'
            if row.is_substitution
            else ""
        )
        attendance = (
            f'<span class="mark mark-att" title="{escape(row.attendance_label)}">'
            f"{escape(row.attendance)}</span>"
            if row.attendance
            else ""
        )
        marks = "".join(_week_mark(m, labels) for m in row.marks)
        room = (
            f' · <span class="text-nowrap">{labels.room} {escape(row.room)}</span>'
            if row.room
            else ""
        )
        topic = (
            f'<div class="small lesson-topic"><span class="text-secondary">{labels.topic}</span>'
            f" {escape(row.topic)}</div>"
            if row.topic
            else ""
        )
        cancelled = (
            f'<div class="small"><span class="badge text-bg-secondary">{labels.cancelled}'
            "</span></div>"
            if row.is_cancelled
            else ""
        )
        test = (
            f'<div class="small"><span class="badge text-bg-warning">{escape(row.test_form)}'
            "</span></div>"
            if row.test_form
            else ""
        )
        homework = "".join(_week_homework(hw) for hw in row.homework)
        parts.append(
            '\n        <li class="list-group-item diary-lesson">'
            '\n          <div class="d-flex gap-2 align-items-start">'
            f'\n            <span class="lesson-no">{escape(row.number)}</span>'
            '\n            <div class="flex-grow-1 min-w-0">'
            '\n              <div class="d-flex justify-content-between gap-2">'
            f'\n                <div class="fw-semibold lesson-subject">{escape(row.subject)}'
            f"{substitution}</div>"
            '\n                <div class="lesson-marks text-nowrap">'
            f"\n                  {attendance}"
            f"\n                  {marks}"
            "\n                </div>"
            "\n              </div>"
            '\n              <div class="small text-secondary lesson-meta">'
            f'\n                <span class="lesson-time">{escape(row.time)}</span>{room}'
            f' · <span class="text-nowrap">{escape(row.teacher)}</span>'
            "\n              </div>"
            f"\n              {topic}"
            f"\n              {cancelled}"
            f"\n              {test}"
            f"\n              {homework}"
            "\n            </div>"
            "\n          </div>"
            "\n        </li>"
            "\n        "
        )
    return mark_safe("".join(parts))


class ReportLabels:
    """The report card's words, translated once per page."""

    __slots__ = ("average", "suggested", "forecast", "dates", "no_lessons", "works")

    def __init__(self, period_name: str) -> None:
        self.average = escape(gettext("Средний балл"))
        self.suggested = escape(gettext("Средний балл указывает на эту отметку за период"))
        self.forecast = gettext("Что нужно для отметки за %(period)s") % {
            "period": escape(period_name)
        }
        self.dates = escape(gettext("Даты уроков"))
        self.no_lessons = escape(gettext("Уроков в периоде нет."))
        self.works = escape(gettext("Работы"))


def _forecast(forecast: Any, labels: ReportLabels) -> str:
    if forecast is None or not forecast.shown:
        return ""
    if forecast.lines:
        lines = "".join(f"<li>{escape(line)}</li>" for line in forecast.lines)
        body = f'<ul class="forecast-lines small mb-0">{lines}</ul>'
    else:
        body = f'<p class="small text-secondary mb-0">{escape(forecast.note)}</p>'
    return (
        '\n<div class="forecast">'
        f'\n  <div class="small fw-semibold mb-1">{labels.forecast}</div>'
        f"\n  {body}"
        "\n</div>\n"
    )


def report_rows(rows: Iterable[Any], labels: ReportLabels) -> SafeString:
    """The report card's two table rows per subject (``SubjectRow``), as the template's loop
    drew them, whitespace included."""
    parts = []
    for row in rows:
        sid = escape(row.subject.id)
        average = escape(format_average(row.average))
        suggested = escape(row.suggested) if row.suggested else ""
        small = ""
        if row.average is not None:
            small = (
                "\n            \n"
                f'            <div class="d-sm-none fw-normal small report-avg-xs">{labels.average}'
                f" <b>{average}</b>{f' → {suggested}' if suggested else ''}</div>"
            )
        badge = (
            ' <span class="badge text-bg-light fw-normal d-none d-sm-inline"'
            f' title="{labels.suggested}">→ {suggested}</span>'
            if suggested
            else ""
        )
        marks = mark_chips(row.marks) if row.marks else '<span class="text-secondary">—</span>'
        dates = (
            lesson_dates(row.dates)
            if row.dates
            else f'<span class="text-secondary">{labels.no_lessons}</span>'
        )
        done = row.works
        works_block = ""
        if done:
            works_block = (
                f'\n            <div class="small text-secondary mb-1">{labels.works}</div>'
                '\n            <ul class="list-unstyled small mb-0 works-list">'
                f"\n              {works(done)}"
                "\n            </ul>"
                "\n            "
            )
        parts.append(
            "\n        \n"
            f'        <tr class="subject-row" id="subject-{sid}">'
            '\n          <th scope="row" class="fw-semibold"><button type="button"'
            ' class="subject-toggle" data-bs-toggle="collapse"'
            f' data-bs-target="#dates-{sid}" aria-expanded="false" aria-controls="dates-{sid}">'
            '<i class="bi bi-chevron-down small text-secondary d-print-none"></i>'
            f" {escape(row.subject.name)}</button>{small}</th>"
            f'\n          <td class="report-marks">{marks}</td>'
            '\n          <td class="text-end fw-bold report-avg d-none d-sm-table-cell">'
            f"{average}{badge}</td>"
            "\n        </tr>"
            f'\n        <tr class="collapse dates-row d-print-none" id="dates-{sid}">'
            '\n          <td colspan="3" class="bg-body-tertiary">'
            f"\n            {_forecast(row.forecast, labels)}"
            f'\n            <div class="small text-secondary mb-1">{labels.dates}</div>'
            '\n            <div class="lesson-dates d-flex flex-wrap gap-1 mb-2">'
            f"\n              {dates}"
            "\n            </div>"
            f"\n            {works_block}"
            "\n          </td>"
            "\n        </tr>"
            "\n      "
        )
    return mark_safe("".join(parts))
