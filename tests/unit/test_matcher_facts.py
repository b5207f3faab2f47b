import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from hotmart_common.events import RowParsed
from matcher_service.handlers import merged_facts, row_outcome

pytestmark = pytest.mark.unit


def row(number: int, email: str, name: str | None, phone: str | None) -> RowParsed:
    return RowParsed(event_id=uuid.uuid4(), tenant_id="t", import_id=uuid.uuid4(), chunk_no=0,
                     row_number=number, email=email, name=name, phone=phone,
                     amount=Decimal(1), currency="BRL", status_category="active",
                     purchased_at=datetime(2025, 1, 1, tzinfo=UTC), first_of_buyer=False,
                     purchase_key=f"txn:{number}", fingerprint="aprovado|1|BRL")


def test_one_set_of_facts_per_buyer_later_non_empty_values_win() -> None:
    facts = merged_facts([
        row(5, "a@example.com", None, "119"),
        row(2, "a@example.com", "Ana", "118"),
        row(3, "b@example.com", "Bia", None),
    ])
    by_email = {f.email: f for f in facts}
    assert len(facts) == 2
    assert (by_email["a@example.com"].name, by_email["a@example.com"].phone) == ("Ana", "119")
    assert by_email["b@example.com"].phone is None


def test_an_existing_client_is_updated_only_by_a_new_or_changed_purchase() -> None:
    assert row_outcome(created=True, changed=False) == "created"
    assert row_outcome(created=False, changed=True) == "updated"
    assert row_outcome(created=False, changed=False) == "unchanged"
