"""Each batch record builder, held to its declaration field by field.

A repository builds its composite-typed records as plain tuples, in the order of a NamedTuple
that declares the type (tests/integration/test_batch_inputs.py holds that declaration to
PostgreSQL's attributes). Here each builder's output, read through the declaration's field
names, must carry each field's own value: two values swapped in a builder fail this test.
"""

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import msgspec
import pytest

from hotmart_common.events import stable_event_id
from hotmart_common.row_views import PurchaseRow
from journey_service.milestones import Status
from journey_service.repository import (
    Milestone,
    MilestoneInput,
    PurchaseInput,
    RowInput,
    milestone_input,
    purchase_input,
    row_input,
)
from revenue_service.repository import RevenueRowInput, revenue_row_input

pytestmark = pytest.mark.unit

IMPORT = UUID("5d0c8a8e-1f7b-4c1e-8a43-8f1f3f7d6a10")
# Every field a value no other field has, so a value in the wrong place shows.
ROW = PurchaseRow(
    tenant_id="tenant", import_id=IMPORT, chunk_no=7, row_number=907,
    email="maria@example.com", purchase_key="txn:HP907", fingerprint="REFUNDED|297.1|BRL",
    product="Curso", amount=Decimal("297.10"), currency="BRL", status="Reembolsado",
    status_code="REFUNDED", purchased_at=datetime(2024, 3, 15, 17, 32, 10, tzinfo=UTC),
    transaction_code="HP907")


def by_name(fields: tuple[str, ...], record: tuple[object, ...]) -> dict[str, object]:
    assert len(record) == len(fields)
    return dict(zip(fields, record, strict=True))


def test_the_revenue_record_carries_each_field_under_its_name() -> None:
    assert by_name(RevenueRowInput._fields, revenue_row_input(ROW)) == {
        "row_number": 907, "chunk_no": 7, "client_email": "maria@example.com",
        "transaction_code": "HP907", "category": "lost", "status": "Reembolsado",
        "status_code": "REFUNDED", "amount": "297.10", "currency": "BRL",
        "occurred_at": ROW.purchased_at, "purchase_key": "txn:HP907",
        "fingerprint": "REFUNDED|297.1|BRL",
    }
    assert by_name(RevenueRowInput._fields, revenue_row_input(
        msgspec.structs.replace(ROW, amount=None)))["amount"] is None


def test_the_journey_records_carry_each_field_under_its_name() -> None:
    previous = Status("Aprovado", "APPROVED")
    assert by_name(MilestoneInput._fields, milestone_input(
        str(IMPORT), Milestone(ROW, "status_change", previous))) == {
        "milestone_id": stable_event_id(IMPORT, "milestone", 907),
        "client_email": "maria@example.com", "row_number": 907, "chunk_no": 7,
        "kind": "status_change", "occurred_at": ROW.purchased_at, "amount": "297.10",
        "currency": "BRL", "product": "Curso", "status": "Reembolsado",
        "status_code": "REFUNDED", "transaction_code": "HP907", "purchase_key": "txn:HP907",
        "previous_status": "Aprovado", "previous_status_code": "APPROVED",
    }
    assert by_name(PurchaseInput._fields, purchase_input(ROW)) == {
        "purchase_key": "txn:HP907", "fingerprint": "REFUNDED|297.1|BRL",
        "status": "Reembolsado", "status_code": "REFUNDED"}
    assert by_name(RowInput._fields, row_input(ROW)) == {"row_number": 907, "chunk_no": 7}
