"""Small pieces of diary markup built in Python: the pages repeat them per mark and per lesson,
where an ``{% include %}`` or a dozen template nodes cost more than the page's data (issue 14).

Each function draws exactly what its template counterpart drew, escaping every value the way
the template engine does; ``diary/tests/test_html.py`` compares them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from shkola.core.templatetags.shkola import mark_class


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
