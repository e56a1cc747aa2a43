"""The database behind the replica tests (shkola/core/tests/test_replicas.py), built in a
process of its own against the throwaway primary:

    DATABASE_URL=postgres://…/shkola SHKOLA_TESTING=1 python -m shkola.core.testing.replica_world

Tables come from the models, as pytest-django's ``--nomigrations`` makes them: the project's
migrations take about 40 s on a loaded CI machine and the replica tests are not about
migrations (the suite migrates its own database). The one data migration (the default consent
texts) is run after. Then the tiny demo region without portfolios, and one line of JSON on
stdout: the ids the tests need."""

from __future__ import annotations

import datetime as dt
import json
import os


def build() -> dict[str, object]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)
    from importlib import import_module

    import_module("shkola.privacy.migrations.0001_initial").seed_texts(
        apps, connection.schema_editor()
    )

    from shkola.demo.services import demo_region_build
    from shkola.demo.testing import load_demo_world
    from shkola.journal.models import Attendance, Mark
    from shkola.timetable.models import Lesson

    demo_region_build(size="tiny", portfolio=False)
    world = load_demo_world()
    student = world.student
    today = dt.date.fromisoformat(os.environ["SHKOLA_TODAY"])
    monday = today - dt.timedelta(days=today.weekday())
    # The teacher's lessons of the student's class this week with an empty cell of hers: each
    # scenario of the tests writes one new mark, so it is seen appearing.
    lessons = [
        {"id": lesson.id, "subject": lesson.subject_id, "date": lesson.date.isoformat()}
        for lesson in Lesson.objects.filter(
            class_unit=world.class_unit,
            teacher=world.users["teacher"],
            date__range=(monday, today),
        ).order_by("date", "lesson_number")
        if not Mark.objects.filter(lesson=lesson, student=student).exists()
        and not Attendance.objects.filter(lesson=lesson, student=student).exists()
    ]
    return {
        "student": student.id,
        "class_unit": world.class_unit.id,
        "subject": world.subject.id,
        "period": world.period.id,
        "monday": monday.isoformat(),
        "lessons": lessons,
    }


if __name__ == "__main__":
    print(json.dumps(build()))
