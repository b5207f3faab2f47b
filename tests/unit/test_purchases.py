from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotmart_common.purchases import fingerprint, purchase_key, saved_outcome

pytestmark = pytest.mark.unit
WHEN = datetime(2025, 3, 1, 12, tzinfo=UTC)


def key(code: str | None = None, occurrence: int = 1, amount: str = "10.00") -> str:
    return purchase_key(code, email="a@example.com", purchased_at=WHEN, product="Curso",
                        amount=Decimal(amount), currency="BRL", occurrence=occurrence)


def test_the_transaction_code_is_the_key_when_there_is_one() -> None:
    assert key("HP123") == "txn:HP123" == key(" HP123 ", occurrence=0)


def test_without_a_code_content_and_repeat_count_make_the_key() -> None:
    assert key() == key()
    assert key(occurrence=1) != key(occurrence=2)
    assert key(amount="10.00") == key(amount="10")
    assert key(amount="10.00") != key(amount="10.01")


def test_a_status_amount_or_currency_change_is_a_change() -> None:
    before = fingerprint("Aprovado", Decimal("297.00"), "BRL")
    assert fingerprint("APROVADO", Decimal("297"), "BRL") == before
    assert fingerprint("Reembolsado", Decimal("297"), "BRL") != before
    assert fingerprint("Aprovado", Decimal("297.01"), "BRL") != before
    assert fingerprint("Aprovado", Decimal("297"), "USD") != before


def test_the_outcome_is_what_the_upsert_wrote_and_replaced() -> None:
    saved = {"txn:NEW": None, "txn:CHANGED": "aprovado|297|BRL"}
    assert saved_outcome(saved, "txn:NEW") == "new"
    assert saved_outcome(saved, "txn:CHANGED") == "changed"
    assert saved_outcome(saved, "txn:LEFT-OUT") == "unchanged"


@given(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False))
def test_equal_amounts_give_equal_fingerprints(amount: Decimal) -> None:
    assert fingerprint("x", amount, "BRL") == fingerprint("x", amount.quantize(Decimal("0.0001")),
                                                          "BRL")
