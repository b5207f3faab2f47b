"""Event contracts: every message on the bus is one of these models.

Events are past-tense facts. Each carries an event id (stable for a given fact, so a
replayed event is recognisable), the tenant and a schema version. ``make schemas`` turns
them into JSON Schema under ``schemas/``.
"""

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from hashlib import sha1
from typing import Annotated, Literal
from uuid import UUID, SafeUUID

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    TypeAdapter,
)

from hotmart_common import registry
from hotmart_common.hotmart_statuses import STATUS_WHEN_MISSING, StatusCode
from hotmart_common.money import Money

EVENT_NAMESPACE = UUID("6f1c3a52-8d0e-4c1b-9a57-2b9f64a0c3d1")

StatusCategory = Literal["active", "lost", "pending"]
DuplicatePolicy = Literal["update", "skip"]
RowSource = Literal["file", "webhook", "hotmart_api", "members", "manual"]
# Both lists come from the registry: a new consumer is a registry entry, not an edit here.
# The services with a group on import.rows (the row consumers).
ConsumerService = str
CONSUMER_SERVICES: tuple[ConsumerService, ...] = registry.consumers_of(registry.IMPORT_ROWS)
# Every service that reports each chunk on import.chunk.done: parse (with the rows it
# skipped) and the row consumers. An import is complete when all of them reported all chunks.
ReportingService = str
REPORTING_SERVICES: tuple[ReportingService, ...] = registry.reporting_services()
ImportSource = RowSource  # the door an import, and each of its rows, came in by
IssueStatus = Literal["skipped", "failed"]


_NAMESPACE_BYTES = EVENT_NAMESPACE.bytes
_VERSION_5 = (5 << 76) | (0x8000 << 48)  # version nibble 5, RFC 4122 variant bits
_KEEP = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_UNKNOWN_SAFETY = SafeUUID.unknown  # an enum member lookup costs more than the rest


def stable_event_id(*parts: object) -> UUID:
    """The same fact always gets the same id, so consumers can drop duplicates.

    ``uuid5(EVENT_NAMESPACE, "part:part:…")``, computed without ``UUID.__init__``'s checks:
    it runs once per row in three services.
    """
    digest = sha1(_NAMESPACE_BYTES + ":".join(map(str, parts)).encode()).digest()
    value = int.from_bytes(digest[:16]) & _KEEP | _VERSION_5
    uuid = object.__new__(UUID)
    object.__setattr__(uuid, "int", value)
    object.__setattr__(uuid, "is_safe", _UNKNOWN_SAFETY)
    return uuid


def event_json(event: BaseModel) -> bytes:
    """The event as the bytes of a message: ``model_dump_json()`` without the round trip
    through ``str`` (once per row event)."""
    return event.__pydantic_serializer__.to_json(event)


def chunk_key(import_id: UUID, chunk_no: int) -> bytes:
    """Kafka key of every row event and the end-of-chunk marker of one chunk."""
    return f"{import_id}:{chunk_no}".encode()


class Event(BaseModel):
    model_config = ConfigDict(frozen=True)

    event_id: UUID = Field(
        description="Identifies this fact; a re-published event keeps its id.",
        examples=["0b6f4f4e-8f3c-5f0e-9a1d-3c2b1a0f9e8d"],
    )
    schema_version: Literal[1] = Field(default=1, description="Version of this event's schema.")
    tenant_id: str = Field(description="Tenant (producer account) the data belongs to.",
                           examples=["default"])


class ImportEvent(Event):
    import_id: UUID = Field(description="The import this event belongs to.",
                            examples=["5d0c8a8e-1f7b-4c1e-8a43-8f1f3f7d6a10"])


class RowIssue(BaseModel):
    """A row that changed nothing (skipped) or that a service could not apply (failed)."""

    model_config = ConfigDict(frozen=True)

    row_number: int = Field(ge=1, description="Row number in the spreadsheet (header = 1).",
                            examples=[7])
    status: IssueStatus = Field(description="'skipped' or 'failed'.", examples=["skipped"])
    code: str = Field(description="Stable reason code.", examples=["invalid_email"])
    column: str | None = Field(default=None, description="Column of the offending cell.",
                               examples=["Email do(a) Comprador(a)"])
    message: str = Field(description="What was wrong, for a person.",
                         examples=["Row 7: 'maria' is not an e-mail address"])
    stage: str = Field(description="The service that found it.", examples=["parse"])


class ImportConfirmed(ImportEvent):
    """The producer confirmed an uploaded export (or retried it): parsing may start."""

    object_key: str = Field(description="S3 key of the uploaded file.",
                            examples=["imports/default/5d0c8a8e-1f7b-4c1e-8a43-8f1f3f7d6a10/vendas.csv"])
    file_name: str = Field(description="File name as uploaded.", examples=["vendas.csv"])
    mapping: dict[str, str] = Field(
        description="Field -> source column the parser must use.",
        examples=[{"email": "Email do(a) Comprador(a)", "amount": "Valor de compra com impostos"}],
    )
    uploaded_at: datetime = Field(description="Upload time.")
    default_purchased_at: datetime | None = Field(
        default=None, description="Purchase date of rows without one (default: upload time).")
    duplicate_policy: DuplicatePolicy = Field(
        default="update",
        description="'update': existing clients are enriched; 'skip': their rows are skipped.")
    table_key: str | None = Field(
        default=None,
        description="S3 key of the table the upload read from the workbook (Arrow IPC): the "
                    "parser reads it instead of the workbook, or the workbook if it is gone.",
        examples=["imports/default/5d0c8a8e-1f7b-4c1e-8a43-8f1f3f7d6a10/stored/table-v1.arrow"])
    status_when_missing: StatusCode = Field(
        default=STATUS_WHEN_MISSING,
        description="Status code of every purchase when the file has no status column "
                    "(WAITING_PAYMENT, the default, counts as pending revenue).",
        examples=["APPROVED"])
    file_format: Literal["csv", "xlsx", "xls"] | None = Field(
        default=None, description="Format of the uploaded file, as the upload read it.",
        examples=["csv"])
    source: ImportSource = Field(default="file", description="The door the import came in by.")
    attempt: int = Field(
        default=0, ge=0,
        description="0 for the confirm, then one more for each retry: the parser publishes "
                    "again for a higher attempt, the finalizer reopens a failed import.")


class Provenance(BaseModel):
    model_config = ConfigDict(frozen=True)


class FileRow(Provenance):
    """A row of an uploaded file."""

    kind: Literal["file"] = Field(default="file", description="Discriminator.")
    file_name: str = Field(description="The file as uploaded.", examples=["vendas.csv"])
    row_number: int = Field(ge=2, description="Its spreadsheet row number (header = 1).",
                            examples=[2])


class WebhookDelivery(Provenance):
    """A purchase of one Hotmart webhook delivery (postback v2)."""

    kind: Literal["webhook"] = Field(default="webhook", description="Discriminator.")
    event_id: str = Field(description="The delivery's Hotmart event id.",
                          examples=["b1c2d3e4-0000-4000-8000-000000000001"])


class ApiPage(Provenance):
    """An item of one page of a Hotmart API read (a backfill)."""

    kind: Literal["hotmart_api"] = Field(default="hotmart_api", description="Discriminator.")
    page_token: str | None = Field(default=None, description="The page's token (None: the "
                                   "first page).", examples=["eyJyb3dzIjo1MH0="])
    page: int | None = Field(default=None, ge=1, description="The page's number, for an "
                             "endpoint paged by number.", examples=[1])
    index: int = Field(ge=0, description="The item's position in its page.", examples=[0])


class MemberList(Provenance):
    """A line of a member list, pasted or uploaded (name;email[;date])."""

    kind: Literal["members"] = Field(default="members", description="Discriminator.")
    list_name: str | None = Field(default=None, description="The uploaded list's file name, "
                                  "if it was a file.", examples=["alunos.txt"])
    line_number: int = Field(ge=1, description="Its line in the list.", examples=[1])


class Manual(Provenance):
    """A buyer or member added by hand."""

    kind: Literal["manual"] = Field(default="manual", description="Discriminator.")
    added_by: str | None = Field(default=None, description="Who added it (an API key's "
                                 "name), if known.", examples=["crm-web"])


RowProvenance = Annotated[FileRow | WebhookDelivery | ApiPage | MemberList | Manual,
                          Field(discriminator="kind")]


# A row is a buyer's purchase as one door reported it (a file's row today; a webhook
# delivery, an API page's item, a member list's line soon), normalised: nothing in it
# depends on a spreadsheet but the provenance of a file's row.
class RowParsed(ImportEvent):
    """A fact about a buyer: who bought what, in what state, and where it was read."""

    kind: Literal["row"] = Field(default="row", description="Discriminator on the row topic.")
    chunk_no: int = Field(ge=0, description="Chunk this row belongs to.", examples=[0])
    row_number: int = Field(
        ge=1, description="The row's position in its import (for a file, its spreadsheet row "
                          "number): with import_id, the row's natural key.", examples=[2])
    source: RowSource = Field(description="The door the row came through.", examples=["file"])
    provenance: RowProvenance = Field(description="Where in its source the row was read.")
    email: str = Field(description="Buyer e-mail, trimmed and lower-cased.",
                       examples=["maria.silva@example.com"])
    name: str | None = Field(default=None, description="Buyer name.", examples=["Maria Silva"])
    phone: str | None = Field(default=None, description="Buyer phone.", examples=["11999990000"])
    document: str | None = Field(default=None, description="Buyer document (CPF / CNPJ).",
                                 examples=["00000000000"])
    product: str | None = Field(default=None, description="Product name.",
                                examples=["Curso Exemplo de Jardinagem"])
    amount: Decimal | None = Field(description="Amount paid, exact decimal; None when the "
                                   "source does not say (a file without an amount column).",
                                   examples=["297.00"])
    currency: str = Field(description="ISO 4217 currency code.", examples=["BRL"])
    status: str | None = Field(default=None, description="Status text as the source wrote it.",
                               examples=["Aprovado"])
    status_code: StatusCode | None = Field(
        description="Hotmart's transaction status the text stands for "
                    "(hotmart_common.hotmart_statuses); None when it is not a known status.",
        examples=["APPROVED"])
    purchased_at: datetime = Field(description="Purchase time, UTC.",
                                   examples=["2024-03-15T17:32:10Z"])
    transaction_code: str | None = Field(default=None, description="Hotmart transaction code.",
                                         examples=["HP0000000000001"])
    purchase_key: str = Field(
        description="Identifies the purchase across imports and doors: 'txn:<code>', or "
                    "'row:<content hash>' when the source has no transaction code "
                    "(hotmart_common.purchase_identity).",
        examples=["txn:HP0000000000001"])
    fingerprint: str = Field(description="Status, amount and currency; a different fingerprint"
                                         " for a known purchase key is a change.",
                             examples=["APPROVED|297|BRL"])
    first_of_buyer: bool = Field(
        description="True on the first row of this e-mail in the import; client counts and "
                    "client events hang on it so a buyer with many rows counts once.",
        examples=[True],
    )


class ChunkEnded(ImportEvent):
    """End-of-chunk marker: every row event of the chunk precedes it in its partition."""

    kind: Literal["chunk_end"] = Field(default="chunk_end",
                                       description="Discriminator on the row topic.")
    chunk_no: int = Field(ge=0, description="The chunk that ended.", examples=[0])
    rows_published: int = Field(ge=0, description="Row events published for this chunk.",
                                examples=[300])
    last: bool = Field(description="True on the marker of the import's last chunk.")
    chunks_total: int | None = Field(default=None, ge=1,
                                     description="Number of chunks (on the last marker).")
    total_rows: int | None = Field(default=None, ge=0,
                                   description="Rows of the import (a file's non-blank data "
                                               "rows), on the last marker.")
    first_row_number: int | None = Field(
        default=None, ge=1, description="Row number of the chunk's first row: with"
        " last_row_number, the range every row of the chunk lies in (none for an empty chunk).",
        examples=[2])
    last_row_number: int | None = Field(default=None, ge=1,
                                        description="Row number of its last row.",
                                        examples=[301])


RowTopicMessage = Annotated[RowParsed | ChunkEnded, Field(discriminator="kind")]
ROW_TOPIC_ADAPTER: TypeAdapter[RowParsed | ChunkEnded] = TypeAdapter(RowTopicMessage)

def _reporting_service(name: str) -> str:
    if name not in REPORTING_SERVICES:
        raise ValueError(f"{name!r} is not a service the registry lists as reporting chunks "
                         f"({', '.join(REPORTING_SERVICES)})")
    return name


def _consumer_service(name: str) -> str:
    if name not in CONSUMER_SERVICES:
        raise ValueError(f"{name!r} is not a row consumer of the registry "
                         f"({', '.join(CONSUMER_SERVICES)})")
    return name


class AmountTotal(BaseModel):
    """Money of a chunk under one name and currency; the finalizer sums them by both."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1,
                      description="What the money is: revenue's status category (active, "
                                  "lost or pending).", examples=["active"])
    currency: str = Field(description="ISO 4217 currency code.", examples=["BRL"])
    amount: Decimal = Field(description="Exact sum of the amounts.", examples=["1234.56"])
    rows: int = Field(ge=0, description="Rows summed.", examples=[4])


class ChunkProcessed(ImportEvent):
    """A service has done its part of a chunk; counts are read from its store. Parse reports
    each chunk once its row events are on the broker, with the rows it skipped.

    The report is generic: each service names its own counters (``counts``), the ids to be
    counted once per import (``distinct``) and its money (``amounts``); the finalizer sums
    them by name whatever the name, so a new consumer's counters need no edit downstream."""

    kind: Literal["chunk_processed"] = Field(default="chunk_processed",
                                             description="Discriminator on the topic.")
    service: Annotated[str, AfterValidator(_reporting_service)] = Field(
        description="The service that processed the chunk: one the registry lists as "
                    "reporting chunks.",
        json_schema_extra={"enum": list(REPORTING_SERVICES)}, examples=["revenue"])
    chunk_no: int = Field(ge=0, description="The chunk processed.", examples=[0])
    chunks_total: int | None = Field(default=None, ge=1,
                                     description="Number of chunks, known from the last marker.")
    total_rows: int | None = Field(default=None, ge=0,
                                   description="Non-blank data rows (from the last marker).")
    rows_processed: int = Field(ge=0, description="Rows of the chunk applied by the service.")
    counts: dict[str, NonNegativeInt] = Field(
        default_factory=dict,
        description="The service's named counters for the chunk, read from its store; the "
                    "finalizer sums each name over the import. Names in use: parse "
                    "rows_skipped; matcher clients_created (each client the import created "
                    "counted in the chunk of its first row only); journey milestones_recorded;"
                    " revenue transactions_new, transactions_changed, transactions_unchanged, "
                    "purchases_without_amount (purchases with no known amount: recorded, in "
                    "no revenue).",
        examples=[{"transactions_new": 250, "transactions_changed": 3}])
    distinct: dict[str, list[UUID]] = Field(
        default_factory=dict,
        description="Ids the finalizer counts once per import under each name, however many "
                    "chunks list them. Names in use: matcher clients_updated (existing "
                    "clients of the chunk with a new or changed purchase).",
        examples=[{"clients_updated": ["0b6f4f4e-8f3c-5f0e-9a1d-3c2b1a0f9e8d"]}])
    amounts: list[AmountTotal] = Field(
        default_factory=list,
        description="Money of the chunk, summed by (name, currency) over the import. Names "
                    "in use: revenue's ledger totals active, lost and pending.")
    issues: list[RowIssue] = Field(default_factory=list,
                                   description="The chunk's skipped rows (parse's report).")


class RowsFailed(ImportEvent):
    """Rows a consumer service could not apply (poison rows), each with its reason."""

    kind: Literal["rows_failed"] = Field(default="rows_failed",
                                         description="Discriminator on the topic.")
    service: Annotated[str, AfterValidator(_consumer_service)] = Field(
        description="The service that could not apply them: a row consumer of the registry.",
        json_schema_extra={"enum": list(CONSUMER_SERVICES)}, examples=["matcher"])
    issues: list[RowIssue] = Field(description="The failed rows.")


class ImportFailed(ImportEvent):
    """The import cannot go on (its file is unreadable, confirmed columns are missing)."""

    kind: Literal["import_failed"] = Field(default="import_failed",
                                           description="Discriminator on the topic.")
    reason: str = Field(description="Why, for a person.",
                        examples=["vendas.csv: the confirmed columns ['Email'] are missing"])
    stage: str = Field(description="The service that failed it.", examples=["parse"])
    attempt: int = Field(default=0, ge=0, description="The attempt that failed.")


ChunkDoneMessage = Annotated[ChunkProcessed | RowsFailed | ImportFailed,
                             Field(discriminator="kind")]
CHUNK_DONE_ADAPTER: TypeAdapter[ChunkProcessed | RowsFailed | ImportFailed] = TypeAdapter(
    ChunkDoneMessage)


class ClientCreated(Event):
    """A buyer became a new client of the CRM."""

    client_id: UUID = Field(description="The new client's id.")
    email: str = Field(description="The client's e-mail.", examples=["maria.silva@example.com"])
    name: str | None = Field(default=None, description="The client's name.",
                             examples=["Maria Silva"])
    import_id: UUID = Field(description="The import that created the client.")
    created_at: datetime = Field(description="When the client was created.")


class ClientUpdated(Event):
    """An existing client got purchases from an import."""

    client_id: UUID = Field(description="The client's id.")
    email: str = Field(description="The client's e-mail.", examples=["maria.silva@example.com"])
    import_id: UUID = Field(description="The import that enriched the client.")


# Counters the summary (and the upload's import resource) also show as fields of their own,
# as they did before ``counts``: each is the counter of the same name, 0 when none reported it.
NAMED_COUNTS: tuple[str, ...] = ("clients_created", "clients_updated", "transactions_new",
                                 "transactions_changed", "transactions_unchanged",
                                 "purchases_without_amount")


def named_counts(counts: Mapping[str, int]) -> dict[str, int]:
    """The fields of ``NAMED_COUNTS``, read by name from an import's counts."""
    return {name: counts.get(name, 0) for name in NAMED_COUNTS}


class ImportSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    total_rows: int = Field(ge=0, description="Non-blank data rows.")
    chunks_total: int = Field(ge=0, description="Chunks the rows were split into.")
    clients_created: int = Field(ge=0, description="Distinct e-mails that were not clients before.")
    clients_updated: int = Field(ge=0, description="Distinct existing clients with purchases.")
    rows_skipped: int = Field(ge=0, description="Rows that changed nothing, with a reason.")
    rows_failed: int = Field(ge=0, description="Rows a service could not apply.")
    transactions_new: int = Field(ge=0, description="Purchases never seen before.")
    transactions_changed: int = Field(ge=0, description="Known purchases that changed.")
    transactions_unchanged: int = Field(ge=0, description="Known purchases seen again unchanged.")
    purchases_without_amount: int = Field(
        default=0, ge=0, description="Purchases whose amount the source did not give: in no "
                                     "revenue sum.")
    total_revenue: Money = Field(description="Sum of active amounts.", examples=["1234.56"])
    lost_revenue: Money = Field(description="Sum of lost amounts.", examples=["297.00"])
    currency: str = Field(description="The import's currency, or MIXED.", examples=["BRL"])
    counts: dict[str, NonNegativeInt] = Field(
        default_factory=dict,
        description="Every counter the reporting services reported for the import, summed by "
                    "name (ids listed under a name counted once): the fields above and any "
                    "other service's.",
        examples=[{"clients_created": 120, "milestones_recorded": 250}])


class ImportCompleted(ImportEvent):
    """Every consumer service has processed every chunk; the summary is final."""

    summary: ImportSummary = Field(description="Final counts of the import.")
    completed_at: datetime = Field(description="When the finalizer completed the import.")


class DeadLetter(BaseModel):
    """A message that could not be decoded, kept with where it came from and why."""

    model_config = ConfigDict(frozen=True)

    topic: str = Field(description="Topic the message was read from.", examples=["import.rows"])
    partition: int = Field(description="Partition it was read from.", examples=[3])
    offset: int = Field(description="Its offset.", examples=[1042])
    key: str | None = Field(default=None, description="Its key, as text (base64 if binary).")
    value_base64: str = Field(description="The original bytes, base64.")
    error: str = Field(description="Why it could not be processed.")
    consumer_group: str = Field(description="The consumer group that rejected it.")
    failed_at: datetime = Field(description="When it was rejected.")
