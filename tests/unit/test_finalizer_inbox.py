"""The finalizer's one consumer group reads import.chunk.done and import.confirmed: its
decoder tells the two apart, and a message that is neither is refused (dead-lettered)."""

import uuid
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from finalizer_service.app import INBOX
from hotmart_common.events import ChunkProcessed, ImportConfirmed, RowsFailed, event_json

pytestmark = pytest.mark.unit


def test_confirms_and_chunk_messages_decode_as_what_they_are() -> None:
    import_id = uuid.uuid4()
    confirm = ImportConfirmed(event_id=uuid.uuid4(), tenant_id="t", import_id=import_id,
                              object_key="k", file_name="kind.csv", mapping={"email": '"kind":'},
                              uploaded_at=datetime(2025, 5, 1, tzinfo=UTC), file_format="csv")
    report = ChunkProcessed(event_id=uuid.uuid4(), tenant_id="t", import_id=import_id,
                            service="revenue", chunk_no=3, rows_processed=1)
    failed = RowsFailed(event_id=uuid.uuid4(), tenant_id="t", import_id=import_id,
                        service="journey", chunk_no=3, issues=[])
    for message in (confirm, report, failed):
        assert INBOX.validate_json(event_json(message)) == message


def test_a_message_that_is_neither_is_refused() -> None:
    with pytest.raises(ValidationError):
        INBOX.validate_json(b'{"kind": "chunk_processed", "import_id": "nope"}')
    with pytest.raises(ValidationError):
        INBOX.validate_json(b'{"tenant_id": "t"}')
