"""``{% sso_buttons %}``: one «Войти через …» button per configured identity provider."""

from __future__ import annotations

from typing import Any

from django import template

from ..providers import enabled_providers

register = template.Library()


@register.inclusion_tag("sso/_buttons.html", takes_context=True)
def sso_buttons(context: Any) -> dict[str, Any]:
    return {"providers": enabled_providers(), "next": context.get("next", "")}
