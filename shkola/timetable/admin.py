from django import forms
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


class TimetableEntryForm(forms.ModelForm):
    class Meta:
        model = models.TimetableEntry
        fields = "__all__"

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        if (
            self.errors
            or not cleaned.get("academic_year")
            or not cleaned.get("teacher")
        ):
            return cleaned
        # The clash rules live in the service; the admin must not bypass them.
        errors = services.timetable_clashes(
            academic_year=cleaned["academic_year"],
            weekday=cleaned["weekday"],
            lesson_number=cleaned["lesson_number"],
            teacher=cleaned["teacher"],
            room=cleaned.get("room"),
            class_unit=cleaned.get("class_unit"),
            group=cleaned.get("group"),
            exclude_id=self.instance.pk,
        )
        if errors:
            raise ValidationError(errors)
        return cleaned


@admin.register(models.TimetableEntry)
class TimetableEntryAdmin(admin.ModelAdmin):
    form = TimetableEntryForm
    list_display = [
        "weekday",
        "lesson_number",
        "class_unit",
        "group",
        "subject",
        "teacher",
        "room",
    ]
    list_filter = ["academic_year__organisation", "weekday"]
    raw_id_fields = ["teacher", "class_unit", "group", "subject", "room"]


@admin.register(models.Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = [
        "date",
        "lesson_number",
        "class_unit",
        "group",
        "subject",
        "teacher",
        "topic",
    ]
    list_filter = ["academic_year__organisation"]
    date_hierarchy = "date"
    raw_id_fields = [
        "teacher",
        "class_unit",
        "group",
        "subject",
        "room",
        "timetable_entry",
        "period",
    ]
