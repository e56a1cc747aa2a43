"""Who gets what from each «Услуги» URL (see shkola/core/testing/matrix.py).

Families: the demo parent (children in the demo school), the two-school parent (a child in
each school) and the teacher who is a parent (a child in the other school only). A service
is opened by a family with a child in its school; a draft only by the school's
administration, and on its own pages."""

from __future__ import annotations

from typing import Any

from shkola.core.testing.matrix import Case, expect

FAMILY = expect(404, anonymous=302, parent=200, parent_two_schools=200, teacher_parent=200)
DEMO_SCHOOL_FAMILY = expect(404, anonymous=302, parent=200, parent_two_schools=200)
OTHER_SCHOOL_FAMILY = expect(404, anonymous=302, parent_two_schools=200, teacher_parent=200)
SCHOOL_ADMIN = expect(404, anonymous=302, curator=200)
NOBODY = expect(404, anonymous=302)


def _service(organisation: Any, status: str = "published") -> Any:
    from shkola.extras.models import Service

    item = Service.objects.filter(organisation=organisation, status=status).order_by("id").first()
    if item is None:
        item = Service.objects.create(
            organisation=organisation,
            title=f"Кружок ({status})",
            schedule="среда, 15:00",
            capacity=10,
            status=status,
        )
    return item


def demo(w: Any) -> dict[str, Any]:
    return {"service_id": _service(w.school).id}


def draft(w: Any) -> dict[str, Any]:
    return {"service_id": _service(w.school, "draft").id}


def other(w: Any) -> dict[str, Any]:
    return {"service_id": _service(w.other_school).id}


CASES = [
    Case("extras:family", FAMILY),
    Case("extras:mine", expect(404, anonymous=302, student=200)),
    Case("extras:service", DEMO_SCHOOL_FAMILY, kwargs=demo),
    Case("extras:service", NOBODY, kwargs=draft, label="draft"),
    Case("extras:service", OTHER_SCHOOL_FAMILY, kwargs=other, label="other school"),
    Case("extras:school", SCHOOL_ADMIN),
    Case("extras:school_xlsx", SCHOOL_ADMIN),
    Case("extras:create", SCHOOL_ADMIN),
    Case("extras:manage", SCHOOL_ADMIN, kwargs=demo),
    Case("extras:manage", SCHOOL_ADMIN, kwargs=draft, label="draft"),
    Case("extras:manage", NOBODY, kwargs=other, label="other school"),
    Case("extras:edit", SCHOOL_ADMIN, kwargs=demo),
    Case("extras:edit", NOBODY, kwargs=other, label="other school"),
    Case("extras:manage_xlsx", SCHOOL_ADMIN, kwargs=demo),
    Case("extras:manage_xlsx", NOBODY, kwargs=other, label="other school"),
]
