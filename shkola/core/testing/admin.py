"""Django admin pages driven the way a browser would: the change form posted back as it is."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models.fields.files import FieldFile


def admin_form_data(page: Any) -> dict[str, Any]:
    """What the browser would send back from an admin change page left as it is."""
    data: dict[str, Any] = {}
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        forms += list(formset.forms)
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management.initial.get(name, "")
        data[management.add_prefix("TOTAL_FORMS")] = len(formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value is None or value is False or name == "password":
                continue
            if isinstance(value, FieldFile):  # a browser sends no file back unless chosen
                continue
            if isinstance(value, list | tuple):
                value = [getattr(v, "pk", v) for v in value]
            elif hasattr(value, "pk"):
                value = value.pk
            elif isinstance(value, dt.datetime):
                data[form.add_prefix(name) + "_0"] = value.strftime("%d.%m.%Y")
                data[form.add_prefix(name) + "_1"] = value.strftime("%H:%M:%S")
                continue
            elif isinstance(value, dt.date):
                value = value.strftime("%d.%m.%Y")
            data[form.add_prefix(name)] = value
    return data


def add_inline_row(data: dict[str, Any], prefix: str, **fields: Any) -> None:
    """Fill the next empty row of an inline formset, as «Добавить ещё» does."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = index + 1
    for name, value in fields.items():
        data[f"{prefix}-{index}-{name}"] = value
