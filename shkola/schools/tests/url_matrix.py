"""«Обучающиеся»: staff look students up; families and officials have no roster.
«События школы»: only the school's administration (``curator``) plans events."""

from __future__ import annotations

from typing import Any

from shkola.core.testing.matrix import Case, expect

ADMIN_ONLY = expect(404, anonymous=302, curator=200)
# Delete is a POST: the administration gets 405 for a GET, everyone else the usual 404.
NOBODY = expect(404, anonymous=302)


def _event(w: Any) -> dict[str, int]:
    from shkola.schools.models import SchoolEvent

    event = SchoolEvent.objects.create(organisation=w.school, title="Линейка", date=w.year.start)
    return {"event_id": event.id}


def _other_event(w: Any) -> dict[str, int]:
    from shkola.schools.models import SchoolEvent

    event = SchoolEvent.objects.create(
        organisation=w.other_school, title="Чужая линейка", date=w.year.start
    )
    return {"event_id": event.id}


CASES = [
    Case(
        "schools:students",
        # ``teacher_parent`` teaches no class yet: no roster (the other school's child is
        # no reason to list anyone).
        expect(
            200,
            anonymous=302,
            student=404,
            parent=404,
            official=404,
            parent_two_schools=404,
            teacher_parent=404,
        ),
    ),
    Case("schools:events", ADMIN_ONLY),
    Case("schools:event_add", ADMIN_ONLY),
    Case("schools:event_edit", ADMIN_ONLY, kwargs=_event),
    Case("schools:event_edit", NOBODY, kwargs=_other_event, label="another school"),
    # GET asks «Удалить событие …?»; only the POST from that page deletes.
    Case("schools:event_delete", ADMIN_ONLY, kwargs=_event),
    Case("schools:event_delete", NOBODY, kwargs=_other_event, label="another school"),
]
