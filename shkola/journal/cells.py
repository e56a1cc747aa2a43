"""HTML of journal cells, built in Python: a grid has hundreds of cells and a template
include per cell would cost more than the whole database work of the page. The save
endpoints return exactly the same markup for the one cell they changed."""

from __future__ import annotations

from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .services import Cell, FinalCell

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
