"""Pure arithmetic over an import's report totals: progress, completion and the summary."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from hotmart_common.events import REPORTING_SERVICES
from hotmart_common.money import money_text


@dataclass(frozen=True)
class Progress:
    chunks_done: int
    clients_created: int
    clients_updated: int
    rows_failed: int
    transactions_new: int
    transactions_changed: int
    transactions_unchanged: int
    total_revenue: Decimal
    lost_revenue: Decimal
    currency: str | None
    revenue_by_currency: dict[str, dict[str, str]]
    waiting_for: dict[str, list[int]] = field(default_factory=dict)
    rows_skipped: int = 0
    total_rows: int | None = None
    chunks_total: int | None = None
    purchases_without_amount: int = 0


@dataclass(frozen=True)
class ImportState:
    progress: Progress
    chunks_total: int | None
    complete: bool


@dataclass(frozen=True)
class ClientCounts:
    """Clients the reports listed by id, each counted once however many chunks list it."""

    created: int
    updated: int


@dataclass(frozen=True)
class ServiceReports:
    """What one consumer service reported for an import, summed by the store."""

    chunks: frozenset[int]
    chunks_total: int | None = None
    total_rows: int | None = None
    transactions_new: int = 0
    transactions_changed: int = 0
    transactions_unchanged: int = 0
    purchases_without_amount: int = 0
    clients_created: int = 0  # counted in the chunk of each client's first row


@dataclass(frozen=True)
class RevenueSum:
    currency: str
    category: str
    amount: Decimal


@dataclass(frozen=True)
class ReportTotals:
    """An import's chunk reports, reduced by the store to a few small rows."""

    by_service: Mapping[str, ServiceReports]
    revenue: Sequence[RevenueSum] = ()


NO_REPORTS = ServiceReports(chunks=frozenset())


def import_state(reports: ReportTotals, rows_failed: int, clients: ClientCounts,
                 parsed_chunks: int | None = None, rows_skipped: int = 0) -> ImportState:
    """``parsed_chunks`` (a count known before the reports) only names missing chunks;
    completion waits for the total carried by the last chunk's reports. Every reporting
    service (parse and the row consumers) must report every chunk."""
    chunks_by_service = {service: reports.by_service.get(service, NO_REPORTS).chunks
                         for service in REPORTING_SERVICES}
    chunks_total = max((r.chunks_total for r in reports.by_service.values() if r.chunks_total),
                       default=None)
    done_everywhere = frozenset.intersection(*chunks_by_service.values())
    complete = chunks_total is not None and all(
        chunks >= set(range(chunks_total)) for chunks in chunks_by_service.values()
    )
    expected = set(range(chunks_total or parsed_chunks or 0))
    waiting_for: dict[str, list[int]] = {
        service: sorted(expected - chunks)
        for service, chunks in chunks_by_service.items() if expected - chunks
    }
    progress = _progress(reports, len(done_everywhere), rows_failed, clients, waiting_for)
    total_rows = max((r.total_rows for r in reports.by_service.values()
                      if r.total_rows is not None), default=None)
    return ImportState(
        progress=replace(progress, rows_skipped=rows_skipped, total_rows=total_rows,
                         chunks_total=chunks_total),
        chunks_total=chunks_total,
        complete=complete,
    )


def _progress(reports: ReportTotals, chunks_done: int, rows_failed: int,
              clients: ClientCounts, waiting_for: dict[str, list[int]]) -> Progress:
    by_currency: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: {"active": Decimal(0), "lost": Decimal(0), "pending": Decimal(0)}
    )
    for total in reports.revenue:
        by_currency[total.currency][total.category] += total.amount
    revenue = reports.by_service.get("revenue", NO_REPORTS)
    matcher = reports.by_service.get("matcher", NO_REPORTS)
    currencies = sorted(by_currency)
    return Progress(
        chunks_done=chunks_done,
        clients_created=clients.created + matcher.clients_created,
        clients_updated=clients.updated,
        rows_failed=rows_failed,
        transactions_new=revenue.transactions_new,
        transactions_changed=revenue.transactions_changed,
        transactions_unchanged=revenue.transactions_unchanged,
        total_revenue=sum((c["active"] for c in by_currency.values()), Decimal(0)),
        lost_revenue=sum((c["lost"] for c in by_currency.values()), Decimal(0)),
        currency=currencies[0] if len(currencies) == 1 else ("MIXED" if currencies else None),
        waiting_for=waiting_for,
        purchases_without_amount=revenue.purchases_without_amount,
        revenue_by_currency={
            currency: {category: money_text(amount) for category, amount in totals.items()}
            for currency, totals in sorted(by_currency.items())
        },
    )
