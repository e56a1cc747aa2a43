"""Tags for the page frame (base.html), which every page renders.

``{% static %}`` and ``{% url %}`` are Django's own, with each answer remembered per process:
the storage's answer cannot change while the process runs (the manifest is read at start),
nor can the URL configuration; asking them for the frame's files and links took 2 % of a
page. ``{% url %}`` remembers only addresses without arguments, keyed by the urlconf, the
script prefix and the current application. A setting change (tests) forgets them."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.templatetags.static import StaticNode
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

_ADDRESSES: dict[str, str] = {}
_LINKS: dict[tuple[str, str, str, str | None], str] = {}


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


class RememberedURLNode(URLNode):
    def render(self, context: Any) -> str:
        if self.args or self.kwargs or self.asvar:
            return str(super().render(context))
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        urlconf = get_urlconf() or settings.ROOT_URLCONF
        key = (str(urlconf), get_script_prefix(), str(view_name), current_app)
        try:
            address = _LINKS[key]
        except KeyError:
            address = _LINKS[key] = reverse(view_name, current_app=current_app)
        return str(conditional_escape(address)) if context.autoescape else address


@register.tag("url")
def do_url(parser: Any, token: Any) -> URLNode:
    """{% url 'name' … %}, as Django's."""
    node = django_url(parser, token)
    return RememberedURLNode(node.view_name, node.args, node.kwargs, node.asvar)


@receiver(setting_changed, dispatch_uid="shkola_frame_static_addresses")
def _addresses_forget(**kwargs: Any) -> None:
    _ADDRESSES.clear()
    _LINKS.clear()
