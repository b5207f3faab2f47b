"""Each consumer reads a row event through its view: the fields it uses, validated exactly as
RowParsed validates them, and nothing it does not use."""

import json
from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest
from pydantic import BaseModel

from hotmart_common.events import FileRow, RowParsed, RowTopicDecoder, event_json
from hotmart_common.kafka_decoding import decode_records
from hotmart_common.row_views import PurchaseRow, RowView
from matcher_service.rows import BuyerRow
from tests.unit.test_row_decoding import dead_offsets, records

pytestmark = pytest.mark.unit

VIEWS: list[type[BaseModel]] = [RowView, PurchaseRow, BuyerRow]


def test_every_view_is_listed_here() -> None:
    def subclasses(cls: type[BaseModel]) -> set[type[BaseModel]]:
        return {cls} | {s for c in cls.__subclasses__() for s in subclasses(c)}

    assert subclasses(RowView) == set(VIEWS)


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v.__name__)
def test_a_view_types_and_constrains_each_field_as_the_contract(view: type[BaseModel]) -> None:
    contract = RowParsed.model_fields
    for name, field in view.model_fields.items():
        assert name in contract, f"{view.__name__}.{name} is not a field of RowParsed"
        expected = contract[name]
        assert (field.annotation, field.is_required(), field.metadata) == (
            expected.annotation, expected.is_required(), expected.metadata), name
        if not field.is_required():
            assert field.default == expected.default, name


def test_the_consumers_views_read_every_field_a_consumer_needs_and_skip_the_rest() -> None:
    read = set(BuyerRow.model_fields) | set(PurchaseRow.model_fields)
    # Where a row came from is a fact no consumer acts on yet.
    assert set(RowParsed.model_fields) - read == {"event_id", "schema_version", "source",
                                                  "provenance"}
    assert set(BuyerRow.model_fields) & {"amount", "purchased_at", "product"} == set()
    assert set(PurchaseRow.model_fields) & {"name", "phone", "document"} == set()


def row() -> RowParsed:
    return RowParsed(
        event_id=uuid4(), tenant_id="t", import_id=uuid4(), chunk_no=3, row_number=907,
        email="maria@example.com", name="Maria", phone="11999990000", document="00000000000",
        product="Curso", amount=Decimal("297.10"), currency="BRL", status="Aprovado",
        status_code="APPROVED", source="file",
        provenance=FileRow(file_name="vendas.csv", row_number=907),
        purchased_at=datetime(2024, 3, 15, 17, 32, 10, tzinfo=UTC),
        transaction_code="HP0000000000907", purchase_key="txn:HP0000000000907",
        fingerprint="APPROVED|297.1|BRL", first_of_buyer=True)


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v.__name__)
def test_a_view_of_an_event_holds_the_events_values(view: type[BaseModel]) -> None:
    event = row()
    decoded, dead = decode_records(records([event_json(event)] * 3), RowTopicDecoder(view), "g")

    assert dead == []
    for _, message in decoded:
        assert type(message) is view
        assert message.model_dump() == event.model_dump(include=set(view.model_fields))


def with_(**changes: object) -> bytes:
    document = json.loads(event_json(row()))
    document.update(changes)
    return json.dumps(document).encode()


@pytest.mark.parametrize(("view", "bad", "dead_lettered"), [
    (PurchaseRow, with_(amount="abc"), True),
    (BuyerRow, with_(amount="abc"), False),  # the matcher has no use for the amount
    (BuyerRow, with_(first_of_buyer="perhaps"), True),
    (PurchaseRow, with_(row_number=0), True),
    (BuyerRow, with_(row_number=0), True),
    (PurchaseRow, with_(status_code="Aprovado"), True),  # a code, or none
    (BuyerRow, with_(status_code="Aprovado"), False),
    (BuyerRow, with_(email=None), True),
])
def test_a_view_refuses_only_what_it_reads(view: type[BaseModel], bad: bytes,
                                           dead_lettered: bool) -> None:
    good = event_json(row())
    decoded, dead = decode_records(records([good, bad, good]), RowTopicDecoder(view), "g")

    assert dead_offsets(dead) == ([1] if dead_lettered else [])
    assert [record.offset for record, _ in decoded] == ([0, 2] if dead_lettered else [0, 1, 2])
