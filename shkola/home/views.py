from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .selectors import home_context


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home/home.html", home_context(request))
