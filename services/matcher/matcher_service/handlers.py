"""Matcher handlers: each buyer becomes or enriches a client matched by e-mail."""

from collections import defaultdict
from operator import attrgetter
from typing import NamedTuple
from uuid import UUID

from hotmart_common.events import (
    ChunkEnded,
    ChunkProcessed,
    ClientCreated,
    ClientUpdated,
    stable_event_id,
)
from hotmart_common.metrics import ROWS_PROCESSED
from hotmart_common.store import UnitOfWork
from hotmart_common.topics import CLIENT_CREATED, CLIENT_UPDATED

from .matching import client_key
from .repository import (
    Buyer,
    ClientFacts,
    MatchedRow,
    MatcherRepository,
    Outcome,
    Purchase,
    StoredClient,
)
from .rows import BuyerRow


async def apply_rows(uow: UnitOfWork, rows: list[BuyerRow]) -> None:
    by_import: dict[UUID, list[BuyerRow]] = defaultdict(list)
    for row in rows:
        by_import[row.import_id].append(row)
    for import_rows in by_import.values():
        await _match_import_rows(uow, import_rows)


class Match(NamedTuple):
    row: BuyerRow
    client: StoredClient
    outcome: Outcome


async def _match_import_rows(uow: UnitOfWork, rows: list[BuyerRow]) -> None:
    repo = MatcherRepository(uow.connection)
    import_id, tenant_id = rows[0].import_id, rows[0].tenant_id
    numbers = [r.row_number for r in rows]
    already = await repo.recorded_rows(import_id, numbers)
    fresh = [r for r in rows if r.row_number not in already]
    matches = await _record_fresh_rows(repo, tenant_id, import_id, fresh) if fresh else []
    if already:
        # A redelivery: events are derived from the store, so those a crash may have
        # swallowed after its commit are re-published, with the same ids.
        created = await repo.buyers(import_id, numbers, outcome="created", first_rows_only=True)
        updated = await repo.buyers(import_id, numbers, outcome="updated",
                                    first_rows_only=False)
    else:
        # Every row is new: what the upsert returned is what the store holds.
        created = buyers_of(matches, "created", first_rows_only=True)
        updated = buyers_of(matches, "updated", first_rows_only=False)
    if fresh:
        newly_created = sum(1 for buyer in created if buyer.row_number not in already)
        newly_updated = await repo.note_updated_clients(
            import_id, {m.client.client_id for m in matches if m.outcome == "updated"})
        uow.after_commit(lambda: _count(newly_created, newly_updated))
    for buyer in created:
        uow.publish_after_commit(CLIENT_CREATED, ClientCreated(
            event_id=stable_event_id(buyer.client_id, "created"),
            tenant_id=tenant_id, client_id=buyer.client_id, email=buyer.email,
            name=buyer.name, import_id=import_id, created_at=buyer.created_at,
        ), key=buyer.email.encode())
    for buyer in updated:
        uow.publish_after_commit(CLIENT_UPDATED, ClientUpdated(
            event_id=stable_event_id(buyer.client_id, import_id, "updated"),
            tenant_id=tenant_id, client_id=buyer.client_id, email=buyer.email,
            import_id=import_id,
        ), key=buyer.email.encode())


async def _record_fresh_rows(repo: MatcherRepository, tenant_id: str, import_id: UUID,
                             rows: list[BuyerRow]) -> list[Match]:
    clients = await repo.upsert_clients(tenant_id, import_id, merged_facts(rows))
    client_of = [clients[client_key(r.email)] for r in rows]
    changed = await repo.save_purchases(tenant_id, [
        Purchase(r.purchase_key, r.fingerprint, client.client_id)
        for r, client in zip(rows, client_of, strict=True)
    ])
    matches = [Match(r, client, row_outcome(created=client.created,
                                            changed=r.purchase_key in changed))
               for r, client in zip(rows, client_of, strict=True)]
    await repo.record_rows(import_id, [
        MatchedRow(m.row.row_number, m.row.chunk_no, m.client.client_id, m.row.first_of_buyer,
                   m.outcome) for m in matches
    ])
    return matches


def buyers_of(matches: list[Match], outcome: Outcome, *, first_rows_only: bool) -> list[Buyer]:
    """Distinct clients whose row had ``outcome``, by e-mail, each with its first such row:
    what ``MatcherRepository.buyers`` reads back, from rows just written."""
    chosen: dict[str, Buyer] = {}
    picked = [m for m in matches
              if m.outcome == outcome and (m.row.first_of_buyer or not first_rows_only)]
    for match in sorted(picked, key=lambda m: m.row.row_number):
        email = client_key(match.row.email)
        chosen.setdefault(email, Buyer(
            match.client.client_id, email, match.client.name,
            match.client.created_at, match.row.row_number))
    return [chosen[email] for email in sorted(chosen)]


def _count(created: int, updated: int) -> None:
    ROWS_PROCESSED.labels("matcher", "created").inc(created)
    ROWS_PROCESSED.labels("matcher", "updated").inc(updated)


def row_outcome(*, created: bool, changed: bool) -> Outcome:
    """A client the import created; an existing one with a new or changed purchase; neither."""
    if created:
        return "created"
    return "updated" if changed else "unchanged"


def merged_facts(rows: list[BuyerRow]) -> list[ClientFacts]:
    """One set of facts per client (matching.client_key); a later row's non-empty value
    wins."""
    facts: dict[str, tuple[str | None, str | None, str | None]] = {}
    for row in sorted(rows, key=attrgetter("row_number")):
        key = client_key(row.email)
        old = facts.get(key)
        if old is None:
            facts[key] = (row.name, row.phone, row.document)
        else:
            facts[key] = (row.name or old[0], row.phone or old[1], row.document or old[2])
    return [ClientFacts(email, *values) for email, values in facts.items()]


async def report_chunk(uow: UnitOfWork, end: ChunkEnded) -> ChunkProcessed:
    """The chunk's report, from the matcher's tables. Counter: clients_created (each client
    the import created, in the chunk of its first row only); distinct: clients_updated (the
    chunk's existing clients with a new or changed purchase, counted once per import)."""
    clients = await MatcherRepository(uow.connection).chunk_clients(end)
    return ChunkProcessed(
        event_id=stable_event_id(end.import_id, "matcher", end.chunk_no),
        tenant_id=end.tenant_id, import_id=end.import_id, service="matcher",
        chunk_no=end.chunk_no, chunks_total=end.chunks_total, total_rows=end.total_rows,
        rows_processed=clients.rows, counts={"clients_created": clients.created},
        distinct={"clients_updated": clients.updated},
    )
