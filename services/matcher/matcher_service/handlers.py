"""Matcher handlers: each buyer becomes or enriches a client matched by e-mail."""

from collections import defaultdict
from uuid import UUID

from hotmart_common.events import (
    ChunkEnded,
    ChunkProcessed,
    ClientCreated,
    ClientUpdated,
    RowParsed,
    stable_event_id,
)
from hotmart_common.metrics import ROWS_PROCESSED
from hotmart_common.purchases import purchase_outcome
from hotmart_common.store import UnitOfWork
from hotmart_common.topics import CLIENT_CREATED, CLIENT_UPDATED

from .repository import ClientFacts, MatchedRow, MatcherRepository, Purchase


async def apply_rows(uow: UnitOfWork, rows: list[RowParsed]) -> None:
    by_import: dict[UUID, list[RowParsed]] = defaultdict(list)
    for row in rows:
        by_import[row.import_id].append(row)
    for import_rows in by_import.values():
        await _match_import_rows(uow, import_rows)


async def _match_import_rows(uow: UnitOfWork, rows: list[RowParsed]) -> None:
    repo = MatcherRepository(uow.connection)
    import_id, tenant_id = rows[0].import_id, rows[0].tenant_id
    numbers = [r.row_number for r in rows]
    already = await repo.recorded_rows(import_id, numbers)
    fresh = [r.row_number for r in rows if r.row_number not in already]
    if fresh:
        await _record_fresh_rows(repo, tenant_id, import_id,
                                 [r for r in rows if r.row_number not in already])
    # Derived from the store, not from what this call inserted: a redelivered batch
    # re-publishes the same events (same ids) that a crash may have swallowed.
    created = await repo.buyers(import_id, numbers, outcome="created", first_rows_only=True)
    if fresh:
        newly_created = sum(1 for buyer in created if buyer.row_number not in already)
        updated = await repo.newly_updated_clients(import_id, fresh)
        uow.after_commit(lambda: _count(newly_created, updated))
    for buyer in created:
        uow.publish_after_commit(CLIENT_CREATED, ClientCreated(
            event_id=stable_event_id(buyer.client_id, "created"),
            tenant_id=tenant_id, client_id=buyer.client_id, email=buyer.email,
            name=buyer.name, import_id=import_id, created_at=buyer.created_at,
        ), key=buyer.email.encode())
    for buyer in await repo.buyers(import_id, numbers, outcome="updated", first_rows_only=False):
        uow.publish_after_commit(CLIENT_UPDATED, ClientUpdated(
            event_id=stable_event_id(buyer.client_id, import_id, "updated"),
            tenant_id=tenant_id, client_id=buyer.client_id, email=buyer.email,
            import_id=import_id,
        ), key=buyer.email.encode())


async def _record_fresh_rows(repo: MatcherRepository, tenant_id: str, import_id: UUID,
                             rows: list[RowParsed]) -> None:
    clients = await repo.upsert_clients(tenant_id, import_id, merged_facts(rows))
    known = await repo.known_fingerprints(tenant_id, [r.purchase_key for r in rows])
    changed = [r for r in rows
               if purchase_outcome(known.get(r.purchase_key), r.fingerprint) != "unchanged"]
    await repo.save_purchases(tenant_id, [
        Purchase(r.purchase_key, r.fingerprint, clients[r.email][0]) for r in changed
    ])
    changed_rows = {r.row_number for r in changed}
    await repo.record_rows(import_id, [
        MatchedRow(r.row_number, r.chunk_no, clients[r.email][0], r.first_of_buyer,
                   row_outcome(created=clients[r.email][1], changed=r.row_number in changed_rows))
        for r in rows
    ])


def _count(created: int, updated: int) -> None:
    ROWS_PROCESSED.labels("matcher", "created").inc(created)
    ROWS_PROCESSED.labels("matcher", "updated").inc(updated)


def row_outcome(*, created: bool, changed: bool) -> str:
    """A client the import created; an existing one with a new or changed purchase; neither."""
    if created:
        return "created"
    return "updated" if changed else "unchanged"


def merged_facts(rows: list[RowParsed]) -> list[ClientFacts]:
    """One set of facts per e-mail; a later row's non-empty value wins."""
    facts: dict[str, ClientFacts] = {}
    for row in sorted(rows, key=lambda r: r.row_number):
        old = facts.get(row.email)
        facts[row.email] = ClientFacts(
            email=row.email,
            name=row.name or (old.name if old else None),
            phone=row.phone or (old.phone if old else None),
            document=row.document or (old.document if old else None),
        )
    return list(facts.values())


async def report_chunk(uow: UnitOfWork, end: ChunkEnded) -> ChunkProcessed:
    clients = await MatcherRepository(uow.connection).chunk_clients(end.import_id, end.chunk_no)
    return ChunkProcessed(
        event_id=stable_event_id(end.import_id, "matcher", end.chunk_no),
        tenant_id=end.tenant_id, import_id=end.import_id, service="matcher",
        chunk_no=end.chunk_no, chunks_total=end.chunks_total, total_rows=end.total_rows,
        rows_processed=clients.rows, created_client_ids=clients.created,
        updated_client_ids=clients.updated,
    )
