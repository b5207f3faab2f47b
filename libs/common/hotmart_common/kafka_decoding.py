"""Turning a poll's records into events, and a dead letter for each record that is none."""

import base64
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from aiokafka import ConsumerRecord
from pydantic import ValidationError

from .events import DeadLetter, event_json
from .kafka_batches import Message

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


def dead_letter(record: ConsumerRecord[Any, Any], group_id: str, error: str) -> bytes:
    key = record.key
    letter = DeadLetter(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=_text_or_base64(key) if key is not None else None,
        value_base64=base64.b64encode(record.value or b"").decode(),
        error=error[:2000],
        consumer_group=group_id,
        failed_at=datetime.now(UTC),
    )
    return event_json(letter)


def _text_or_base64(raw: bytes) -> str:
    try:
        return raw.decode()
    except UnicodeDecodeError:
        return base64.b64encode(raw).decode()


Decoded = tuple[ConsumerRecord[Any, Any], T]


class Decoder(Protocol[T_co]):
    """What turns a message's bytes into its event (a pydantic ``TypeAdapter`` is one)."""

    def validate_json(self, data: bytes, /) -> T_co: ...


def decode_records(
    records: Sequence[ConsumerRecord[Any, Any]], adapter: Decoder[T], group_id: str
) -> tuple[list[Decoded[T]], list[Message]]:
    """The events of a poll's records, and a dead letter for each record that is none."""
    decoded: list[Decoded[T]] = []
    dead: list[Message] = []
    for record in records:
        try:
            decoded.append((record, adapter.validate_json(record.value or b"")))
        except ValidationError as exc:
            reason = f"{exc.error_count()} validation error(s): {exc.errors(include_url=False)}"
            dead.append((record.key, dead_letter(record, group_id, reason)))
    return decoded, dead
