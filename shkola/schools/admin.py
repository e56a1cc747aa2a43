from typing import Any

from django.contrib import admin

from . import models, services


@admin.register(models.Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent"]
    search_fields = ["name"]


@admin.register(models.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["short_name", "territory", "address", "phones"]
    search_fields = ["short_name", "full_name"]
    list_filter = ["territory"]


class PeriodInline(admin.TabularInline):
    model = models.AttestationPeriod
    extra = 0
    exclude = ["closed_by"]


class HolidayInline(admin.TabularInline):
    model = models.Holiday
    extra = 0


@admin.register(models.AcademicYear)
class AcademicYearAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "start", "end", "is_current"]
    list_filter = ["organisation"]
    inlines = [PeriodInline, HolidayInline]


@admin.register(models.Parallel)
class ParallelAdmin(admin.ModelAdmin):
    list_display = ["grade", "organisation", "academic_year", "period_scheme"]
    list_filter = ["organisation"]


class CurriculumInline(admin.TabularInline):
    model = models.CurriculumItem
    extra = 0


@admin.register(models.ClassUnit)
class ClassUnitAdmin(admin.ModelAdmin):
    list_display = ["__str__", "parallel", "class_type", "class_teacher"]
    list_filter = ["parallel__organisation", "parallel__grade"]
    inlines = [CurriculumInline]
    raw_id_fields = ["class_teacher"]


@admin.register(models.Subject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "organisation", "is_extra"]
    list_filter = ["organisation", "is_extra"]
    search_fields = ["name"]


@admin.register(models.ControlForm)
class ControlFormAdmin(admin.ModelAdmin):
    list_display = ["name", "weight", "is_test", "organisation"]
    list_filter = ["organisation"]


class EnrolmentInline(admin.TabularInline):
    model = models.Enrolment
    extra = 0
    raw_id_fields = ["class_unit"]


class GuardianshipInline(admin.TabularInline):
    model = models.Guardianship
    extra = 0
    raw_id_fields = ["guardian"]


@admin.register(models.Student)
class StudentAdmin(admin.ModelAdmin):
    list_display = [
        "last_name",
        "first_name",
        "middle_name",
        "birth_date",
        "current_class",
        "organisation",
    ]
    search_fields = ["last_name", "first_name", "snils"]
    list_filter = ["organisation"]
    raw_id_fields = ["user", "current_class"]
    readonly_fields = ["current_class"]
    inlines = [EnrolmentInline, GuardianshipInline]

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        """History lines edited here decide the current class, as through enrolment_record."""
        super().save_related(request, form, formsets, change)
        services.student_current_class_refresh(student=form.instance)


@admin.register(models.Guardian)
class GuardianAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "middle_name", "phone", "email"]
    search_fields = ["last_name", "first_name", "email"]
    raw_id_fields = ["user"]


@admin.register(models.StudyGroup)
class StudyGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "class_unit", "subject", "organisation"]
    list_filter = ["organisation", "kind"]
    filter_horizontal = ["students"]


@admin.register(models.SchoolEvent)
class SchoolEventAdmin(admin.ModelAdmin):
    list_display = ["title", "date", "place", "organisation"]
    list_filter = ["organisation"]
    filter_horizontal = ["class_units", "students"]
