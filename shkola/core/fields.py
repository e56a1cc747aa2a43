"""Form fields that cannot accept what the database cannot store (issue 9).

- `column_field` builds a text field from the model column it is saved to, so the form's
  limit is the column's and cannot drift (a 300-character form field over a 200-character
  column was a 500 on PostgreSQL that lost the uploaded files of the request). The field
  remembers its column (`saved_to`); shkola/core/tests/test_form_limits.py checks every form.
- `IdModelChoiceField`: an id too large for the database is
  «Выберите корректный вариант», not an OverflowError from SQLite.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from .params import parse_id


def column_field(
    model: type[models.Model],
    name: str,
    *,
    form_class: type[forms.CharField] | None = None,
    **kwargs: Any,
) -> forms.CharField:
    """A CharField (an EmailField for an e-mail column) limited to the column's max_length."""
    column = model._meta.get_field(name)
    if form_class is None:
        form_class = forms.EmailField if isinstance(column, models.EmailField) else forms.CharField
    kwargs.setdefault("max_length", getattr(column, "max_length", None))
    field = form_class(**kwargs)
    field.saved_to = column  # type: ignore[attr-defined]
    return field


class IdModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value: Any) -> Any:
        if self.to_field_name is None and value not in self.empty_values:
            if not isinstance(value, models.Model) and parse_id(value) is None:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class DateInput(forms.DateInput):
    """``<input type="date">``: the browser's own date picker, which needs ISO dates."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (attachments of a message, an announcement, an
    achievement); cleans to a list, empty when none was chosen."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []
