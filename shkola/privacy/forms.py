from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shkola.core.fields import column_field

from .models import ConsentKind, ConsentText


class ConsentTextForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Вид согласия"),
        choices=ConsentKind.choices,
        error_messages={
            "required": _("Вид согласия: выберите из списка."),
            "invalid_choice": _("Вид согласия: выберите из списка."),
        },
    )
    title = column_field(
        ConsentText,
        "title",
        label=_("Заголовок"),
        required=False,
        error_messages={"max_length": _("Заголовок: не длиннее 300 знаков.")},
    )
    text = column_field(
        ConsentText,
        "text",
        label=_("Текст согласия"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 14}),
        error_messages={"max_length": _("Текст: не длиннее 20 000 знаков.")},
    )
    territory = forms.TypedChoiceField(
        label=_("Регион"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, regions: list[Any], allow_default: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, Any]] = [(r.pk, r.name) for r in regions]
        if allow_default:
            choices.insert(0, ("", _("Для всех регионов (по умолчанию)")))
        field = self.fields["territory"]
        field.choices = choices  # type: ignore[attr-defined]
        field.error_messages["invalid_choice"] = _("Регион: выберите из списка.")
        for bound in self.fields.values():
            is_select = isinstance(bound.widget, forms.Select)
            bound.widget.attrs["class"] = "form-select" if is_select else "form-control"
