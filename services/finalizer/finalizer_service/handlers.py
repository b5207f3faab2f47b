"""Finalizer handlers: chunk reports in; progress, completion and import.completed out."""

import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from hotmart_common.events import ChunkProcessed, ImportCompleted, ImportSummary, stable_event_id
from hotmart_common.metrics import IMPORTS
from hotmart_common.store import UnitOfWork
from hotmart_common.store.imports import ImportsRepository
from hotmart_common.topics import IMPORT_COMPLETED

from .metrics import IMPORT_DURATION, STALLED_IMPORTS
from .progress import ImportState, import_state
from .repository import ReportRepository

log = logging.getLogger(__name__)


async def handle_reports(uow: UnitOfWork, reports: list[ChunkProcessed]) -> None:
    repo = ReportRepository(uow.connection)
    await repo.add(reports)
    await repo.add_clients(reports)
    by_import: dict[UUID, str] = {}
    for report in reports:
        by_import[report.import_id] = report.tenant_id
    imports = ImportsRepository(uow.connection)
    for import_id, tenant_id in sorted(by_import.items()):
        record = await imports.get(tenant_id, import_id, lock=True)  # one finalizer at a time
        if record is None:
            log.warning("report for an unknown import", extra={"import_id": str(import_id)})
            continue
        await settle(uow, record)


async def settle(uow: UnitOfWork, record: Any) -> ImportState:
    """Writes the import's progress from its reports; completes it when every chunk is in."""
    import_id: UUID = record["import_id"]
    imports = ImportsRepository(uow.connection)
    repo = ReportRepository(uow.connection)
    state = import_state(await repo.totals(import_id),
                         await imports.count_issues(import_id, "failed"),
                         await repo.client_counts(import_id), record["chunks_total"])
    await imports.record_progress(import_id, state.progress)
    if state.complete and record["status"] in ("processing", "completed"):
        await _complete(uow, record, state)
    return state


async def _complete(uow: UnitOfWork, record: Any, state: ImportState) -> None:
    import_id: UUID = record["import_id"]
    completed_at = datetime.now(UTC)
    if await ImportsRepository(uow.connection).complete(import_id, completed_at):
        log.info("import completed", extra={"import_id": str(import_id)})
        took = (completed_at - record["uploaded_at"]).total_seconds()
        uow.after_commit(lambda: _count_completion(took))
    else:
        completed_at = record["completed_at"] or completed_at
    progress = state.progress
    # Published on every settle of a complete import, with one id: a crash between the
    # commit and the publish cannot lose it, and consumers recognise the repeats.
    uow.publish_after_commit(IMPORT_COMPLETED, ImportCompleted(
        event_id=stable_event_id(import_id, "completed"),
        tenant_id=record["tenant_id"],
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
            purchases_without_amount=progress.purchases_without_amount,
            total_revenue=progress.total_revenue,
            lost_revenue=progress.lost_revenue,
            currency=progress.currency or "BRL",
        ),
    ), key=str(import_id).encode())


def _count_completion(seconds: float) -> None:
    IMPORTS.labels("completed").inc()
    IMPORT_DURATION.observe(seconds)


async def watch_processing_imports(uow: UnitOfWork, stall_deadline: timedelta) -> int:
    """One watchdog pass: complete what is complete (after a retry, say), fail the stalled.

    Returns how many imports it failed.
    """
    imports = ImportsRepository(uow.connection)
    failed = 0
    now = datetime.now(UTC)
    for record in await imports.processing():
        state = await settle(uow, record)
        quiet_since = record["last_progress_at"] or record["confirmed_at"] or now
        if state.complete or now - quiet_since < stall_deadline:
            continue
        await imports.fail(record["import_id"],
                           stalled_message(state.progress.waiting_for, stall_deadline))
        log.warning("stalled import failed", extra={"import_id": str(record["import_id"])})
        failed += 1
    stalled = await imports.count_stalled(60.0)
    uow.after_commit(lambda: _count_watch(failed, stalled))
    return failed


def _count_watch(failed: int, stalled: int) -> None:
    IMPORTS.labels("failed").inc(failed)
    STALLED_IMPORTS.set(stalled)


def stalled_message(waiting_for: dict[str, list[int]], deadline: timedelta) -> str:
    owed = "; ".join(f"the {service} service has not processed {_chunks(chunks)}"
                     for service, chunks in sorted(waiting_for.items()))
    return (f"The import made no progress for {int(deadline.total_seconds())} s"
            f"{': ' + owed if owed else ''}. Nothing is lost: once every service is running "
            "again, retry the import and it resumes where it stopped.")


def _chunks(chunks: list[int]) -> str:
    shown = ", ".join(str(chunk) for chunk in chunks[:10])
    more = f" and {len(chunks) - 10} more" if len(chunks) > 10 else ""
    return f"chunk{'s' if len(chunks) > 1 else ''} {shown}{more}"
