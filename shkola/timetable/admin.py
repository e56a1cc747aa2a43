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
        fields = [
            "academic_year",
            "class_unit",
            "group",
            "weekday",
            "lesson_number",
            "subject",
            "teacher",
            "room",
        ]

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        if self.errors or not cleaned.get("academic_year") or not cleaned.get("teacher"):
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

    # A change made here reaches the dated lessons from today, as through the services.
    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        services.lessons_resync(academic_year=obj.academic_year, entries=[obj], start=None)

    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        services.timetable_entry_delete(entry=obj)

    def delete_queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        for entry in queryset:
            services.timetable_entry_delete(entry=entry)


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
