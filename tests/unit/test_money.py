import json
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotmart_common.money import money_text
from upload_service.outcomes import Outcome
from upload_service.repository import ImportRecord
from upload_service.resources import ImportResource, public_status

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("1E+2", "100.00"),
        ("1.00E+38", "100000000000000000000000000000000000000.00"),
        ("0E-8", "0.00000000"),
        ("1E-7", "0.0000001"),
        ("297", "297.00"),
        ("297.5", "297.50"),
        ("1234.567", "1234.567"),
        ("-10.00", "-10.00"),
        ("0", "0.00"),
    ],
)
def test_money_text_is_fixed_point_and_exact(amount: str, text: str) -> None:
    assert money_text(Decimal(amount)) == text


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_money_text_never_writes_an_exponent_and_keeps_the_value(amount: Decimal) -> None:
    text = money_text(amount)
    assert "E" not in text.upper()
    assert Decimal(text) == amount


def _record(**fields: Any) -> ImportRecord:
    now = datetime.now(UTC)
    return ImportRecord(**{
        "import_id": uuid4(), "tenant_id": "t", "source": "file", "file_name": "vendas.csv",
        "object_key": "k", "file_format": "csv", "file_bytes": 10, "table_key": None,
        "mapping": {}, "preview": {}, "uploaded_at": now, "status": "confirmed",
        "confirmed_at": now, "duplicate_policy": "update", "default_purchased_at": None,
        "status_when_missing": "WAITING_PAYMENT",
        "attempt": 0, **fields})


def _outcome(import_id: UUID, **fields: Any) -> Outcome:
    return Outcome.model_validate({
        "import_id": import_id, "attempt": 0, "status": "completed",
        "completed_at": datetime.now(UTC), "total_rows": 1, "chunks_total": 1,
        "chunks_done": 1, "rows_skipped": 0, "rows_failed": 0,
        "counts": {"clients_created": 1, "transactions_new": 1},
        "total_revenue": "0", "lost_revenue": "0",
        "currency": "BRL", "revenue_by_currency": {}, "waiting_for": None, "error": None,
        **fields})


def test_the_import_resource_never_shows_an_amount_in_exponent_notation() -> None:
    record = _record()
    outcome = _outcome(record.import_id, total_revenue=Decimal("1E+2"),
                       lost_revenue=Decimal("1.00E+38"),
                       revenue_by_currency={"BRL": {"active": "1E+2", "lost": "0E-2"}})
    body = json.loads(ImportResource.of(record, outcome, [], with_preview=False)
                      .model_dump_json())
    assert (body["total_revenue"], body["lost_revenue"]) == (
        "100.00", "100000000000000000000000000000000000000.00")
    assert body["revenue_by_currency"] == {"BRL": {"active": "100.00", "lost": "0.00"}}


def test_the_status_is_the_outcome_of_the_current_attempt() -> None:
    uploaded = _record(status="uploaded", confirmed_at=None)
    assert public_status(uploaded, None) == "uploaded"
    confirmed = _record()
    assert public_status(confirmed, None) == "processing", "the finalizer has not heard yet"
    failed = _outcome(confirmed.import_id, status="failed", error="stalled")
    assert public_status(confirmed, failed) == "failed"
    retried = replace(confirmed, attempt=1)
    assert public_status(retried, failed) == "processing", "the retry is not recorded yet"
    resource = ImportResource.of(retried, failed, [], with_preview=False)
    assert (resource.error, resource.completed_at, resource.waiting_for) == (None, None, {})
    owed = _outcome(confirmed.import_id, status="processing", completed_at=None,
                    waiting_for={"revenue": {"missing": 60, "chunks": list(range(50))}})
    shown = ImportResource.of(confirmed, owed, [], with_preview=False).waiting_for
    assert shown["revenue"].missing == 60 and shown["revenue"].chunks == list(range(50))
