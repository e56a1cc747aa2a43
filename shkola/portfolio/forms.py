"""Forms parse the request; the services validate the meaning."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shkola.accounts.models import Sex
from shkola.core.fields import (
    DateInput,
    IdModelChoiceField,
    MultipleFileField,
    column_field,
)
from shkola.schools.models import Student, Subject

from .models import (
    CATEGORY_FIELDS,
    PRESENCE_CATEGORIES,
    ROUND_CATEGORIES,
    Achievement,
    Club,
    ClubDirection,
    ClubKind,
    DiagnosticKind,
    Level,
    Place,
    Stage,
    TestingResult,
    field_label,
)


class BootstrapMixin:
    def _style(self) -> None:
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.RadioSelect):
                widget.attrs.setdefault("class", "btn-check")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class CardForm(BootstrapMixin, forms.Form):
    # Text limits come from the columns (core.fields.column_field), so they cannot drift.
    last_name = column_field(Student, "last_name", label=_("Фамилия"))
    first_name = column_field(Student, "first_name", label=_("Имя"))
    middle_name = column_field(Student, "middle_name", label=_("Отчество"), required=False)
    birth_date = forms.DateField(label=_("Дата рождения"), widget=DateInput())
    email = column_field(Student, "email", label=_("E-mail"), required=False)
    sex = forms.ChoiceField(label=_("Пол"), choices=Sex.choices, widget=forms.RadioSelect)
    special_needs = forms.BooleanField(label=_("ОВЗ"), required=False)
    photo = forms.FileField(label=_("Фото"), required=False)

    def __init__(
        self,
        *args: Any,
        may_edit_identity: bool = True,
        may_edit_special_needs: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._style()
        self.fields["photo"].widget.attrs["accept"] = "image/*"
        identity = ["last_name", "first_name", "middle_name", "birth_date"]
        school_only = [] if may_edit_identity else identity
        if not may_edit_special_needs:
            school_only.append("special_needs")
        for name in school_only:
            self.fields[name].disabled = True
            self.fields[name].help_text = _("Изменяет школа.")


class ClubForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Тип"), choices=[("", "—"), *ClubKind.choices])
    direction = forms.ChoiceField(
        label=_("Направленность"), choices=[("", "—"), *ClubDirection.choices]
    )
    year = column_field(Club, "year", label=_("Год"), help_text=_("Например, 2026/2027"))
    name = column_field(Club, "name", label=_("Наименование"))
    organisation_name = column_field(Club, "organisation_name", label=_("Организация"))
    teacher_name = column_field(Club, "teacher_name", label=_("Педагог"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class AchievementForm(BootstrapMixin, forms.Form):
    """Exactly the fields seed 000 lists for the section, then rounds or points, then media."""

    def __init__(self, *args: Any, category: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.category = category
        for name in CATEGORY_FIELDS[category]:
            label: Any = field_label(category, name)
            if name == "level":
                self.fields[name] = forms.ChoiceField(
                    label=label, choices=[("", "—"), *Level.choices], required=False
                )
            elif name == "comment":
                self.fields[name] = column_field(
                    Achievement,
                    name,
                    label=label,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
            else:
                # Each field is limited by its own column (work_type is 200, name 300).
                self.fields[name] = column_field(
                    Achievement,
                    name,
                    label=label,
                    required=name in ("name", "year") or (name == "sport_kind"),
                )
        if category in ROUND_CATEGORIES:
            for stage, stage_label in Stage.choices:
                self.fields[f"round_{stage}"] = forms.ChoiceField(
                    label=stage_label, choices=[("", "—"), *Place.choices], required=False
                )
        if category in PRESENCE_CATEGORIES:
            self.fields["present"] = forms.BooleanField(
                label=_("Наличие работы"), required=False, initial=True
            )
            self.fields["defended"] = forms.BooleanField(label=_("Защита"), required=False)
        self.fields["cover"] = forms.FileField(label=_("Обложка"), required=False)
        self.fields["photos"] = MultipleFileField(label=_("Фото"), required=False)
        self.fields["files"] = MultipleFileField(label=_("Файлы"), required=False)
        self._style()
        self.fields["cover"].widget.attrs["accept"] = "image/*"
        self.fields["photos"].widget.attrs["accept"] = "image/*"

    @property
    def text_fields(self) -> list[Any]:
        return [self[n] for n in CATEGORY_FIELDS[self.category]]

    @property
    def round_fields(self) -> list[Any]:
        return [self[f"round_{s}"] for s in Stage.values if f"round_{s}" in self.fields]

    @property
    def points_fields(self) -> list[Any]:
        return [self[n] for n in ("present", "defended") if n in self.fields]

    def rounds(self) -> dict[str, str] | None:
        if self.category not in ROUND_CATEGORIES:
            return None
        return {s: self.cleaned_data.get(f"round_{s}", "") for s in Stage.values}

    def uploads(self) -> list[tuple[str, Any]]:
        found: list[tuple[str, Any]] = []
        if self.cleaned_data.get("cover"):
            found.append(("cover", self.cleaned_data["cover"]))
        found += [("photo", f) for f in self.cleaned_data.get("photos") or []]
        found += [("file", f) for f in self.cleaned_data.get("files") or []]
        return found


class RejectForm(forms.Form):
    reason = column_field(
        Achievement,
        "reject_reason",
        label=_("Причина"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class DiagnosticForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Вид"), choices=DiagnosticKind.choices)
    subject = IdModelChoiceField(label=_("Предмет"), queryset=Subject.objects.none())
    date = forms.DateField(label=_("Дата"), widget=DateInput())
    score = forms.DecimalField(label=_("Балл"), min_value=0, max_digits=6, decimal_places=1)
    max_score = forms.DecimalField(
        label=_("Максимальный балл"), min_value=0, max_digits=6, decimal_places=1
    )
    mark = forms.ChoiceField(
        label=_("Отметка"),
        choices=[("", "—"), ("5", "5"), ("4", "4"), ("3", "3"), ("2", "2")],
        required=False,
    )
    tasks = forms.CharField(
        label=_("Задания"),
        required=False,
        help_text=_(
            "По заданиям через «|»: КЭС:КТ:балл:максимум, например 1.1:2.3:1:1 | 1.2:2.4:0:2"
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = Subject.objects.filter(organisation_id=organisation_id)  # type: ignore[attr-defined]
        self._style()


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Файл CSV"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,text/csv"}),
    )


class TestingForm(BootstrapMixin, forms.Form):
    topic = column_field(TestingResult, "topic", label=_("Тема"))
    date = forms.DateField(label=_("Дата прохождения"), widget=DateInput())
    subject = IdModelChoiceField(label=_("Предмет"), queryset=Subject.objects.none())
    score = forms.DecimalField(
        label=_("Полученный балл"), min_value=0, max_digits=6, decimal_places=1
    )
    max_score = forms.DecimalField(
        label=_("Максимальный балл"), min_value=0, max_digits=6, decimal_places=1
    )
    duration_minutes = forms.IntegerField(
        label=_("Время прохождения, мин"), min_value=1, max_value=600
    )
    kes_codes = column_field(
        TestingResult, "kes_codes", label=_("КЭС"), required=False, help_text=_("Через запятую")
    )
    kt_codes = column_field(
        TestingResult, "kt_codes", label=_("КТ"), required=False, help_text=_("Через запятую")
    )

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = Subject.objects.filter(organisation_id=organisation_id)  # type: ignore[attr-defined]
        self._style()
