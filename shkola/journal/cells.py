"""HTML of journal cells, built in Python: a grid has hundreds of cells and a template
include per cell would cost more than the whole database work of the page. The save
endpoints return exactly the same markup for the one cell they changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from shkola.core.navigation import address_with_id
from shkola.core.templatetags.shkola import format_average

from .services import Cell, FinalCell, cell_fingerprint

_MARK_CLASS = {"5": "mark-5", "4": "mark-4", "3": "mark-3", "2": "mark-2", "1": "mark-1"}


def _value_html(cell: Cell) -> str:
    parts = []
    if cell.attendance is not None:
        parts.append(
            f'<b class="att att-{escape(cell.attendance.kind)}">{escape(cell.attendance.kind)}</b>'
        )
    for m in cell.marks:
        css = _MARK_CLASS.get(m.value, "mark-pf")
        parts.append(f'<b class="{css}">{escape(m.value)}</b>')
    return "".join(parts)


def mark_cell_html(
    cell: Cell,
    *,
    editable: bool,
    error: str = "",
    typed: str | None = None,
    conflict: bool = False,
) -> SafeString:
    classes = ["jc"] if editable else ["ro"]
    if cell.has_note:
        classes.append("has-note")
    attrs = f' data-l="{cell.lesson_id}" data-s="{cell.student_id}"'
    if editable:
        attrs += f' data-fp="{cell.fingerprint}"'
    extra = ""
    if error:
        classes.append("conflict" if conflict else "err")
        attrs += f' data-typed="{escape(typed or "")}" data-msg="{escape(error)}" title="{escape(error)}"'
        if conflict:
            extra = f'<span class="typed">{escape(typed or "∅")}?</span>'
        else:
            return mark_safe(
                f'<td class="{" ".join(classes)}"{attrs}><span class="cv typed-bad">'
                f'{escape(typed or "")}</span><i class="bi bi-exclamation-triangle-fill"></i></td>'
            )
    return mark_safe(
        f'<td class="{" ".join(classes)}"{attrs}><span class="cv">{_value_html(cell)}</span>{extra}</td>'
    )


def final_cell_html(
    cell: FinalCell,
    *,
    editable: bool,
    save_url: str,
    error: str = "",
    typed: str | None = None,
    conflict: bool = False,
) -> SafeString:
    classes = ["jc", "jf"] if editable else ["ro", "jf"]
    post = f"student={cell.student_id}&subject={cell.subject_id}&kind={cell.kind}"
    if cell.period_id:
        post += f"&period={cell.period_id}"
    attrs = f' data-post="{escape(post)}"'
    if editable:
        attrs += f' data-fp="{cell.fingerprint}" data-save="{escape(save_url)}"'
    value = cell.text
    extra = ""
    if error:
        classes.append("conflict" if conflict else "err")
        attrs += f' data-typed="{escape(typed or "")}" data-msg="{escape(error)}" title="{escape(error)}"'
        if conflict:
            extra = f'<span class="typed">{escape(typed or "∅")}?</span>'
        else:
            value = typed or ""
    css = _MARK_CLASS.get(value, "mark-pf") if value else ""
    inner = f'<b class="{css}">{escape(value)}</b>' if value else ""
    return mark_safe(
        f'<td class="{" ".join(classes)}"{attrs}><span class="cv">{inner}</span>{extra}</td>'
    )


def row_html(
    cells: list[Cell], *, editable: bool, read_only_lessons: frozenset[int] = frozenset()
) -> SafeString:
    """read_only_lessons: columns nobody may type in, e.g. lessons not given yet."""
    return mark_safe(
        "".join(
            mark_cell_html(c, editable=editable and c.lesson_id not in read_only_lessons)
            for c in cells
        )
    )


def conflict_message(current_text: str, typed: str) -> str:
    return _(
        "Клетку уже изменил другой пользователь: сейчас «%(now)s». Ваше «%(typed)s» не "
        "сохранено — нажмите Enter ещё раз, чтобы заменить."
    ) % {"now": current_text or _("пусто"), "typed": typed or _("пусто")}


def error_text(exc: Any) -> str:
    messages = getattr(exc, "message_dict", None)
    if messages:
        return " ".join(m for ms in messages.values() for m in ms)
    return " ".join(getattr(exc, "messages", [str(exc)]))


# --------------------------------------------------------------------------- the whole grid
# The grid page builds its header and rows here, not in the template: the per-cell and
# per-row template machinery, ``reverse``, gettext and escaping ran ~1000 times a page. The
# output is byte-for-byte what ``mark_cell_html`` and the former template loops gave
# (journal/tests/test_grid_html.py renders both and compares). URL prefixes and translated
# strings are computed once per page; escaping of the small set of mark values once per process.

_EMPTY_FINGERPRINT = cell_fingerprint([], None)
_ESCAPED: dict[str, str] = {}


def _escaped(text: str) -> str:
    """escape() of a mark or attendance value, remembered: a grid shows a dozen distinct ones."""
    out = _ESCAPED.get(text)
    if out is None:
        out = str(escape(text))
        if len(_ESCAPED) < 512:
            _ESCAPED[text] = out
    return out


def _url_pattern(name: str) -> tuple[str, str]:
    """reverse(name, args=[id]) split around the id, escaped as ``{% url %}`` escapes."""
    head, tail = address_with_id(name)
    return str(escape(head)), str(escape(tail))


def _filled_cell_html(cell: Cell, classes: str, attrs: str) -> str:
    parts = []
    attendance = cell.attendance
    if attendance is not None:
        kind = _escaped(attendance.kind)
        parts.append(f'<b class="att att-{kind}">{kind}</b>')
    note = False
    for m in cell.marks:
        value = m.value
        parts.append(f'<b class="{_MARK_CLASS.get(value, "mark-pf")}">{_escaped(value)}</b>')
        if m.comment or m.work_name:
            note = True
    if note:
        classes += " has-note"
    return f'<td class="{classes}"{attrs}><span class="cv">{"".join(parts)}</span></td>'


def grid_header_html(lessons: Sequence[Any], today: dt.date) -> SafeString:
    """The lesson columns of the grid's header (the ``<th>`` of each lesson)."""
    if not lessons:
        return mark_safe("")
    head, tail = _url_pattern("journal:lesson")
    no_topic = _("Тема не указана")
    homework = _("Есть домашнее задание")
    parts = []
    for lesson in lessons:
        form = lesson.control_form
        title = str(escape(lesson.topic)) if lesson.topic else no_topic
        if form is not None:
            form_name = str(escape(form.name))
            title += f" · {form_name}"
            weight = f'<span class="jw" title="{form_name}">{form.weight}</span>'
        else:
            weight = ""
        hw = f'<i class="bi bi-house-door jhw" title="{homework}"></i>' if lesson.n_homework else ""
        warn = (
            f'<i class="bi bi-exclamation-circle text-warning" title="{no_topic}"></i>'
            if not lesson.topic and lesson.date <= today
            else ""
        )
        date = lesson.date
        parts.append(
            f'\n      <th scope="col" class="jl{" cancelled" if lesson.is_cancelled else ""}"'
            f' id="lesson-{lesson.id}" data-date="{date:%Y-%m-%d}">'
            f'\n        <a href="{head}{lesson.id}{tail}" title="{title}">'
            f'\n          <span class="jd">{date:%d.%m}</span>'
            f"\n          {weight}\n          {hw}\n          {warn}"
            "\n        </a>\n      </th>\n      "
        )
    return mark_safe("".join(parts))


def grid_rows_html(
    rows: Sequence[Any],
    lesson_ids: Sequence[int],
    *,
    editable: bool,
    read_only_lessons: frozenset[int],
    journal: str,
    subject_id: int,
    full_path: str,
    final_save_url: str,
    with_finals: bool,
) -> SafeString:
    """The grid's body rows (selectors.GridRow): name with the remark link, the cells, the
    average, and with period marks the suggested and the period mark."""
    remark = remark_head = ""
    if journal == "main":
        head, tail = _url_pattern("journal:remarks")
        label = _("Замечание или комментарий")
        query = f"?subject={subject_id}&amp;next={escape(quote(full_path, safe='/'))}"
        remark = (
            f'{tail}{query}" title="{label}" aria-label="{label}">'
            '<i class="bi bi-chat-left-text"></i></a>'
        )
        remark_head = f'<a class="jremark d-print-none" href="{head}'
    # Per column: the cell's classes and the opening of its attributes; the student id and the
    # fingerprint follow.
    columns = []
    for lid in lesson_ids:
        cell_editable = editable and lid not in read_only_lessons
        columns.append((lid, "jc" if cell_editable else "ro", cell_editable))
    empty_cell = {
        True: f'" data-fp="{_EMPTY_FINGERPRINT}"><span class="cv"></span></td>',
        False: '"><span class="cv"></span></td>',
    }
    no_lessons = "" if lesson_ids else "<td></td>"
    parts = []
    for number, row in enumerate(rows, start=1):
        student = row.student
        sid = student.id
        by_lesson = row.by_lesson
        name = f"{escape(student.last_name)} {escape(student.first_name)}"
        if remark:
            name += f"{remark_head}{sid}{remark}"
        cells = []
        for lid, classes, cell_editable in columns:
            cell = by_lesson.get(lid)
            if cell is None:
                cells.append(
                    f'<td class="{classes}" data-l="{lid}" data-s="{sid}{empty_cell[cell_editable]}'
                )
            else:
                attrs = f' data-l="{lid}" data-s="{sid}"'
                if cell_editable:
                    attrs += f' data-fp="{cell.fingerprint}"'
                cells.append(_filled_cell_html(cell, classes, attrs))
        finals = ""
        if with_finals:
            suggested = escape(row.suggested) if row.suggested else "—"
            final = (
                final_cell_html(row.final, editable=editable, save_url=final_save_url)
                if row.final is not None
                else ""
            )
            finals = f'<td class="jsug" id="sug-{sid}">{suggested}</td>{final}'
        parts.append(
            f'\n    <tr data-student="{sid}">'
            f'\n      <th scope="row" class="jname"><span class="jn">{number}.</span> {name}</th>'
            f"\n      {''.join(cells)}{no_lessons}"
            f'\n      <td class="javg" id="avg-{sid}">{escape(format_average(row.average))}</td>'
            f"\n      {finals}\n    </tr>\n    "
        )
    return mark_safe("".join(parts))
