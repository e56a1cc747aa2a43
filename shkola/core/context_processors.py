"""What every page's frame needs: who is signed in, the navigation their roles allow,
the parent's child switcher and the school year."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .navigation import badges_for, navigation_for


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from shkola.accounts.selectors import active_student, viewer_from_request

    viewer = viewer_from_request(request)
    student = active_student(request)
    org = viewer.organisation
    year = None
    if org is not None:
        from shkola.core.clock import today
        from shkola.schools.selectors import current_year

        year = current_year(org, on=today())
    return {
        "viewer": viewer,
        "active_student": student,
        "nav_items": navigation_for(viewer, request),
        "top_badges": badges_for(viewer),
        "current_year": year,
        "current_org": org,
    }
