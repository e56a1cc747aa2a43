"""One form field of the people forms, with its value and its error kept after a failed
submit (the forms are plain HTML: the services validate and name the field)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("roster/_field.html", takes_context=True)
def field(
    context: Any,
    name: str,
    label: str,
    kind: str = "text",
    required: bool = False,
    col: str = "col-12",
    maxlength: int = 150,
    choices: Any = None,
    hint: str = "",
    autocomplete: str = "off",
) -> dict[str, Any]:
    values = context.get("values") or {}
    errors = context.get("errors") or {}
    value = values.get(name, "")
    return {
        "name": name,
        "label": label,
        "kind": kind,
        "required": required,
        "col": col,
        "maxlength": maxlength,
        "choices": choices,
        "hint": hint,
        "autocomplete": autocomplete,
        "value": "" if value is None else str(value),
        "error": " ".join(errors.get(name, [])),
        "id": f"f-{name}",
    }
