"""Every text field of every form is limited by the column it is saved to (issue 9).

A 300-character form field over a 200-character column was a 500 on PostgreSQL (SQLite does
not enforce varchar length, so only this check and the form tests catch it on both). Fields
built with core.fields.column_field carry their column; any other text field must be listed
in NOT_SAVED_AS_TYPED with the reason, so a new field cannot ship without a decision."""

from __future__ import annotations

import inspect
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.conf import settings

# form.field → why it is not a column (looked up, normalised or parsed by the service).
NOT_SAVED_AS_TYPED = {
    "LoginForm.username": "looked up, not saved",
    "LoginForm.password": "checked, never stored as typed",
    "CodeForm.code": "an invitation code, looked up",
    "ChildAddForm.code": "an invitation code, looked up",
    "RegistrationForm.password": "hashed",
    "RegistrationForm.password2": "compared, not stored",
    "RegistrationForm.phone": "normalised by the service to +7XXXXXXXXXX before saving",
    "RegistrationForm.child_codes": "invitation codes, looked up",
    "ProfileForm.phone": "normalised by the service to +7XXXXXXXXXX before saving",
    "MergeForm.keep": "a login, looked up",
    "MergeForm.remove": "a login, looked up",
    "AuditFilterForm.q": "a search query",
    "DiagnosticForm.tasks": "parsed by the service into per-task results",
    "OrganisationForm.inn": "spaces dropped by the service, then checked (10 digits, checksum)",
    "OrganisationForm.ogrn": "spaces dropped by the service, then checked (13 digits, checksum)",
    "QuestionForm.options": "lines parsed by testing.services into the question's data",
    "QuestionForm.correct": "numbers of the right options, parsed",
    "QuestionForm.accepted": "lines parsed by testing.services into the question's data",
    "QuestionForm.value": "a number, parsed",
    "QuestionForm.tolerance": "a number, parsed",
    "QuestionForm.left": "lines parsed by testing.services into the question's data",
    "QuestionForm.right": "lines parsed by testing.services into the question's data",
    "QuestionForm.items": "lines parsed by testing.services into the question's data",
}


def form_classes() -> list[type[forms.BaseForm]]:
    found = []
    for app in settings.INSTALLED_APPS:
        if (
            not app.startswith("shkola.")
            or not (Path(import_module(app).__path__[0]) / "forms.py").exists()
        ):
            continue
        module = import_module(f"{app}.forms")
        for _name, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, forms.BaseForm) and obj.__module__ == module.__name__:
                found.append(obj)
    return found


def instances(form_class: type[forms.BaseForm]) -> list[forms.BaseForm]:
    """The form as views build it; a form whose fields depend on an argument, for each."""
    from shkola.portfolio.models import Category

    name = form_class.__name__
    if name == "AchievementForm":
        return [form_class(category=c) for c in Category.values]  # type: ignore[call-arg]
    if name in ("DiagnosticForm", "TestingForm"):
        return [form_class(organisation_id=0)]  # type: ignore[call-arg]
    if name == "LoginForm":
        return [form_class(None)]  # type: ignore[call-arg]
    if name == "OrganisationForm":
        return [form_class(municipalities=[])]  # type: ignore[call-arg]
    if name == "ConsentTextForm":
        return [form_class(regions=[], allow_default=True)]  # type: ignore[call-arg]
    return [form_class()]


def test_the_walker_finds_the_forms() -> None:
    names = {f.__name__ for f in form_classes()}
    assert {"CardForm", "AchievementForm", "RegistrationForm", "ProfileForm"} <= names


@pytest.mark.django_db
def test_every_exception_names_a_real_field() -> None:
    real = {
        f"{type(form).__name__}.{name}"
        for form_class in form_classes()
        for form in instances(form_class)
        for name in form.fields
    }
    assert set(NOT_SAVED_AS_TYPED) - real == set()


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", form_classes(), ids=lambda f: f.__name__)
def test_every_text_field_is_limited_by_its_column(form_class: Any) -> None:
    problems = []
    for form in instances(form_class):
        for field_name, field in form.fields.items():
            if not isinstance(field, forms.CharField):
                continue
            key = f"{form_class.__name__}.{field_name}"
            column = getattr(field, "saved_to", None)
            if column is None:
                if key not in NOT_SAVED_AS_TYPED:
                    problems.append(f"{key}: not built with core.fields.column_field")
                continue
            if column.max_length is None:
                continue  # a text column: any form limit fits
            if field.max_length != column.max_length:
                problems.append(
                    f"{key}: form allows {field.max_length}, column "
                    f"{column.model.__name__}.{column.name} holds {column.max_length}"
                )
            if not any(
                getattr(v, "limit_value", None) == column.max_length for v in field.validators
            ):
                problems.append(f"{key}: no MaxLengthValidator")
    assert not problems, problems
