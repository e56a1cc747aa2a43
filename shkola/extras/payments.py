"""The adapter a payment provider plugs into (G3 «Оплата»). Shkola takes no payments itself.

Payment is out of scope of issue 13: there is no provider in the product and no page shows a
payment button or a «paid» status. A school (or a region) that contracts a payment service
writes a class that satisfies ``PaymentProvider`` and names it in the setting
``SHKOLA_PAYMENT_PROVIDER`` ("package.module.ClassName"); docs/payments.md says where the
calls belong. Until then ``payment_provider()`` is None and the pages say how the school
takes payment: by the contract with the school."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _


class InvoiceState(StrEnum):
    ISSUED = "issued"
    PAID = "paid"
    CANCELLED = "cancelled"
    FAILED = "failed"


@dataclass(frozen=True)
class Invoice:
    """What a provider returns about one invoice. ``pay_url`` is the provider's own page."""

    external_id: str
    amount_rub: int
    state: InvoiceState
    pay_url: str = ""
    issued_at: dt.datetime | None = None


@runtime_checkable
class PaymentProvider(Protocol):
    """A payment service's adapter. Every method talks to the provider; none may pretend.

    - ``create_invoice``: bill a family for one accepted application (``application_id``,
      the amount in whole roubles, a line of text for the receipt); returns the invoice as
      the provider registered it.
    - ``invoice_status``: ask the provider about an invoice it issued.
    - ``handle_callback``: the provider's server-to-server notice (already a parsed body and
      its headers); verify its signature, return the invoice it is about, or raise
      ``ValueError`` for a notice that does not verify.
    """

    display_name: str

    def create_invoice(self, *, application_id: int, amount_rub: int, purpose: str) -> Invoice: ...

    def invoice_status(self, *, external_id: str) -> Invoice: ...

    def handle_callback(self, *, body: bytes, headers: dict[str, str]) -> Invoice: ...


def payment_provider() -> PaymentProvider | None:
    """The configured provider, or None (the default: no payments on the site)."""
    path = getattr(settings, "SHKOLA_PAYMENT_PROVIDER", None)
    if not path:
        return None
    try:
        provider: Any = import_string(path)()
    except ImportError as exc:
        raise ImproperlyConfigured(f"SHKOLA_PAYMENT_PROVIDER: cannot import {path!r}") from exc
    if not isinstance(provider, PaymentProvider):
        raise ImproperlyConfigured(
            f"SHKOLA_PAYMENT_PROVIDER: {path!r} does not implement PaymentProvider"
        )
    return provider


def payment_note(*, free: bool) -> str:
    """What the pages say about paying for a service."""
    if free:
        return _("Услуга бесплатная.")
    return _(
        "Оплата — по договору со школой: договор и реквизиты для оплаты выдаёт школа. "
        "На сайте оплата не принимается."
    )
