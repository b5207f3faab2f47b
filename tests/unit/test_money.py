import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast
from uuid import uuid4

import asyncpg
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotmart_common.money import money_text
from upload_service.resources import ImportResource

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


def _record(**amounts: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "import_id": uuid4(), "file_name": "vendas.csv", "file_format": "csv",
        "file_bytes": 10, "status": "completed", "uploaded_at": now, "confirmed_at": now,
        "completed_at": now, "total_rows": 1, "chunks_total": 1, "chunks_done": 1,
        "clients_created": 1, "clients_updated": 0, "rows_skipped": 0, "rows_failed": 0,
        "transactions_new": 1, "transactions_changed": 0, "transactions_unchanged": 0,
        "purchases_without_amount": 0, "status_when_missing": "WAITING_PAYMENT",
        "duplicate_policy": "update", "default_purchased_at": None, "currency": "BRL",
        "mapping": "{}", "error": None, "waiting_for": None, "preview": "{}", **amounts,
    }


def test_the_import_resource_never_shows_an_amount_in_exponent_notation() -> None:
    record = _record(
        total_revenue=Decimal("1E+2"), lost_revenue=Decimal("1.00E+38"),
        revenue_by_currency=json.dumps({"BRL": {"active": "1E+2", "lost": "0E-2"}}),
    )
    # A dict is read by key, as the repository's row is.
    stored = cast(asyncpg.Record, record)
    body = json.loads(ImportResource.of(stored, [], with_preview=False).model_dump_json())
    assert (body["total_revenue"], body["lost_revenue"]) == (
        "100.00", "100000000000000000000000000000000000000.00")
    assert body["revenue_by_currency"] == {"BRL": {"active": "100.00", "lost": "0.00"}}
