"""The finalizer's read API, as the upload service reads it: what became of each import
(its outcome) and its row issues. The finalizer owns them; this service only asks."""

import logging
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Final, Literal
from uuid import UUID

import httpx
from pydantic import BaseModel, ConfigDict, TypeAdapter

from hotmart_common.events import IssueStatus, RowIssue

OutcomeStatus = Literal["processing", "completed", "failed"]
TIMEOUT_S: Final = 5.0


class FinalizerUnavailable(Exception):
    """The finalizer did not answer (down, restarting, or failing)."""


class Owed(BaseModel):
    """Chunks a reporting service has not reported: how many, and the first (at most 50)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    missing: int
    chunks: list[int]


class Outcome(BaseModel):
    """The finalizer's outcome of one import, as its API answers it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    import_id: UUID
    attempt: int
    status: OutcomeStatus
    completed_at: datetime | None
    total_rows: int | None
    chunks_total: int | None
    chunks_done: int
    rows_skipped: int
    rows_failed: int
    counts: dict[str, int]  # every counter of the import, by name, whoever reported it
    total_revenue: Decimal
    lost_revenue: Decimal
    currency: str | None
    revenue_by_currency: dict[str, dict[str, str]]
    waiting_for: dict[str, Owed] | None
    error: str | None


# httpx logs every request at info: the import resource is read several times a second
# while an import runs, so only its warnings are kept.
logging.getLogger("httpx").setLevel(logging.WARNING)

_OUTCOMES = TypeAdapter(list[Outcome])
_ISSUES = TypeAdapter(list[RowIssue])


class FinalizerClient:
    def __init__(self, base_url: str, timeout_s: float = TIMEOUT_S) -> None:
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout_s)

    async def close(self) -> None:
        await self._http.aclose()

    async def outcome(self, tenant_id: str, import_id: UUID) -> Outcome | None:
        body = await self._get(f"/internal/v1/outcomes/{import_id}", {"tenant_id": tenant_id})
        return None if body is None else Outcome.model_validate(body)

    async def outcomes(self, tenant_id: str, import_ids: Sequence[UUID]) -> dict[UUID, Outcome]:
        if not import_ids:
            return {}
        body = await self._get("/internal/v1/outcomes", {
            "tenant_id": tenant_id, "ids": [str(i) for i in import_ids]})
        found = _OUTCOMES.validate_python(body["items"] if body else [])
        return {outcome.import_id: outcome for outcome in found}

    async def issues(self, tenant_id: str, import_id: UUID, *, status: IssueStatus | None = None,
                     after_row: int = 0, limit: int = 100) -> list[RowIssue]:
        """The import's issues after ``after_row``, in row order; none for an import the
        finalizer has not heard of."""
        params: dict[str, Any] = {"tenant_id": tenant_id, "after_row": after_row,
                                  "limit": limit}
        if status is not None:
            params["status"] = status
        body = await self._get(f"/internal/v1/outcomes/{import_id}/issues", params)
        return _ISSUES.validate_python(body["items"]) if body else []

    async def issue_row_after(self, tenant_id: str, import_id: UUID, *,
                              status: IssueStatus | None, after_row: int,
                              skipping: int) -> int | None:
        params: dict[str, Any] = {"tenant_id": tenant_id, "after_row": after_row,
                                  "skipping": skipping}
        if status is not None:
            params["status"] = status
        body = await self._get(f"/internal/v1/outcomes/{import_id}/issue-row-after", params)
        row: int | None = body["row_number"] if body else None
        return row

    async def _get(self, path: str, params: dict[str, Any]) -> Any:
        """The answer's JSON; None on 404; FinalizerUnavailable when there is no answer."""
        try:
            answer = await self._http.get(path, params=params)
        except httpx.HTTPError as error:
            raise FinalizerUnavailable(f"{type(error).__name__}: {error}") from error
        if answer.status_code == 404:
            return None
        if answer.status_code != 200:
            raise FinalizerUnavailable(f"the finalizer answered {answer.status_code}")
        return answer.json()
