from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Delivery, NotificationKind

HOURS = [(h, f"{h:02d}:00") for h in range(24)]


class NotificationSettingsForm(forms.Form):
    """One choice per kind and the digest hour; the service validates again."""

    digest_hour = forms.TypedChoiceField(
        label=_("Час ежедневной сводки (по Москве)"),
        choices=HOURS,
        coerce=int,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("Выберите час от 00:00 до 23:00.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in NotificationKind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=Delivery.choices,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
                error_messages={"invalid_choice": _("Выберите один из вариантов.")},
            )

    def kind_fields(self) -> list[forms.BoundField]:
        return [self[kind.value] for kind in NotificationKind]
