from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, RoleAssignment, User


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["organisation", "territory"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleInline]
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
