"""Russian messages for bad parameters: the field is named, the rule is said in words."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("обязательный параметр.")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("должно быть целым числом.")
    if kind == "greater_than_equal":
        return _("должно быть не меньше %(n)s.") % {"n": ctx.get("ge")}
    if kind == "less_than_equal":
        return _("должно быть не больше %(n)s.") % {"n": ctx.get("le")}
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("дата должна быть в виде ГГГГ-ММ-ДД.")
    if kind == "enum":
        return _("допустимые значения: %(values)s.") % {"values": ctx.get("expected", "")}
    if kind in ("bool_parsing", "bool_type"):
        return _("должно быть true или false.")
    return _("недопустимое значение.")


def russian(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """ninja's (pydantic's) errors as ``{"field", "message"}``; ``loc`` is (where, name, …)."""
    result = []
    for error in errors:
        loc = [str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body")]
        field = ".".join(loc) or _("запрос")
        result.append({"field": field, "message": _message(error)})
    return result
