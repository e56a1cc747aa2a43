"""The announcement form; the rules of what may be addressed live in the service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shkola.core.fields import DateInput, MultipleFileField, column_field

from .models import FAMILY_AUDIENCES, Announcement, Audience, Scope
from .services import BODY_MAX


class AnnouncementForm(forms.Form):
    title = column_field(
        Announcement,
        "title",
        label=_("Заголовок"),
        error_messages={
            "required": _("Заголовок: укажите заголовок объявления."),
            "max_length": _("Заголовок: не длиннее %(limit_value)d символов."),
        },
    )
    body = column_field(
        Announcement,
        "body",
        label=_("Текст"),  # a text column: the limit is the form's own
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Обычный текст; ссылки станут кликабельными."),
        error_messages={
            "required": _("Текст: напишите текст объявления."),
            "max_length": _("Текст: не длиннее %(limit_value)d символов."),
        },
    )
    audience = forms.ChoiceField(
        label=_("Кому"),
        choices=Audience.choices,
        error_messages={
            "required": _("Кому: выберите адресатов."),
            "invalid_choice": _("Кому: выберите адресатов из списка."),
        },
    )
    scope = forms.ChoiceField(
        label=_("Охват"),
        choices=Scope.choices,
        initial=Scope.SCHOOL,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": _("Охват: выберите всю школу, параллели или классы.")},
    )
    parallels = forms.TypedMultipleChoiceField(
        label=_("Параллели"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Параллели: выберите параллели своей школы.")},
    )
    class_units = forms.TypedMultipleChoiceField(
        label=_("Классы"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Классы: выберите классы из списка.")},
    )
    valid_from = forms.DateField(
        label=_("Показывать с"),
        widget=DateInput(),
        error_messages={
            "required": _("Показывать с: укажите дату."),
            "invalid": _("Показывать с: введите дату, например 01.09.2026."),
        },
    )
    valid_to = forms.DateField(
        label=_("Показывать по"),
        widget=DateInput(),
        error_messages={
            "required": _("Показывать по: укажите дату."),
            "invalid": _("Показывать по: введите дату, например 30.09.2026."),
        },
    )
    pinned = forms.BooleanField(label=_("Закрепить вверху списка"), required=False)
    attachments = MultipleFileField(label=_("Файлы"), required=False)
    remove_files = forms.TypedMultipleChoiceField(
        label=_("Удалить файлы"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Удалить файлы: такого файла нет.")},
    )

    def __init__(
        self,
        *args: Any,
        choices: dict[str, Any] | None = None,
        existing_files: Any = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = choices or {"is_admin": True, "parallels": [], "class_units": []}
        self.is_admin = bool(choices["is_admin"])
        self.has_files = bool(existing_files)
        self._choice_field("parallels").choices = [
            (p.id, _("%(grade)s-е классы") % {"grade": p.grade}) for p in choices["parallels"]
        ]
        self._choice_field("class_units").choices = [(c.id, c.name) for c in choices["class_units"]]
        self._choice_field("remove_files").choices = [(f.id, f.name) for f in existing_files]
        if not existing_files:
            del self.fields["remove_files"]
        if not self.is_admin:
            # A class teacher writes to the families of the classes they lead.
            self._choice_field("audience").choices = [
                (value, label) for value, label in Audience.choices if value in FAMILY_AUDIENCES
            ]
            del self.fields["scope"]
            del self.fields["parallels"]
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            else:
                widget.attrs["class"] = "form-control"

    def _choice_field(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "body": data["body"],
            "audience": data["audience"],
            "scope": data.get("scope") or Scope.SCHOOL,
            "parallel_ids": data.get("parallels") or [],
            "class_unit_ids": data.get("class_units") or [],
            "valid_from": data["valid_from"],
            "valid_to": data["valid_to"],
            "pinned": bool(data.get("pinned")),
            "files": data.get("attachments") or [],
        }
