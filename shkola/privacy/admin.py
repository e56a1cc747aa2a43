from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import Consent, ConsentText, Destruction


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A superuser may publish a text here too; a published version is never edited (consents
    point at it), so existing rows are read-only."""

    list_display = ("kind", "territory", "version", "title", "published_at")
    list_filter = ("kind", "territory")

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        if obj is not None:
            return ("kind", "territory", "version", "title", "text", "published_at", "published_by")
        return ("published_by",)

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        if change:
            return
        from . import services

        published = services.consent_text_publish(
            actor=request.user,
            kind=obj.kind,
            title=obj.title,
            text=obj.text,
            territory=obj.territory,
        )
        obj.pk, obj.version, obj.published_at = (
            published.pk,
            published.version,
            published.published_at,
        )

    def get_fields(self, request: Any, obj: Any = None) -> Any:
        if obj is None:
            return ("kind", "territory", "title", "text")
        return super().get_fields(request, obj)


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "student", "kind", "text", "given_at", "withdrawn_at")
    list_filter = ("kind",)
    raw_id_fields = ("user", "student", "text")

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: Any) -> bool:
        return False


@admin.register(Destruction)
class DestructionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("pseudonym", "organisation", "status", "requested_at", "due_at", "done_at")
    list_filter = ("status",)
    exclude = ("act_pdf",)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: Any) -> bool:
        return False
