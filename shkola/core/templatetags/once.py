"""``{% load once %}{% form_token %}`` in every create form (see shkola.core.once)."""

from __future__ import annotations

from typing import Any

from django import template

from shkola.core.once import token_field

register = template.Library()


@register.simple_tag
def form_token() -> Any:
    return token_field()
