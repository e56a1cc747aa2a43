"""Tags for the page frame (base.html), which every page renders.

``{% static %}`` is Django's own, with the address of each file remembered per process: the
storage's answer cannot change while the process runs (the manifest is read at start), and
asking it for the frame's seven files took 2 % of a page. A setting change (tests) forgets."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import StaticNode

register = template.Library()

_ADDRESSES: dict[str, str] = {}


class RememberedStaticNode(StaticNode):
    @classmethod
    def handle_simple(cls, path: str) -> str:
        try:
            return _ADDRESSES[path]
        except KeyError:
            address = _ADDRESSES[path] = super().handle_simple(path)
            return address


@register.tag("static")
def do_static(parser: Any, token: Any) -> RememberedStaticNode:
    """{% static 'path' %} or {% static 'path' as name %}, as Django's."""
    return RememberedStaticNode.handle_token(parser, token)  # type: ignore[return-value]


@receiver(setting_changed, dispatch_uid="shkola_frame_static_addresses")
def _addresses_forget(**kwargs: Any) -> None:
    _ADDRESSES.clear()
