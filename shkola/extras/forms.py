from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shkola.accounts.models import User
from shkola.core.fields import DateInput, IdModelChoiceField, column_field
from shkola.schools.models import ClassUnit

from .models import Application, PriceUnit, Service, ServiceStatus
from .services import MAX_CAPACITY, MAX_PRICE


def _number(label: Any, *, low: int, high: int, required: bool = True) -> forms.IntegerField:
    """A whole number whose every refusal names the field (in Russian)."""
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=low,
        max_value=high,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
        error_messages={
            "required": _("%(field)s: заполните.") % {"field": label},
            "invalid": _("%(field)s: введите целое число.") % {"field": label},
            "min_value": _("%(field)s: не меньше %(n)s.") % {"field": label, "n": low},
            "max_value": _("%(field)s: не больше %(n)s.") % {"field": label, "n": high},
        },
    )


def _date(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=DateInput(attrs={"class": "form-control"}),
        error_messages={"invalid": _("%(field)s: введите дату ДД.ММ.ГГГГ.") % {"field": label}},
    )


class ServiceForm(forms.Form):
    title = column_field(
        Service, "title", label=_("Название"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
        error_messages={"required": _("Название: заполните."), "max_length": _("Название: не больше %(limit_value)d знаков.")},
    )  # fmt: skip
    description = column_field(
        Service, "description", label=_("Описание"), required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 4}),
        error_messages={"max_length": _("Описание: не больше %(limit_value)d знаков.")},
    )  # fmt: skip
    teacher = IdModelChoiceField(
        label=_("Педагог"), required=False, queryset=User.objects.none(), empty_label="—",
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("Педагог: выберите сотрудника школы из списка.")},
    )  # fmt: skip
    schedule = column_field(
        Service, "schedule", label=_("Расписание"),
        help_text=_("Например: «вторник и четверг, 15:00–16:30, каб. 214»."),
        widget=forms.TextInput(attrs={"class": "form-control"}),
        error_messages={"required": _("Расписание: напишите, когда проходят занятия."), "max_length": _("Расписание: не больше %(limit_value)d знаков.")},
    )  # fmt: skip
    starts_on = _date(_("Занятия с"))
    ends_on = _date(_("Занятия по"))
    grade_from = _number(_("С класса"), low=1, high=11, required=False)
    grade_to = _number(_("По класс"), low=1, high=11, required=False)
    class_units = forms.TypedMultipleChoiceField(
        label=_("Только для классов"), required=False, coerce=int,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Пусто — по классам «с» и «по», а если и они пусты — для всех."),
        error_messages={"invalid_choice": _("Классы: выберите классы из списка.")},
    )  # fmt: skip
    capacity = _number(_("Мест"), low=1, high=MAX_CAPACITY)
    price = _number(_("Цена, ₽"), low=0, high=MAX_PRICE)
    price_unit = forms.ChoiceField(
        label=_("Цена за"), choices=PriceUnit.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("Цена за: выберите из списка.")},
    )  # fmt: skip
    status = forms.ChoiceField(
        label=_("Состояние"), choices=ServiceStatus.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("Состояние: выберите из списка.")},
    )  # fmt: skip

    def __init__(
        self,
        *args: Any,
        teachers: Any = None,
        classes: list[ClassUnit] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if teachers is not None:
            self.fields["teacher"].queryset = teachers  # type: ignore[attr-defined]
            self.fields["teacher"].label_from_instance = lambda u: u.full_name  # type: ignore[attr-defined]
        self.classes = {c.id: c for c in classes or []}
        self.fields["class_units"].choices = [(c.id, c.name) for c in classes or []]  # type: ignore[attr-defined]
        self.fields["price"].help_text = _("0 — бесплатно.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["class_objects"] = [self.classes[i] for i in data.get("class_units") or []]
        return data


class ApplyForm(forms.Form):
    student = forms.TypedChoiceField(
        label=_("Ребёнок"), coerce=int,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={
            "required": _("Ребёнок: выберите, кого записать."),
            "invalid_choice": _("Ребёнок: выберите из списка."),
        },
    )  # fmt: skip
    comment = column_field(
        Application, "comment", label=_("Комментарий для школы"), required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
        error_messages={"max_length": _("Комментарий: не больше %(limit_value)d знаков.")},
    )  # fmt: skip

    def __init__(self, *args: Any, children: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["student"].choices = [  # type: ignore[attr-defined]
            (
                c.id,
                f"{c.last_name} {c.first_name}"
                + (f", {c.current_class.name}" if c.current_class else ""),
            )
            for c in children or []
        ]


class DecisionForm(forms.Form):
    reason = column_field(
        Application, "reason", label=_("Причина"), required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
        error_messages={"max_length": _("Причина: не больше %(limit_value)d знаков.")},
    )  # fmt: skip
