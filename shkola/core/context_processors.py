"""What every page's frame needs: who is signed in, the navigation their roles allow,
the parent's child switcher and the school year.

The parts are lazy: a page (or an HTMX fragment) that never shows the switcher, the school
or the year does not compute them. On a warm request their data comes from the shared
cache (shkola/accounts/who.py), so the frame adds no query but the top bar's counters."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .navigation import badges_for, navigation_for


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from shkola.accounts.selectors import active_student, viewer_from_request

    viewer = viewer_from_request(request)

    def year() -> Any:
        org = viewer.organisation
        if org is None:
            return None
        from shkola.core.clock import today
        from shkola.schools.selectors import current_year

        return current_year(org, on=today())

    return {
        "viewer": viewer,
        "active_student": SimpleLazyObject(lambda: active_student(request)),
        "nav_items": navigation_for(viewer, request),
        "top_badges": badges_for(viewer),
        "current_year": SimpleLazyObject(year),
        "current_org": SimpleLazyObject(lambda: viewer.organisation),
    }
