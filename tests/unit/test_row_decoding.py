"""A poll of the row topic decodes to the events sent, and each message that is none is
dead-lettered alone with its reason while the rest of the poll goes on."""

import base64
import json
from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest
from aiokafka import ConsumerRecord

from hotmart_common.events import ChunkEnded, DeadLetter, FileRow, RowParsed, event_json
from hotmart_common.kafka_decoding import decode_records
from hotmart_common.row_views import PurchaseRow, RowViewDecoder, view_of

pytestmark = pytest.mark.unit

IMPORT_ID = uuid4()


def row(row_number: int) -> RowParsed:
    return RowParsed(
        event_id=uuid4(), tenant_id="t", import_id=IMPORT_ID, chunk_no=0,
        row_number=row_number, email=f"buyer{row_number}@example.com", name="Maria",
        amount=Decimal("297.10"), currency="BRL", status_code="APPROVED", source="file",
        provenance=FileRow(file_name="vendas.csv", row_number=row_number),
        purchase_key=f"txn:HP{row_number}",
        purchased_at=datetime(2024, 3, 15, 17, 32, 10, tzinfo=UTC),
        fingerprint="APPROVED|297.1|BRL", first_of_buyer=True)


def end(rows: int) -> ChunkEnded:
    return ChunkEnded(event_id=uuid4(), tenant_id="t", import_id=IMPORT_ID, chunk_no=0,
                      rows_published=rows, last=True, chunks_total=1, total_rows=rows,
                      first_row_number=2, last_row_number=rows + 1)


def records(values: list[bytes | None]) -> list[ConsumerRecord[bytes, bytes]]:
    return [ConsumerRecord("import.rows", 0, offset, 0, 0, b"key", value, None, 0,
                           len(value or b""), []) for offset, value in enumerate(values)]


def test_a_poll_of_rows_and_markers_decodes_to_the_events_sent() -> None:
    events = [*(row(n) for n in range(2, 409)), end(407)]
    values: list[bytes | None] = [event_json(e) for e in events]

    decoded, dead = decode_records(records(values), RowViewDecoder(PurchaseRow), "g")

    assert [message for _, message in decoded] == [
        view_of(e, PurchaseRow) if isinstance(e, RowParsed) else e for e in events]
    assert [record.offset for record, _ in decoded] == list(range(len(events)))
    assert dead == []


def dead_offsets(dead: list[tuple[bytes | None, bytes]]) -> list[int]:
    return [DeadLetter.model_validate_json(letter).offset for _, letter in dead]


def two_rows_in_one_message() -> bytes:
    return event_json(row(900)) + b"," + event_json(row(901))


def half_a_row() -> bytes:
    return event_json(row(902))[:-40] + b"}"


def row_with(**changes: object) -> bytes:
    document = json.loads(event_json(row(903)))
    document.update(changes)
    return json.dumps(document).encode()


@pytest.mark.parametrize("bad", [
    pytest.param(two_rows_in_one_message(), id="two objects in one message"),
    pytest.param(half_a_row(), id="truncated"),
    pytest.param(row_with(amount="abc"), id="invalid amount"),
    pytest.param(row_with(kind="other"), id="unknown kind"),
    pytest.param(b"[]", id="not an object"),
    pytest.param(b"", id="empty"),
    pytest.param(None, id="no value"),
])
def test_a_bad_message_is_dead_lettered_alone_and_the_rest_decode(bad: bytes | None) -> None:
    good = [row(n) for n in range(2, 12)]
    values: list[bytes | None] = [event_json(e) for e in good]
    values.insert(4, bad)

    decoded, dead = decode_records(records(values), RowViewDecoder(PurchaseRow), "g")

    assert [message for _, message in decoded] == [view_of(e, PurchaseRow) for e in good]
    assert dead_offsets(dead) == [4]
    assert base64.b64decode(DeadLetter.model_validate_json(dead[0][1]).value_base64) == (
        bad or b"")
