"""The act of destruction as a PDF (fpdf2, DejaVu Sans for Cyrillic).

The act says what categories of data were destroyed and how many records of each, never the
values destroyed: the person is named by their pseudonym only. It closes with the extract
from the event log about the person (the time, the event, who did it), as taken before the
names in it were replaced."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF, FontFace

FONTS = Path(__file__).resolve().parent.parent / "core" / "fonts"
# Tests read the text back from an uncompressed PDF; production compresses.
COMPRESS = True
LOG_LIMIT = 200


def log_extract(events: Any, names: dict[int, str]) -> list[dict[str, str]]:
    """The event-log rows about the person, newest last, without the names they carried."""
    rows = []
    for event in events.order_by("created_at", "id")[:LOG_LIMIT]:
        actor = event.actor
        if actor is None:
            who = ""
        elif actor.pk in names:
            who = names[actor.pk]
        else:
            who = actor.full_name or actor.username
        details = event.details or {}
        # A page's name («Портфолио»), or the summary of the consent and destruction events,
        # which name the person by the pseudonym only; other summaries may carry names.
        page = details.get("page") or (
            details.get("summary", "") if ("consent" in details or "destruction" in details) else ""
        )
        rows.append(
            {
                "at": timezone.localtime(event.created_at).strftime("%d.%m.%Y %H:%M"),
                "event": str(event.get_kind_display()),
                "actor": who,
                "what": str(page),
            }
        )
    return rows


def _when(value: str) -> str:
    return timezone.localtime(dt.datetime.fromisoformat(value)).strftime("%d.%m.%Y %H:%M")


def act_pdf(act: dict[str, Any]) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_compression(COMPRESS)
    # One face, sizes for headings: each embedded font is a subset with its own glyph ids.
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.set_title(_("Акт об уничтожении персональных данных № %(n)s") % {"n": act["number"]})
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    width = pdf.epw
    pdf.set_font("DejaVu", "", 14)
    pdf.multi_cell(
        width,
        8,
        _("Акт № %(n)s об уничтожении персональных данных") % {"n": act["number"]},
        align="C",
    )
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 10)
    for label, value in (
        (_("Оператор"), act["organisation"]),
        (_("Субъект персональных данных"), act["pseudonym"]),
        (_("Основание"), _("отзыв согласия на обработку персональных данных")),
        (_("Отзыв получен"), _when(act["requested_at"])),
        (_("Данные уничтожены"), _when(act["done_at"])),
        (_("Уничтожение выполнил"), act["done_by"]),
        (_("Способ"), _("удаление записей и файлов из информационной системы «Школа»")),
    ):
        pdf.multi_cell(width, 6, f"{label}: {value}")
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 11)
    pdf.cell(width, 7, _("Уничтожены"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    for row in act["destroyed"]:
        pdf.multi_cell(width, 6, f"• {row['category']}: {row['count']}")
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 11)
    pdf.cell(
        width, 7, _("Сохранены (обязанность хранения по закону)"), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("DejaVu", "", 10)
    for line in act["kept"]:
        pdf.multi_cell(width, 6, f"• {line}")
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 11)
    pdf.cell(width, 7, _("Выписка из журнала событий"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 8)
    if act["log"]:
        with pdf.table(
            col_widths=(22, 40, 40, 38), text_align="LEFT", headings_style=FontFace(emphasis="")
        ) as table:
            table.row([_("Когда"), _("Событие"), _("Кто"), _("Что")])
            for row in act["log"]:
                table.row([row["at"], row["event"], row["actor"], row["what"]])
    else:
        pdf.multi_cell(width, 5, _("Записей нет."))
    pdf.ln(6)
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(
        width, 6, _("Ответственный за обработку персональных данных: ____________________")
    )
    return bytes(pdf.output())
