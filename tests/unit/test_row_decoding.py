"""A poll of the row topic is decoded a few hundred messages per call, and gives exactly what
decoding each message alone gives: the same events, and the same dead letters."""

import base64
import json
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from aiokafka import ConsumerRecord

from hotmart_common.events import (
    ROW_TOPIC_ADAPTER,
    ChunkEnded,
    DeadLetter,
    FileRow,
    RowParsed,
    RowTopicDecoder,
    event_json,
)
from hotmart_common.kafka_decoding import ARRAY_SIZE, decode_at_once, decode_records

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


def one_by_one(values: list[bytes | None]) -> list[RowParsed | ChunkEnded | None]:
    """What decoding each message alone gives: its event, or None if it has none."""
    decoded: list[RowParsed | ChunkEnded | None] = []
    for value in values:
        try:
            decoded.append(ROW_TOPIC_ADAPTER.validate_json(value or b""))
        except ValueError:
            decoded.append(None)
    return decoded


def test_a_poll_of_rows_and_markers_decodes_to_the_events_sent() -> None:
    events = [*(row(n) for n in range(2, 2 + 2 * ARRAY_SIZE + 7)), end(2 * ARRAY_SIZE + 7)]
    values: list[bytes | None] = [event_json(e) for e in events]

    decoded, dead = decode_records(records(values), RowTopicDecoder(RowParsed), "g")

    assert [message for _, message in decoded] == events
    assert [record.offset for record, _ in decoded] == list(range(len(events)))
    assert dead == []
    assert decode_at_once(values, RowTopicDecoder(RowParsed)) == events  # in arrays, not one by one


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

    decoded, dead = decode_records(records(values), RowTopicDecoder(RowParsed), "g")

    assert decode_at_once(values, RowTopicDecoder(RowParsed)) is None
    assert [message for _, message in decoded] == good
    assert dead_offsets(dead) == [4]
    assert base64.b64decode(DeadLetter.model_validate_json(dead[0][1]).value_base64) == (
        bad or b"")


def test_messages_that_read_as_rows_only_together_are_each_dead_lettered() -> None:
    # A row and the head of another, then that row's tail: neither message is an event,
    # but joined with a comma they read as two valid rows.
    second = event_json(row(3))
    cut = second.rindex(b',"first_of_buyer"')
    head, tail = event_json(row(2)) + b"," + second[:cut], second[cut + 1:]
    joined = b"[" + head + b"," + tail + b"]"
    assert len(RowTopicDecoder(RowParsed).validate_json_array(joined)) == 2
    values: list[bytes | None] = [head, tail, event_json(row(4))]

    decoded, dead = decode_records(records(values), RowTopicDecoder(RowParsed), "g")

    assert one_by_one(values)[:2] == [None, None]
    assert decode_at_once(values, RowTopicDecoder(RowParsed)) is None
    assert [message.row_number for _, message in decoded if isinstance(message, RowParsed)] == [4]
    assert dead_offsets(dead) == [0, 1]


def test_a_decoder_without_arrays_decodes_one_by_one() -> None:
    events = [row(2), row(3), end(2)]
    values: list[bytes | None] = [event_json(e) for e in events]

    decoded, dead = decode_records(records(values), ROW_TOPIC_ADAPTER, "g")

    assert decode_at_once(values, ROW_TOPIC_ADAPTER) is None
    assert [message for _, message in decoded] == events
    assert dead == []


def test_the_same_fact_twice_in_a_poll_decodes_twice() -> None:
    event = row(2)
    values: list[bytes | None] = [event_json(event), event_json(event)]

    decoded, _ = decode_records(records(values), RowTopicDecoder(RowParsed), "g")

    assert [message for _, message in decoded] == [event, event]
    assert isinstance(decoded[0][1].event_id, UUID)
