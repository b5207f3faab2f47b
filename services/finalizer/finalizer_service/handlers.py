"""Finalizer handler: chunk reports in; progress, completion and import.completed out."""

import logging
from datetime import UTC, datetime
from uuid import UUID

from hotmart_common.events import ChunkProcessed, ImportCompleted, ImportSummary, stable_event_id
from hotmart_common.store import UnitOfWork
from hotmart_common.store.imports import ImportsRepository
from hotmart_common.topics import IMPORT_COMPLETED

from .progress import import_state
from .repository import ReportRepository

log = logging.getLogger(__name__)


async def handle_reports(uow: UnitOfWork, reports: list[ChunkProcessed]) -> None:
    repo = ReportRepository(uow.connection)
    await repo.add(reports)
    await repo.add_clients(reports)
    by_import: dict[UUID, str] = {}
    for report in reports:
        by_import[report.import_id] = report.tenant_id
    for import_id, tenant_id in sorted(by_import.items()):
        await _update_import(uow, tenant_id, import_id)


async def _update_import(uow: UnitOfWork, tenant_id: str, import_id: UUID) -> None:
    imports = ImportsRepository(uow.connection)
    record = await imports.get(tenant_id, import_id, lock=True)  # one finalizer at a time
    if record is None:
        log.warning("report for an unknown import", extra={"import_id": str(import_id)})
        return
    repo = ReportRepository(uow.connection)
    state = import_state(await repo.of_import(import_id),
                         await imports.count_issues(import_id, "failed"),
                         await repo.client_counts(import_id))
    await imports.record_progress(import_id, state.progress)
    if not state.complete:
        return
    completed_at = datetime.now(UTC)
    if await imports.complete(import_id, completed_at):
        log.info("import completed", extra={"import_id": str(import_id)})
    else:
        completed_at = record["completed_at"] or completed_at
    progress = state.progress
    uow.publish_after_commit(IMPORT_COMPLETED, ImportCompleted(
        event_id=stable_event_id(import_id, "completed"),
        tenant_id=tenant_id,
        import_id=import_id,
        completed_at=completed_at,
        summary=ImportSummary(
            total_rows=record["total_rows"] or 0,
            chunks_total=state.chunks_total or 0,
            clients_created=progress.clients_created,
            clients_updated=progress.clients_updated,
            rows_skipped=record["rows_skipped"],
            rows_failed=progress.rows_failed,
            transactions_new=progress.transactions_new,
            transactions_changed=progress.transactions_changed,
            transactions_unchanged=progress.transactions_unchanged,
            total_revenue=progress.total_revenue,
            lost_revenue=progress.lost_revenue,
            currency=progress.currency or "BRL",
        ),
    ), key=str(import_id).encode())
