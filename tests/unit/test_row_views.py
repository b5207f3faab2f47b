"""Each consumer reads a row event through its view: the fields it uses, decoded and
constrained exactly as RowParsed validates them, and nothing it does not use."""

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, get_args, get_origin
from uuid import uuid4

import annotated_types
import msgspec
import pytest

from hotmart_common.events import ChunkEnded, FileRow, RowParsed, event_json
from hotmart_common.kafka_decoding import decode_records
from hotmart_common.row_views import PurchaseRow, RowView, RowViewDecoder
from matcher_service.rows import BuyerRow
from tests.unit.test_row_decoding import dead_offsets, records

pytestmark = pytest.mark.unit

VIEWS: list[type[RowView]] = [RowView, PurchaseRow, BuyerRow]


def names(view: type[RowView]) -> set[str]:
    return {field.name for field in msgspec.structs.fields(view)}


def test_every_view_is_listed_here() -> None:
    def subclasses(cls: type[RowView]) -> set[type[RowView]]:
        return {cls} | {s for c in cls.__subclasses__() for s in subclasses(c)}

    assert subclasses(RowView) == set(VIEWS)


def struct_field(annotation: Any) -> tuple[Any, dict[str, Any]]:
    """A struct field's type and its constraints (msgspec.Meta)."""
    if get_origin(annotation) is Annotated:
        base, *metas = get_args(annotation)
        bounds = {key: getattr(meta, key) for meta in metas for key in ("ge", "gt", "le", "lt")
                  if getattr(meta, key, None) is not None}
        return base, bounds
    return annotation, {}


def contract_field(name: str) -> tuple[Any, dict[str, Any]]:
    """The contract's field's type and its constraints (annotated_types)."""
    field = RowParsed.model_fields[name]
    bounds: dict[str, Any] = {}
    for meta in field.metadata:
        assert isinstance(meta, annotated_types.Ge | annotated_types.Gt | annotated_types.Le
                          | annotated_types.Lt), f"{name}: {meta!r} has no msgspec twin here"
        bounds.update({key: getattr(meta, key) for key in ("ge", "gt", "le", "lt")
                       if hasattr(meta, key)})
    return field.annotation, bounds


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v.__name__)
def test_a_view_types_and_constrains_each_field_as_the_contract(view: type[RowView]) -> None:
    for field in msgspec.structs.fields(view):
        assert field.name in RowParsed.model_fields, (
            f"{view.__name__}.{field.name} is not a field of RowParsed")
        expected = RowParsed.model_fields[field.name]
        assert struct_field(field.type) == contract_field(field.name), field.name
        assert field.required == expected.is_required(), field.name
        if not field.required:
            assert field.default == expected.default, field.name


def test_the_consumers_views_read_every_field_a_consumer_needs_and_skip_the_rest() -> None:
    read = names(BuyerRow) | names(PurchaseRow)
    # Where a row came from is a fact no consumer acts on yet.
    assert set(RowParsed.model_fields) - read == {"event_id", "schema_version", "source",
                                                  "provenance"}
    assert names(BuyerRow) & {"amount", "purchased_at", "product"} == set()
    assert names(PurchaseRow) & {"name", "phone", "document"} == set()


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
def test_a_view_of_an_event_holds_the_events_values(view: type[RowView]) -> None:
    event = row()
    spaced = json.dumps(json.loads(event_json(event))).encode()  # '"kind": "row"'
    values: list[bytes | None] = [event_json(event), spaced, event_json(event)]
    decoded, dead = decode_records(records(values), RowViewDecoder(view), "g")

    assert dead == []
    assert len(decoded) == 3
    for _, message in decoded:
        assert type(message) is view
        assert msgspec.structs.asdict(message) == event.model_dump(include=names(view))


def test_a_chunks_end_marker_is_read_as_the_contract_has_it() -> None:
    marker = ChunkEnded(event_id=uuid4(), tenant_id="t", import_id=uuid4(), chunk_no=2,
                        rows_published=300, last=False)
    decoded, dead = decode_records(records([event_json(row()), event_json(marker)]),
                                   RowViewDecoder(PurchaseRow), "g")

    assert dead == []
    assert [type(message) for _, message in decoded] == [PurchaseRow, ChunkEnded]
    assert decoded[1][1] == marker


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
def test_a_view_refuses_only_what_it_reads(view: type[RowView], bad: bytes,
                                           dead_lettered: bool) -> None:
    good = event_json(row())
    decoded, dead = decode_records(records([good, bad, good]), RowViewDecoder(view), "g")

    assert dead_offsets(dead) == ([1] if dead_lettered else [])
    assert [record.offset for record, _ in decoded] == ([0, 2] if dead_lettered else [0, 1, 2])
