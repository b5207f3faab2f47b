"""Finalizer handlers: confirms and chunk reports in; progress, completion and
import.completed out.

``import.chunk.done`` carries three kinds of message: each service's report of each chunk
(parse's with the rows it skipped), rows a consumer could not apply, and an import that
cannot go on. The finalizer records them all insert-if-absent, then settles each import
they touched from what its own tables hold.
"""

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from uuid import UUID

from hotmart_common.events import (
    ChunkProcessed,
    ImportCompleted,
    ImportConfirmed,
    ImportFailed,
    ImportSummary,
    RowIssue,
    RowsFailed,
    named_counts,
    stable_event_id,
)
from hotmart_common.metrics import IMPORTS
from hotmart_common.store import UnitOfWork
from hotmart_common.topics import IMPORT_COMPLETED

from .metrics import IMPORT_DURATION, STALLED_IMPORTS
from .progress import ImportState, Owed, expected_chunks, import_state, owed_scans
from .repository import Outcome, OutcomeRepository, ReportRepository

log = logging.getLogger(__name__)

ChunkDone = ChunkProcessed | RowsFailed | ImportFailed


async def handle_confirmed(uow: UnitOfWork, events: Sequence[ImportConfirmed]) -> None:
    """A confirmed import is processing; a retry (a higher attempt) reopens a failed one.
    Reports that arrived before the confirm (another topic) are settled at once."""
    outcomes = OutcomeRepository(uow.connection)
    for event in sorted(events, key=lambda e: (e.import_id, e.attempt)):
        await outcomes.open(event)
    await _settle_all(uow, {e.import_id: e.tenant_id for e in events})


async def handle_reports(uow: UnitOfWork, messages: Sequence[ChunkDone]) -> None:
    reports = [m for m in messages if isinstance(m, ChunkProcessed)]
    issues: list[tuple[UUID, RowIssue]] = [
        (m.import_id, issue) for m in messages if not isinstance(m, ImportFailed)
        for issue in m.issues]
    await ReportRepository(uow.connection).record(reports, issues)  # one statement
    outcomes = OutcomeRepository(uow.connection)
    for failure in (m for m in messages if isinstance(m, ImportFailed)):
        await outcomes.fail_attempt(failure)
        log.warning("import failed", extra={"import_id": str(failure.import_id),
                                            "stage": failure.stage, "reason": failure.reason})
        # counted as failed by the service that failed it (parse), not again here
    await _settle_all(uow, {m.import_id: m.tenant_id for m in messages})


async def _settle_all(uow: UnitOfWork, imports: dict[UUID, str]) -> None:
    outcomes = OutcomeRepository(uow.connection)
    for import_id, tenant_id in sorted(imports.items()):
        outcome = await outcomes.get(tenant_id, import_id, lock=True)  # one finalizer at a time
        if outcome is None:  # its confirm has not arrived yet: it settles them then
            log.info("report before the confirm", extra={"import_id": str(import_id)})
            continue
        await settle(uow, outcome)


async def settle(uow: UnitOfWork, outcome: Outcome) -> ImportState:
    """Writes the import's progress from its reports; completes it when every chunk is in."""
    import_id = outcome.import_id
    outcomes = OutcomeRepository(uow.connection)
    repo = ReportRepository(uow.connection)
    totals, issues = await repo.totals_and_issues(import_id)
    settled_before = outcome.chunks_total if outcome.waiting_for is not None else None
    scans = owed_scans(totals, expected_chunks(totals, outcome.chunks_total),
                       outcome.waiting_for or {}, settled_before)
    state = import_state(totals, await repo.owed(import_id, scans), issues.failed,
                         outcome.chunks_total, rows_skipped=issues.skipped)
    await outcomes.record_progress(import_id, state.progress)
    if state.complete and outcome.status in ("processing", "completed"):
        await _complete(uow, outcome, state)
    return state


async def _complete(uow: UnitOfWork, outcome: Outcome, state: ImportState) -> None:
    import_id = outcome.import_id
    completed_at = datetime.now(UTC)
    if await OutcomeRepository(uow.connection).complete(import_id, completed_at):
        log.info("import completed", extra={"import_id": str(import_id)})
        if outcome.uploaded_at is not None:
            took = (completed_at - outcome.uploaded_at).total_seconds()
            uow.after_commit(lambda: _count_completion(took))
    else:
        completed_at = outcome.completed_at or completed_at
    progress = state.progress
    # Published on every settle of a complete import, with one id: a crash between the
    # commit and the publish cannot lose it, and consumers recognise the repeats.
    uow.publish_after_commit(IMPORT_COMPLETED, ImportCompleted(
        event_id=stable_event_id(import_id, "completed"),
        tenant_id=outcome.tenant_id,
        import_id=import_id,
        completed_at=completed_at,
        summary=ImportSummary(
            total_rows=progress.total_rows or 0,
            chunks_total=state.chunks_total or 0,
            rows_skipped=progress.rows_skipped,
            rows_failed=progress.rows_failed,
            total_revenue=progress.total_revenue,
            lost_revenue=progress.lost_revenue,
            currency=progress.currency or "BRL",
            counts=progress.counts,
            **named_counts(progress.counts),
        ),
    ), key=str(import_id).encode())


def _count_completion(seconds: float) -> None:
    IMPORTS.labels("completed").inc()
    IMPORT_DURATION.observe(seconds)


async def watch_processing_imports(uow: UnitOfWork, stall_deadline: timedelta) -> int:
    """One watchdog pass: complete what is complete (after a retry, say), fail the stalled.

    Returns how many imports it failed.
    """
    outcomes = OutcomeRepository(uow.connection)
    failed = 0
    now = datetime.now(UTC)
    for outcome in await outcomes.processing():
        state = await settle(uow, outcome)
        quiet_since = outcome.last_progress_at or outcome.confirmed_at or now
        if state.complete or now - quiet_since < stall_deadline:
            continue
        await outcomes.fail(outcome.import_id, stalled_message(
            state.progress.waiting_for, stall_deadline,
            parse_reported=state.chunks_total is not None))
        log.warning("stalled import failed", extra={"import_id": str(outcome.import_id)})
        failed += 1
    stalled = await outcomes.count_stalled(60.0)
    uow.after_commit(lambda: _count_watch(failed, stalled))
    return failed


def _count_watch(failed: int, stalled: int) -> None:
    IMPORTS.labels("failed").inc(failed)
    STALLED_IMPORTS.set(stalled)


def stalled_message(waiting_for: dict[str, Owed], deadline: timedelta, *,
                    parse_reported: bool = True) -> str:
    """What the import owes: before the last chunk's total is known, parse's report."""
    owed = [f"the {service} service has not processed {_chunks(chunks)}"
            for service, chunks in sorted(waiting_for.items()) if chunks.missing]
    if not parse_reported and "parse" not in waiting_for:
        owed.insert(0, "the parse service has not reported")
    text = "; ".join(owed)
    return (f"The import made no progress for {int(deadline.total_seconds())} s"
            f"{': ' + text if text else ''}. Nothing is lost: once every service is running "
            "again, retry the import and it resumes where it stopped.")


def _chunks(owed: Owed) -> str:
    shown = ", ".join(str(chunk) for chunk in owed.chunks[:10])
    hidden = owed.missing - min(len(owed.chunks), 10)
    more = f" and {hidden} more" if hidden > 0 else ""
    return f"chunk{'s' if owed.missing > 1 else ''} {shown}{more}"
