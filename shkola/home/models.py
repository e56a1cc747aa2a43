from __future__ import annotations

from django.conf import settings
from django.db import models


class HomeVisit(models.Model):
    """When a person opened the home page for a student (a student for themselves, a parent
    for a child), so that the page can show the marks that are new since the previous visit.

    ``last_seen`` is the latest opening; ``marks_since`` is the boundary of «new» (empty
    during the first visit: then the week before ``first_seen`` is new). Openings less than
    ``services.VISIT_GAP`` apart are one visit: a reload the same evening keeps the boundary,
    and the marks stay «new» until the person comes back after a pause."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("schools.Student", on_delete=models.CASCADE, related_name="+")
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    marks_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "student"], name="home_visit_once_per_student")
        ]
