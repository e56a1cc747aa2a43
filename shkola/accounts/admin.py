from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import AuditEvent, RoleAssignment, User


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["organisation", "territory"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleInline]

    def save_formset(self, request: Any, form: Any, formset: Any, change: bool) -> None:
        """Roles given or taken here go through the services, so the school's security log
        shows every role change, whoever made it."""
        if formset.model is not RoleAssignment:
            super().save_formset(request, form, formset, change)
            return
        instances = formset.save(commit=False)
        for assignment in formset.deleted_objects:
            services.role_revoke(assignment=assignment, actor=request.user)
        for assignment in instances:
            if assignment.pk:
                services.role_revoke(
                    assignment=RoleAssignment.objects.get(pk=assignment.pk), actor=request.user
                )
            services.role_grant(
                user=form.instance,
                role=assignment.role,
                organisation=assignment.organisation,
                territory=assignment.territory,
                specialist_kind=assignment.specialist_kind,
                actor=request.user,
            )

    list_display = [
        "username",
        "last_name",
        "first_name",
        "middle_name",
        "email",
        "is_active",
    ]
    search_fields = ["username", "last_name", "first_name", "email", "snils"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (
            _("Школа"),
            {
                "fields": (
                    "middle_name",
                    "birth_date",
                    "sex",
                    "phone",
                    "email_confirmed",
                    "snils",
                    "signature",
                    "must_change_password",
                    "is_demo",
                )
            },
        ),
    )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "username",
        "actor",
        "organisation",
        "ip_address",
    ]
    list_filter = ["kind"]
    search_fields = ["username"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
