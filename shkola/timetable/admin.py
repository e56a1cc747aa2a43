from django.contrib import admin
from django.core.exceptions import ValidationError

from . import models, services


@admin.register(models.Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["name"]


@admin.register(models.BellSlot)
class BellSlotAdmin(admin.ModelAdmin):
    list_display = ["number", "start", "end", "organisation"]
    list_filter = ["organisation"]


@admin.register(models.TimetableEntry)
class TimetableEntryAdmin(admin.ModelAdmin):
    list_display = ["weekday", "lesson_number", "class_unit", "group", "subject", "teacher", "room"]
    list_filter = ["academic_year__organisation", "weekday"]
    raw_id_fields = ["teacher", "class_unit", "group", "subject", "room"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        # The clash rules live in the service; the admin must not bypass them.
        errors = services.timetable_clashes(
            academic_year=obj.academic_year,
            weekday=obj.weekday,
            lesson_number=obj.lesson_number,
            teacher=obj.teacher,
            room=obj.room,
            class_unit=obj.class_unit,
            group=obj.group,
            exclude_id=obj.pk,
        )
        if errors:
            raise ValidationError(errors)
        super().save_model(request, obj, form, change)


@admin.register(models.Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["date", "lesson_number", "class_unit", "group", "subject", "teacher", "topic"]
    list_filter = ["academic_year__organisation"]
    date_hierarchy = "date"
    raw_id_fields = ["teacher", "class_unit", "group", "subject", "room", "timetable_entry", "period"]
