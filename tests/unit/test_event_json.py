"""Events become message bytes exactly as ``model_dump_json`` writes them."""

from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from hotmart_common.events import ChunkEnded, DeadLetter, FileRow, RowParsed, event_json

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("event", [
    RowParsed(event_id=uuid4(), tenant_id="t", import_id=uuid4(), chunk_no=0, row_number=2,
              email="maria@example.com", name="Maria Conceição", amount=Decimal("297.10"),
              currency="BRL", status_code="APPROVED", purchase_key="txn:HP1", source="file",
              provenance=FileRow(file_name="vendas.csv", row_number=2),
              purchased_at=datetime(2024, 3, 15, 17, 32, 10, 123456, tzinfo=UTC),
              fingerprint="APPROVED|297.1|BRL", first_of_buyer=True),
    ChunkEnded(event_id=uuid4(), tenant_id="t", import_id=uuid4(), chunk_no=3,
               rows_published=0, last=True, chunks_total=4, total_rows=900),
    DeadLetter(topic="import.rows", partition=1, offset=7, value_base64="e30=",
               error="bad", consumer_group="g", failed_at=datetime.now(UTC)),
], ids=["row", "chunk end", "dead letter"])
def test_bytes_are_the_models_json(event: RowParsed | ChunkEnded | DeadLetter) -> None:
    data = event_json(event)
    assert data == event.model_dump_json().encode()
    assert type(event).model_validate_json(data) == event
