from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def invitation_state(invitation: Any, moment: Any) -> str:
    return invitation.state_at(moment) if invitation is not None else ""
