"""Message bodies are plain text: everything typed is escaped, then http(s) links become
links and line breaks stay line breaks. Nothing a sender types becomes HTML."""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
TRAILING = ".,;:!?)]}»"


@register.filter
def plain_text(value: object) -> SafeString:
    text = str(value or "")
    parts: list[str] = []
    position = 0
    for match in URL.finditer(text):
        url = match.group(0)
        stripped = url.rstrip(TRAILING)
        start, end = match.start(), match.start() + len(stripped)
        parts.append(escape(text[position:start]))
        parts.append(
            format_html(
                '<a href="{}" rel="noopener noreferrer nofollow" target="_blank">{}</a>',
                stripped,
                stripped,
            )
        )
        position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts).replace("\r\n", "\n").replace("\n", "<br>\n"))  # noqa: S308
