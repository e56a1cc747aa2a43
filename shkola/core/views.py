from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .selectors import home_context


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", home_context(request))


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for the proxy and the benchmark's trivial baseline: no database, no template."""
    return HttpResponse("ok", content_type="text/plain")
