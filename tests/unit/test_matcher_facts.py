import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from hotmart_common.events import FileRow, RowParsed
from hotmart_common.row_views import view_of
from matcher_service.handlers import Match, buyers_of, merged_facts, row_outcome
from matcher_service.matching import client_key
from matcher_service.repository import StoredClient
from matcher_service.rows import BuyerRow

pytestmark = pytest.mark.unit


def row(number: int, email: str, name: str | None, phone: str | None,
        first: bool = False) -> BuyerRow:
    """The matcher's view of a whole row event, as it reads one off the topic."""
    event = RowParsed(event_id=uuid.uuid4(), tenant_id="t", import_id=uuid.uuid4(), chunk_no=0,
                     row_number=number, email=email, name=name, phone=phone,
                     amount=Decimal(1), currency="BRL", status_code="APPROVED", source="file",
                     provenance=FileRow(file_name="vendas.csv", row_number=number),
                     purchased_at=datetime(2025, 1, 1, tzinfo=UTC), first_of_buyer=first,
                     purchase_key=f"txn:{number}", fingerprint="APPROVED|1|BRL")
    return view_of(event, BuyerRow)


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


def test_buyers_are_distinct_clients_by_email_each_with_its_first_row_of_the_outcome() -> None:
    ana = StoredClient(uuid.uuid4(), True, "Ana", datetime(2025, 1, 2, tzinfo=UTC))
    bia = StoredClient(uuid.uuid4(), False, "Bia", datetime(2024, 5, 6, tzinfo=UTC))
    matches = [
        Match(row(9, "ana@example.com", None, None), ana, "created"),
        Match(row(4, "ana@example.com", "Ana", None, first=True), ana, "created"),
        Match(row(7, "bia@example.com", "Bia", None), bia, "updated"),
        Match(row(5, "bia@example.com", None, None, first=True), bia, "unchanged"),
        Match(row(8, "bia@example.com", None, None), bia, "updated"),
    ]
    created = buyers_of(matches, "created", first_rows_only=True)
    assert [(b.email, b.client_id, b.name, b.row_number) for b in created] == [
        ("ana@example.com", ana.client_id, "Ana", 4)]
    assert created[0].created_at == ana.created_at
    updated = buyers_of(matches, "updated", first_rows_only=False)
    assert [(b.email, b.client_id, b.row_number) for b in updated] == [
        ("bia@example.com", bia.client_id, 7)]
    assert buyers_of(matches, "updated", first_rows_only=True) == []


def test_one_client_per_matching_key_of_an_email() -> None:
    assert client_key("  Ana@Example.COM ") == "ana@example.com"
    facts = merged_facts([row(2, "Ana@Example.com", "Ana", None),
                          row(3, " ana@example.com", None, "119")])
    assert [(f.email, f.name, f.phone) for f in facts] == [("ana@example.com", "Ana", "119")]
