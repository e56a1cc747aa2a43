"""Every id in a URL is `<id:...>` (core.params.IdConverter): a value the database cannot hold
is a 404. The built-in `<int:...>` passes 99999999999999999999 to the view (issue 9)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter

from shkola.core.params import IdConverter


def patterns(resolver: URLResolver | None = None, prefix: str = "") -> list[tuple[str, dict]]:
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        converters = getattr(entry.pattern, "converters", {})
        found.append((route, converters))
        if isinstance(entry, URLResolver) and entry.namespace != "admin":
            found += patterns(entry, route)
        elif not isinstance(entry, (URLPattern, URLResolver)):
            raise TypeError(entry)
    return found


def test_no_url_of_shkola_takes_an_unbounded_int() -> None:
    unbounded = [
        route
        for route, converters in patterns()
        if any(isinstance(c, IntConverter) for c in converters.values())
    ]
    assert unbounded == [], "use <id:...> instead of <int:...>"
    assert any(
        isinstance(c, IdConverter) for _route, converters in patterns() for c in converters.values()
    )
