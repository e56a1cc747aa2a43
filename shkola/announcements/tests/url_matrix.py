"""Who gets what from each announcements URL (see shkola/core/testing/matrix.py).

The demo school has two announcements (shkola/demo/services.py): a pinned one from the
curator for the whole school, and one from the class teacher for the families of 7А."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from shkola.core.testing.matrix import Case, expect

SIGNED_IN = expect(200, anonymous=302)
# Readers: anyone with a place in a school (the official has none, so an empty list).
AUTHORS = expect(
    404,
    anonymous=302,
    classteacher=200,
    curator=200,
)
# The whole-school announcement: every account of the demo school; the official and the
# other school's people are not in its audience.
WHOLE_SCHOOL = expect(200, anonymous=302, official=404)
# The class announcement: the families of 7А, its author and the school's administration.
CLASS_ONLY = expect(404, anonymous=302, student=200, parent=200, classteacher=200, curator=200)
# Another school's whole-school announcement: only the accounts with a child there (the
# parent in two schools, the teacher whose child studies there) are in its audience.
OTHER_SCHOOL = expect(404, anonymous=302, parent_two_schools=200, teacher_parent=200)


def _school_wide(w: Any) -> Any:
    from shkola.announcements.models import Announcement

    return Announcement.objects.get(organisation=w.school, scope="school", pinned=True)


def _class_one(w: Any) -> Any:
    from shkola.announcements.models import Announcement

    return Announcement.objects.get(organisation=w.school, class_units=w.class_unit)


def _file_of(announcement: Any) -> dict[str, Any]:
    from shkola.announcements.models import AnnouncementFile

    record = AnnouncementFile.objects.filter(announcement=announcement).first()
    if record is None or not record.file.storage.exists(record.file.name or ""):
        record = record or AnnouncementFile(
            announcement=announcement, name="plan.txt", size=2, content_type="text/plain"
        )
        record.file.save("plan.txt", ContentFile(b"ok"), save=False)
        record.save()
    return {"file_id": record.id}


def _other_school(w: Any) -> Any:
    from shkola.announcements.models import Announcement
    from shkola.announcements.services import announcement_publish

    found = Announcement.objects.filter(organisation=w.other_school).first()
    if found is not None:
        return found
    from shkola.accounts.models import Role, RoleAssignment
    from shkola.core import clock

    admin = (
        RoleAssignment.objects.filter(organisation=w.other_school, role=Role.CURATOR)
        .select_related("user")
        .first()
    )
    assert admin is not None
    return announcement_publish(
        author=admin.user,
        title="Другая школа",
        body="Для всех",
        audience="everyone",
        valid_from=clock.today(),
        valid_to=clock.today(),
    )


CASES = [
    Case("announcements:list", SIGNED_IN),
    Case("announcements:mine", AUTHORS),
    Case("announcements:create", AUTHORS),
    Case(
        "announcements:detail",
        WHOLE_SCHOOL,
        kwargs=lambda w: {"announcement_id": _school_wide(w).id},
        label="whole school",
    ),
    Case(
        "announcements:detail",
        CLASS_ONLY,
        kwargs=lambda w: {"announcement_id": _class_one(w).id},
        label="class",
    ),
    Case(
        "announcements:detail",
        OTHER_SCHOOL,
        kwargs=lambda w: {"announcement_id": _other_school(w).id},
        label="other school",
    ),
    Case(
        "announcements:edit",
        expect(404, anonymous=302, curator=200),
        kwargs=lambda w: {"announcement_id": _school_wide(w).id},
        label="curator's",
    ),
    Case(
        "announcements:edit",
        expect(404, anonymous=302, curator=200, classteacher=200),
        kwargs=lambda w: {"announcement_id": _class_one(w).id},
        label="class teacher's",
    ),
    Case(
        "announcements:delete",
        expect(404, anonymous=302, curator=200, classteacher=200),
        kwargs=lambda w: {"announcement_id": _class_one(w).id},
    ),
    Case(
        "announcements:file",
        CLASS_ONLY,
        kwargs=lambda w: _file_of(_class_one(w)),
        label="class",
    ),
    Case(
        "announcements:file",
        OTHER_SCHOOL,
        kwargs=lambda w: _file_of(_other_school(w)),
        label="other school",
    ),
]
