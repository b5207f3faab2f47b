"""What the HTTP API answers: the import resource and its parts."""

import json
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import asyncpg
from pydantic import AfterValidator, BaseModel, Field

from hotmart_common.events import CONSUMER_SERVICES
from hotmart_common.hotmart_statuses import STATUS_WHEN_MISSING, StatusCode
from hotmart_common.money import Money
from hotmart_common.store.imports import RowIssue

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


def waiting_for(record: asyncpg.Record) -> dict[str, WaitingFor]:
    if record["status"] != "processing":
        return {}
    if record["waiting_for"] is not None:
        owed: dict[str, list[int]] = json.loads(record["waiting_for"])
    elif record["chunks_total"]:  # no service has reported anything yet
        owed = {service: list(range(record["chunks_total"])) for service in CONSUMER_SERVICES}
    else:
        return {}
    return {service: WaitingFor(missing=len(chunks), chunks=chunks[:50])
            for service, chunks in owed.items()}


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
    def of(cls, row: asyncpg.Record, issues: list[RowIssue], *,
           with_preview: bool) -> "ImportResource":
        return cls(
            id=row["import_id"],
            file_name=row["file_name"],
            file_format=row["file_format"],
            file_bytes=row["file_bytes"],
            status=row["status"],
            uploaded_at=row["uploaded_at"],
            confirmed_at=row["confirmed_at"],
            completed_at=row["completed_at"],
            total_rows=row["total_rows"],
            chunks_total=row["chunks_total"],
            chunks_done=row["chunks_done"],
            clients_created=row["clients_created"],
            clients_updated=row["clients_updated"],
            rows_skipped=row["rows_skipped"],
            rows_failed=row["rows_failed"],
            transactions_new=row["transactions_new"],
            transactions_changed=row["transactions_changed"],
            transactions_unchanged=row["transactions_unchanged"],
            purchases_without_amount=row["purchases_without_amount"],
            duplicate_policy=row["duplicate_policy"],
            default_purchased_at=row["default_purchased_at"],
            status_when_missing=row["status_when_missing"],
            total_revenue=row["total_revenue"],
            lost_revenue=row["lost_revenue"],
            currency=row["currency"],
            revenue_by_currency=json.loads(row["revenue_by_currency"]),
            mapping=json.loads(row["mapping"]),
            error=row["error"],
            waiting_for=waiting_for(row),
            issues=[RowIssueOut.of(issue) for issue in issues],
            preview=json.loads(row["preview"]) if with_preview else None,
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
