"""Forms parse the request; the services and rules decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shkola.core.fields import MultipleFileField, column_field

from .models import Message
from .services import BODY_MAX


class ComposeForm(forms.Form):
    to = forms.MultipleChoiceField(
        label=_("Кому"),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": "8"}),
    )
    subject = column_field(
        Message,
        "subject",
        label=_("Тема"),
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    body = column_field(
        Message,
        "body",
        label=_("Текст"),
        max_length=BODY_MAX,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": "10"}),
    )
    attachments = MultipleFileField(label=_("Вложения"), required=False)

    def __init__(self, *args: Any, groups: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups = groups or []
        self._groups = groups
        to = self.fields["to"]
        assert isinstance(to, forms.MultipleChoiceField)
        to.choices = [(g.label, g.options) for g in groups]
        self.fields["attachments"].widget.attrs["class"] = "form-control"

    def labels(self) -> dict[str, str]:
        result: dict[str, str] = {}
        for group in self._groups:
            for code, label in group.options:
                result[str(code)] = str(label)
        return result


class ReplyForm(forms.Form):
    body = column_field(
        Message,
        "body",
        label=_("Ответ"),
        max_length=BODY_MAX,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": "5"}),
    )
    attachments = MultipleFileField(label=_("Вложения"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].widget.attrs["class"] = "form-control"
