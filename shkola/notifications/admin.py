from django.contrib import admin

from .models import Outbox


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    """Letters that wait or failed: the error and the next try, for whoever runs the mail."""

    list_display = ("subject", "user", "letter_kind", "day", "status", "attempts", "next_try_at")
    list_filter = ("status", "letter_kind", "day")
    search_fields = ("subject", "user__username", "user__email")
    readonly_fields = [f.name for f in Outbox._meta.fields]
