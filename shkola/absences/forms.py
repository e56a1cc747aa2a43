from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shkola.core.fields import DateInput, column_field

from .models import AbsenceNote, NoteReason


class NoteForm(forms.Form):
    """Days (``date_from``–``date_to``), or, when the page was opened for one day's lessons,
    that day's lessons as check boxes."""

    date_from = forms.DateField(
        label=_("С"), widget=DateInput(attrs={"class": "form-control"}),
        error_messages={"required": _("Укажите, с какого дня."), "invalid": _("Дата «с»: введите дату ДД.ММ.ГГГГ.")},
    )  # fmt: skip
    date_to = forms.DateField(
        label=_("По"), required=False, widget=DateInput(attrs={"class": "form-control"}),
        help_text=_("Пусто — один день."),
        error_messages={"invalid": _("Дата «по»: введите дату ДД.ММ.ГГГГ.")},
    )  # fmt: skip
    lessons = forms.TypedMultipleChoiceField(
        label=_("Уроки"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Уроки: выберите уроки из списка.")},
    )  # fmt: skip
    reason = forms.ChoiceField(
        label=_("Причина"), choices=[("", "—"), *NoteReason.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": _("Выберите причину."), "invalid_choice": _("Причина: выберите из списка.")},
    )  # fmt: skip
    comment = column_field(
        AbsenceNote, "comment", label=_("Пояснение"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )  # fmt: skip
    scan = forms.FileField(
        label=_("Справка (скан)"), required=False,
        help_text=_("PDF, JPEG или PNG, по желанию."),
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": ".pdf,.jpg,.jpeg,.png"}
        ),
    )  # fmt: skip

    def __init__(self, *args: Any, day_lessons: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.by_lessons = day_lessons is not None
        self.day_lessons = {lesson.id: lesson for lesson in day_lessons or []}
        field = self.fields["lessons"]
        field.choices = [  # type: ignore[attr-defined]
            (
                lesson.id,
                f"{lesson.lesson_number}. {lesson.subject.name}",
            )
            for lesson in day_lessons or []
        ]
        if self.by_lessons:
            field.required = True
            field.error_messages["required"] = _("Уроки: выберите хотя бы один урок.")
            del self.fields["date_to"]
            self.fields["date_from"].widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.by_lessons:
            data["date_to"] = data.get("date_from")
            data["lesson_objects"] = [self.day_lessons[i] for i in data.get("lessons") or []]
        else:
            data["lesson_objects"] = []
        return data


class DecideForm(forms.Form):
    reject_reason = column_field(
        AbsenceNote, "reject_reason", label=_("Причина отказа"), required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )  # fmt: skip
