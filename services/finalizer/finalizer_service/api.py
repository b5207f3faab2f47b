"""The finalizer's read API: outcomes and row issues, for the upload service to compose
its public import resource. Tenant-scoped: another tenant's import answers exactly like
one that does not exist."""

from datetime import datetime
from typing import Annotated, Final, Literal
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from hotmart_common.events import RowIssue
from hotmart_common.http_edge import error_responses
from hotmart_common.money import Money
from hotmart_common.service import Context, ServiceContext

from .repository import IssueRepository, Outcome, OutcomeRepository

router = APIRouter(prefix="/internal/v1/outcomes", tags=["outcomes"])
MAX_PG_INTEGER: Final = 2**31 - 1
MAX_IDS: Final = 200

TenantId = Annotated[str, Query(min_length=1, max_length=200, pattern=r"^[^\x00]+$",
                                description="The tenant the import belongs to.")]
IssueStatusQuery = Annotated[Literal["skipped", "failed"] | None,
                             Query(alias="status", description="Only these issues.")]
AfterRow = Annotated[int, Query(ge=0, le=MAX_PG_INTEGER,
                                description="Only issues after this row number.")]




class OwedOut(BaseModel):
    missing: int = Field(description="How many chunks the service has not reported.")
    chunks: list[int] = Field(description="The first of them, at most 50.")


class OutcomeOut(BaseModel):
    import_id: UUID
    tenant_id: str
    attempt: int = Field(description="The confirm (0) or retry it reflects.")
    status: Literal["processing", "completed", "failed"]
    uploaded_at: datetime | None
    confirmed_at: datetime | None = Field(description="When the finalizer learned of it.")
    completed_at: datetime | None
    total_rows: int | None
    chunks_total: int | None
    chunks_done: int
    rows_skipped: int
    rows_failed: int
    counts: dict[str, int] = Field(
        description="Every counter the reporting services reported, summed by name (ids "
                    "listed under a name counted once), e.g. clients_created, "
                    "transactions_new, purchases_without_amount.")
    total_revenue: Money
    lost_revenue: Money
    currency: str | None
    revenue_by_currency: dict[str, dict[str, Money]]
    waiting_for: dict[str, OwedOut] | None = Field(
        description="Chunks each reporting service still owes, while processing.")
    last_progress_at: datetime | None
    error: str | None

    @classmethod
    def of(cls, outcome: Outcome) -> "OutcomeOut":
        return cls.model_validate(outcome, from_attributes=True)


class OutcomeList(BaseModel):
    items: list[OutcomeOut] = Field(description="The outcomes known, of the ids asked.")


class IssuePage(BaseModel):
    items: list[RowIssue]
    next_after_row: int | None = Field(description="Pass as after_row for the next page.")


class IssueRowAfter(BaseModel):
    row_number: int | None = Field(
        description="Row of the issue after the first `skipping` ones; none when none is left.")


async def _known(ctx: ServiceContext, tenant_id: str, import_id: UUID) -> Outcome:
    async with ctx.store.pool.acquire() as conn:
        outcome = await OutcomeRepository(conn).get(tenant_id, import_id)
    if outcome is None:
        raise HTTPException(404, detail=f"no outcome for import {import_id}")
    return outcome


@router.get("", response_model=OutcomeList, responses=error_responses(422))
async def outcomes(ctx: Context, tenant_id: TenantId,
                   ids: Annotated[list[UUID], Query(max_length=MAX_IDS,
                                                    description="Import ids.")]) -> OutcomeList:
    """The outcomes of many imports at once (the history); unknown ids are left out."""
    async with ctx.store.pool.acquire() as conn:
        found = await OutcomeRepository(conn).get_many(tenant_id, ids)
    return OutcomeList(items=[OutcomeOut.of(outcome) for outcome in found])


@router.get("/{import_id}", response_model=OutcomeOut, responses=error_responses(404, 422))
async def outcome(import_id: UUID, ctx: Context, tenant_id: TenantId) -> OutcomeOut:
    """What became of one confirmed import: progress, summary or error."""
    return OutcomeOut.of(await _known(ctx, tenant_id, import_id))


@router.get("/{import_id}/issues", response_model=IssuePage,
            responses=error_responses(404, 422))
async def issues(import_id: UUID, ctx: Context, tenant_id: TenantId,
                 issue_status: IssueStatusQuery = None, after_row: AfterRow = 0,
                 limit: Annotated[int, Query(ge=1, le=10_000)] = 100) -> IssuePage:
    """The import's skipped / failed rows in row order, a page at a time."""
    await _known(ctx, tenant_id, import_id)
    async with ctx.store.pool.acquire() as conn:
        page = await IssueRepository(conn).page(import_id, status=issue_status, limit=limit,
                                                after_row=after_row)
    return IssuePage(items=page,
                     next_after_row=page[-1].row_number if len(page) == limit else None)


@router.get("/{import_id}/issue-row-after", response_model=IssueRowAfter,
            responses=error_responses(404, 422))
async def issue_row_after(
    import_id: UUID, ctx: Context, tenant_id: TenantId, issue_status: IssueStatusQuery = None,
    after_row: AfterRow = 0,
    skipping: Annotated[int, Query(ge=0, le=MAX_PG_INTEGER)] = 0,
) -> IssueRowAfter:
    """Where a page of ``skipping`` issues after ``after_row`` would be followed."""
    await _known(ctx, tenant_id, import_id)
    async with ctx.store.pool.acquire() as conn:
        row = await IssueRepository(conn).row_after(import_id, status=issue_status,
                                                    after_row=after_row, skipping=skipping)
    return IssueRowAfter(row_number=row)
