"""Forms only parse what was typed; the services validate (checksums, territory, duplicates)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shkola.accounts.models import User
from shkola.core.fields import column_field
from shkola.schools.models import Organisation, OrganisationKind


class RegistryForm(forms.Form):
    required_names: tuple[str, ...] = ()

    def flag_errors(self) -> None:
        """Bootstrap's red border and the error read out with the field."""
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"id_{name}_error"


class OrganisationForm(RegistryForm):
    required_names = ("full_name", "short_name", "inn", "ogrn", "address", "director_name")
    territory = forms.TypedChoiceField(label=_("Муниципалитет"), coerce=int, required=False)
    kind = forms.ChoiceField(label=_("Тип организации"), choices=OrganisationKind.choices)
    full_name = column_field(
        Organisation, "full_name", label=_("Полное наименование"), required=False
    )
    short_name = column_field(
        Organisation, "short_name", label=_("Краткое наименование"), required=False
    )
    inn = forms.CharField(
        label=_("ИНН"),
        max_length=20,
        required=False,
        help_text=_("10 цифр, ИНН юридического лица"),
    )
    ogrn = forms.CharField(label=_("ОГРН"), max_length=20, required=False, help_text=_("13 цифр"))
    address = column_field(Organisation, "address", label=_("Адрес"), required=False)
    director_name = column_field(
        Organisation, "director_name", label=_("Директор (ФИО)"), required=False
    )

    def __init__(self, *args: Any, municipalities: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.municipalities = {t.id: t for t in municipalities}
        territory = self.fields["territory"]
        territory.choices = [(t.id, t.name) for t in municipalities]  # type: ignore[attr-defined]
        territory.error_messages["invalid_choice"] = _("Выберите муниципалитет из списка.")
        self.fields["kind"].error_messages["invalid_choice"] = _(
            "Выберите тип организации из списка."
        )
        for name in ("inn", "ogrn"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        for name, field in self.fields.items():
            if name != "territory":
                field.widget.attrs.setdefault("class", "form-control")
        self.fields["kind"].widget.attrs["class"] = "form-select"
        territory.widget.attrs["class"] = "form-select"
        for name in self.required_names:
            self.fields[name].widget.attrs["aria-required"] = "true"

    def territory_object(self) -> Any:
        return self.municipalities.get(self.cleaned_data.get("territory") or 0)


class CuratorForm(RegistryForm):
    required_names = ("last_name", "first_name")

    last_name = column_field(User, "last_name", label=_("Фамилия"), required=False)
    first_name = column_field(User, "first_name", label=_("Имя"), required=False)
    middle_name = column_field(User, "middle_name", label=_("Отчество"), required=False)
    email = column_field(
        User, "email", label=_("E-mail (необязательно)"), required=False, form_class=forms.CharField
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"
        self.fields["email"].widget.attrs.update({"inputmode": "email", "autocomplete": "off"})
        for name in self.required_names:
            self.fields[name].widget.attrs["aria-required"] = "true"
