"""What identifies a purchase and its state (hotmart_common.purchase_identity), and the
consumers' upsert outcome (hotmart_common.store.purchase_upserts)."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotmart_common.purchase_identity import fingerprint, purchase_key
from hotmart_common.store.purchase_upserts import saved_outcome

pytestmark = pytest.mark.unit
WHEN = datetime(2025, 3, 1, 12, tzinfo=UTC)


def key(code: str | None = None, occurrence: int = 1, amount: str | None = "10.00") -> str:
    return purchase_key(code, email="a@example.com", purchased_at=WHEN, product="Curso",
                        amount=None if amount is None else Decimal(amount), currency="BRL",
                        occurrence=occurrence)


def test_the_transaction_code_is_the_key_when_there_is_one() -> None:
    assert key("HP123") == "txn:HP123" == key(" HP123 ", occurrence=0)
    assert key("HP123", amount=None) == "txn:HP123"


def test_without_a_code_content_and_repeat_count_make_the_key() -> None:
    assert key() == key()
    assert key(occurrence=1) != key(occurrence=2)
    assert key(amount="10.00") == key(amount="10")
    assert key(amount="10.00") != key(amount="10.01")
    assert key(amount=None) == key(amount=None) != key(amount="0")


def test_a_status_amount_or_currency_change_is_a_change() -> None:
    before = fingerprint("APPROVED", "Aprovado", Decimal("297.00"), "BRL")
    assert fingerprint("APPROVED", "APROVADO", Decimal("297"), "BRL") == before
    assert fingerprint("REFUNDED", "Reembolsado", Decimal("297"), "BRL") != before
    assert fingerprint("APPROVED", "Aprovado", Decimal("297.01"), "BRL") != before
    assert fingerprint("APPROVED", "Aprovado", Decimal("297"), "USD") != before


def test_one_status_from_two_doors_is_one_state() -> None:
    from_file = fingerprint("APPROVED", "Aprovado", Decimal("297"), "BRL")
    from_api = fingerprint("APPROVED", "APPROVED", Decimal("297.00"), "BRL")
    assert from_file == from_api == "APPROVED|297|BRL"


def test_an_unknown_status_is_its_folded_text_and_an_unknown_amount_is_empty() -> None:
    assert fingerprint(None, "Em Revisão", Decimal("1"), "BRL") == "emrevisao|1|BRL"
    assert fingerprint(None, None, None, "BRL") == "||BRL"
    assert fingerprint("APPROVED", None, None, "BRL") != fingerprint(
        "APPROVED", None, Decimal("0"), "BRL")


def test_the_outcome_is_what_the_upsert_wrote_and_replaced() -> None:
    saved = {"txn:NEW": None, "txn:CHANGED": "APPROVED|297|BRL"}
    assert saved_outcome(saved, "txn:NEW") == "new"
    assert saved_outcome(saved, "txn:CHANGED") == "changed"
    assert saved_outcome(saved, "txn:LEFT-OUT") == "unchanged"


@given(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False))
def test_equal_amounts_give_equal_fingerprints(amount: Decimal) -> None:
    assert fingerprint(None, "x", amount, "BRL") == fingerprint(
        None, "x", amount.quantize(Decimal("0.0001")), "BRL")
