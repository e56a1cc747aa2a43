"""Shared template helpers: Russian plurals, marks, numbers in Russian format."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template

register = template.Library()


def plural_ru(n: int, forms: str) -> str:
    """«1 день», «2 дня», «5 дней»: forms are "one,few,many"."""
    one, few, many = (f.strip() for f in forms.split(","))
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


@register.filter
def ru_plural(value: Any, forms: str) -> str:
    try:
        return plural_ru(int(value), forms)
    except (TypeError, ValueError):
        return ""


def format_average(value: Any) -> str:
    """Two decimals with a decimal comma; an empty average is a dash."""
    if value is None or value == "":
        return "—"
    number = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{number}".replace(".", ",")


@register.filter
def avg(value: Any) -> str:
    return format_average(value)


@register.filter
def mark_class(value: Any) -> str:
    value = str(value or "")
    if value in {"5", "4", "3", "2", "1"}:
        return f"mark-{value}"
    if value in {"зач", "незач", "осв", "н/а"}:
        return "mark-pf"
    return "mark-att"
