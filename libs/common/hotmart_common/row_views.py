"""What a row consumer reads of a row event: the fields it uses, and no others.

The row topic's contract is ``RowParsed``: parse writes every field, ``schemas/`` describes
them all. A consumer reads a row through a view: a ``msgspec`` struct of only the fields it
uses, each typed and constrained as in ``RowParsed`` (tests/unit/test_row_views.py holds
every view to it); the rest of the message is skipped. Every row consumer reads every row
of every import, and msgspec decodes a view in about a third of the time pydantic
validates one. A message a view cannot decode is validated against the contract itself, so
a dead letter's reason names the field as the contract's validation does.
"""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Generic, Literal, TypeVar
from uuid import UUID

import msgspec

from .events import ROW_TOPIC_ADAPTER, ChunkEnded, RowParsed
from .hotmart_statuses import StatusCode


class RowView(msgspec.Struct, frozen=True, kw_only=True):
    """What every row consumer reads: where the row sits, its buyer and its purchase key."""

    kind: Literal["row"] = "row"
    tenant_id: str
    import_id: UUID
    chunk_no: Annotated[int, msgspec.Meta(ge=0)]
    row_number: Annotated[int, msgspec.Meta(ge=1)]
    email: str
    purchase_key: str
    fingerprint: str


class PurchaseRow(RowView, frozen=True, kw_only=True):
    """What the journey and revenue services read: the purchase itself."""

    product: str | None = None
    amount: Decimal | None
    currency: str
    status: str | None = None
    status_code: StatusCode | None
    purchased_at: datetime
    transaction_code: str | None = None


View = TypeVar("View", bound=RowView)


def view_of(event: RowParsed, view: type[View]) -> View:
    """The view of a row event already validated as the contract."""
    names = [field.name for field in msgspec.structs.fields(view)]
    return view(**{name: getattr(event, name) for name in names})


class RowViewDecoder(Generic[View]):
    """Decodes row-topic messages: a row as ``view``, an end-of-chunk marker as
    ``ChunkEnded``. A message the view cannot decode (a marker, a bad row) is validated as
    the topic's contract: a marker or a row comes back as such, a bad message raises the
    contract's ``ValidationError``."""

    def __init__(self, view: type[View]) -> None:
        self.view = view
        self._rows = msgspec.json.Decoder(view)

    def validate_json(self, data: bytes) -> View | ChunkEnded:
        try:
            return self._rows.decode(data)
        except msgspec.MsgspecError:
            pass
        message = ROW_TOPIC_ADAPTER.validate_json(data)
        return message if isinstance(message, ChunkEnded) else view_of(message, self.view)
