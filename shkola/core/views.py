from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for the proxy and the benchmark's trivial baseline: no database, no template."""
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on every first visit; without it each page logs a 404
    in the console."""
    return redirect(static("img/favicon.svg"), permanent=True)
