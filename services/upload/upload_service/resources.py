"""What the HTTP API answers: the import resource and its parts."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, Field

from hotmart_common.events import RowIssue, named_counts
from hotmart_common.hotmart_statuses import STATUS_WHEN_MISSING, StatusCode
from hotmart_common.money import Money

from .outcomes import Outcome, Owed
from .repository import ImportRecord

ImportStatus = Literal["uploaded", "processing", "completed", "failed"]


class RowIssueOut(BaseModel):
    row_number: int = Field(description="Row number in the spreadsheet (header = 1).")
    status: Literal["skipped", "failed"]
    code: str = Field(description="Stable reason code, e.g. invalid_email.")
    column: str | None = Field(description="Column of the offending cell, when there is one.")
    message: str = Field(description="What was wrong, for a person.")

    @classmethod
    def of(cls, issue: RowIssue) -> "RowIssueOut":
        return cls(row_number=issue.row_number, status=issue.status, code=issue.code,
                   column=issue.column, message=issue.message)


class WaitingFor(BaseModel):
    missing: int = Field(description="Chunks the service has not reported yet.")
    chunks: list[int] = Field(description="The first of them (at most 50).")


def waiting_for(owed: dict[str, Owed] | None) -> dict[str, WaitingFor]:
    return {service: WaitingFor(missing=chunks.missing, chunks=chunks.chunks[:50])
            for service, chunks in (owed or {}).items()}


def public_status(record: ImportRecord, outcome: Outcome | None) -> ImportStatus:
    """'uploaded' until confirmed; then the finalizer's status for the current attempt, or
    'processing' while it has not recorded that attempt yet (just confirmed or retried)."""
    if record.status == "uploaded":
        return "uploaded"
    if outcome is None or outcome.attempt < record.attempt:
        return "processing"
    return outcome.status


class ImportResource(BaseModel):
    id: UUID
    file_name: str
    file_format: str
    file_bytes: int
    status: ImportStatus
    uploaded_at: datetime
    confirmed_at: datetime | None
    completed_at: datetime | None
    total_rows: int | None = Field(description="Non-blank data rows, known once parsed.")
    chunks_total: int | None
    chunks_done: int = Field(description="Chunks every consumer service has processed.")
    # The counters below are read by name from ``counts`` (hotmart_common.events.NAMED_COUNTS).
    clients_created: int
    clients_updated: int
    rows_skipped: int
    rows_failed: int
    transactions_new: int = Field(description="Purchases never seen before.")
    transactions_changed: int = Field(description="Known purchases whose status or amount changed.")
    transactions_unchanged: int = Field(description="Known purchases seen again unchanged.")
    purchases_without_amount: int = Field(
        description="Purchases whose amount the file did not give (no amount column): "
                    "recorded on the journey, counted in no revenue.")
    counts: dict[str, int] = Field(
        description="Every counter of the import by name, as the services reported them "
                    "(the counters above among them): a new service's counters appear here.")
    duplicate_policy: Literal["update", "skip"]
    default_purchased_at: datetime | None
    status_when_missing: StatusCode = Field(
        description="Status code of the purchases of a file without a status column.")
    total_revenue: Money = Field(description="Exact sum of active amounts.")
    lost_revenue: Money = Field(description="Exact sum of lost amounts.")
    currency: str | None
    revenue_by_currency: dict[str, dict[str, Money]]
    mapping: dict[str, str] = Field(description="Field -> source column used for this import.")
    error: str | None
    waiting_for: dict[str, WaitingFor] = Field(
        description="While processing: the chunks each consumer service has not reported yet.")
    issues: list[RowIssueOut] = Field(description="The first skipped / failed rows.")
    preview: dict[str, Any] | None = None

    @classmethod
    def of(cls, record: ImportRecord, outcome: Outcome | None, issues: list[RowIssue], *,
           with_preview: bool) -> "ImportResource":
        """The intake record (what was asked) with the finalizer's outcome (what came of
        it): each field means what it meant when one table held both."""
        status = public_status(record, outcome)
        current = outcome is not None and outcome.attempt >= record.attempt
        counts = outcome.counts if outcome else {}
        return cls(
            id=record.import_id,
            file_name=record.file_name or "",
            file_format=record.file_format or "",
            file_bytes=record.file_bytes or 0,
            status=status,
            uploaded_at=record.uploaded_at,
            confirmed_at=record.confirmed_at,
            completed_at=outcome.completed_at if outcome is not None and current else None,
            total_rows=outcome.total_rows if outcome else None,
            chunks_total=outcome.chunks_total if outcome else None,
            chunks_done=outcome.chunks_done if outcome else 0,
            rows_skipped=outcome.rows_skipped if outcome else 0,
            rows_failed=outcome.rows_failed if outcome else 0,
            counts=counts,
            **named_counts(counts),
            duplicate_policy=record.duplicate_policy,
            default_purchased_at=record.default_purchased_at,
            status_when_missing=record.status_when_missing,
            total_revenue=outcome.total_revenue if outcome else Decimal(0),
            lost_revenue=outcome.lost_revenue if outcome else Decimal(0),
            currency=outcome.currency if outcome else None,
            revenue_by_currency=outcome.revenue_by_currency if outcome else {},
            mapping=record.mapping,
            error=outcome.error if outcome is not None and current else None,
            waiting_for=(waiting_for(outcome.waiting_for)
                         if status == "processing" and outcome is not None else {}),
            issues=[RowIssueOut.of(issue) for issue in issues],
            preview=record.preview if with_preview else None,
        )


class ImportHistory(BaseModel):
    items: list[ImportResource]
    limit: int
    offset: int


class RowIssuePage(BaseModel):
    items: list[RowIssueOut]
    next_after_row: int | None = Field(description="Pass as after_row to get the next page.")


# Purchase dates a confirm accepts: Hotmart was founded in 2011, so no export holds an
# earlier one, and this range is far inside what PostgreSQL and Python can hold in any time
# zone (9999-12-31T23:59:59-14:00 cannot: it once left the import in a 500).
EARLIEST_PURCHASE = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_PURCHASE = datetime(2100, 1, 1, tzinfo=UTC)


def plausible_purchase_date(moment: datetime) -> datetime:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    if not EARLIEST_PURCHASE <= aware <= LATEST_PURCHASE:
        raise ValueError(f"must be between {EARLIEST_PURCHASE:%Y-%m-%d} and "
                         f"{LATEST_PURCHASE:%Y-%m-%d}")
    return moment


PurchaseDate = Annotated[datetime, AfterValidator(plausible_purchase_date)]


class ConfirmRequest(BaseModel):
    mapping: dict[str, str] | None = Field(
        default=None,
        description="Override of the detected mapping: field -> source column.",
        examples=[{"email": "E-mail", "amount": "Valor"}],
    )
    duplicate_policy: Literal["update", "skip"] = Field(
        default="update",
        description="'update' enriches existing clients; 'skip' leaves them as they are and "
                    "counts their rows as skipped (existing_client_skipped).",
    )
    default_purchase_date: PurchaseDate | None = Field(
        default=None,
        description="Purchase date of rows without one (default: the upload time), between "
                    "1970 and 2100. Without a time zone it is read as America/Sao_Paulo.",
        examples=["2025-03-01T00:00:00-03:00"],
    )
    status_when_missing: StatusCode = Field(
        default=STATUS_WHEN_MISSING,
        description="For a file without a status column: the Hotmart status code every "
                    "purchase is recorded with (one of Hotmart's transaction statuses; "
                    "WAITING_PAYMENT, the default, counts as pending revenue, APPROVED as "
                    "active). Ignored when the file has a status column.",
        examples=["APPROVED"],
    )
