"""Pure arithmetic over chunk reports: progress, completion and the summary's figures."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from hotmart_common.events import CONSUMER_SERVICES, ChunkProcessed
from hotmart_common.store.imports import Progress


@dataclass(frozen=True)
class ImportState:
    progress: Progress
    chunks_total: int | None
    complete: bool


@dataclass(frozen=True)
class ClientCounts:
    created: int
    updated: int


def import_state(reports: list[ChunkProcessed], rows_failed: int, clients: ClientCounts,
                 parsed_chunks: int | None = None) -> ImportState:
    """``parsed_chunks`` (the parser's count) only names missing chunks; completion waits
    for the total carried by the last chunk's marker."""
    chunks_by_service: dict[str, set[int]] = defaultdict(set)
    for report in reports:
        chunks_by_service[report.service].add(report.chunk_no)
    chunks_total = max((r.chunks_total for r in reports if r.chunks_total), default=None)
    done_everywhere = set.intersection(
        *(chunks_by_service[service] for service in CONSUMER_SERVICES)
    )
    complete = chunks_total is not None and all(
        chunks_by_service[service] >= set(range(chunks_total)) for service in CONSUMER_SERVICES
    )
    expected = set(range(chunks_total or parsed_chunks or 0))
    waiting_for: dict[str, list[int]] = {
        service: sorted(expected - chunks_by_service[service])
        for service in CONSUMER_SERVICES if expected - chunks_by_service[service]
    }
    return ImportState(
        progress=_progress(reports, len(done_everywhere), rows_failed, clients, waiting_for),
        chunks_total=chunks_total,
        complete=complete,
    )


def _progress(reports: list[ChunkProcessed], chunks_done: int, rows_failed: int,
              clients: ClientCounts, waiting_for: dict[str, list[int]]) -> Progress:
    by_currency: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: {"active": Decimal(0), "lost": Decimal(0), "pending": Decimal(0)}
    )
    for report in reports:
        for total in report.revenue:
            by_currency[total.currency][total.category] += total.amount
    revenue = [r for r in reports if r.service == "revenue"]
    currencies = sorted(by_currency)
    return Progress(
        chunks_done=chunks_done,
        clients_created=clients.created,
        clients_updated=clients.updated,
        rows_failed=rows_failed,
        transactions_new=sum(r.transactions_new for r in revenue),
        transactions_changed=sum(r.transactions_changed for r in revenue),
        transactions_unchanged=sum(r.transactions_unchanged for r in revenue),
        total_revenue=sum((c["active"] for c in by_currency.values()), Decimal(0)),
        lost_revenue=sum((c["lost"] for c in by_currency.values()), Decimal(0)),
        currency=currencies[0] if len(currencies) == 1 else ("MIXED" if currencies else None),
        waiting_for=waiting_for,
        revenue_by_currency={
            currency: {category: str(amount) for category, amount in totals.items()}
            for currency, totals in sorted(by_currency.items())
        },
    )
