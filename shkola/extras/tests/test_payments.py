"""The payment adapter: nothing is configured by default, and a configured class must satisfy
the PaymentProvider protocol (or the site refuses to start using it)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from shkola.extras import payments
from shkola.extras.payments import Invoice, InvoiceState, PaymentProvider


class ContractOnly:
    """A stand-in shaped like a provider adapter: proves the protocol can be satisfied.
    Lives in the tests only; it is no part of the product and issues no payments."""

    display_name = "Тестовый адаптер"

    def create_invoice(self, *, application_id: int, amount_rub: int, purpose: str) -> Invoice:
        raise NotImplementedError

    def invoice_status(self, *, external_id: str) -> Invoice:
        raise NotImplementedError

    def handle_callback(self, *, body: bytes, headers: dict[str, str]) -> Invoice:
        raise NotImplementedError


class NotAProvider:
    display_name = "Нет методов"


def test_no_provider_is_configured_by_default(settings):
    assert settings.SHKOLA_PAYMENT_PROVIDER is None
    assert payments.payment_provider() is None
    assert "по договору со школой" in payments.payment_note(free=False)
    assert payments.payment_note(free=True) == "Услуга бесплатная."


def test_a_configured_class_is_loaded_and_satisfies_the_protocol(settings):
    settings.SHKOLA_PAYMENT_PROVIDER = f"{__name__}.ContractOnly"
    provider = payments.payment_provider()
    assert isinstance(provider, PaymentProvider) and isinstance(provider, ContractOnly)


@pytest.mark.parametrize("path", [f"{__name__}.NotAProvider", "no.such.Provider"])
def test_a_wrong_setting_fails_loudly(settings, path):
    settings.SHKOLA_PAYMENT_PROVIDER = path
    with pytest.raises(ImproperlyConfigured, match="SHKOLA_PAYMENT_PROVIDER"):
        payments.payment_provider()


def test_invoice_states_have_no_product_use_yet():
    # The states exist for an adapter to report; no model of Shkola stores them.
    assert {s.value for s in InvoiceState} == {"issued", "paid", "cancelled", "failed"}
    from shkola.extras.models import Application, Service

    fields = {f.name for m in (Application, Service) for f in m._meta.get_fields()}
    assert not {"paid", "paid_at", "invoice", "payment_status"} & fields
