"""Pure arithmetic over an import's report totals: progress, completion and the summary.

Nothing here knows a service's counters: the reports' counts, distinct ids and amounts are
summed by name, so a new reporting service (a registry entry) needs no edit here.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from hotmart_common.events import REPORTING_SERVICES
from hotmart_common.money import money_text

# Amount names the summary's revenue figures are read from (revenue's status categories);
# every currency shows all three, and any other name a service reports besides.
REVENUE_CATEGORIES = ("active", "lost", "pending")


@dataclass(frozen=True)
class Progress:
    chunks_done: int
    rows_failed: int
    total_revenue: Decimal
    lost_revenue: Decimal
    currency: str | None
    revenue_by_currency: dict[str, dict[str, str]]
    counts: dict[str, int] = field(default_factory=dict)
    waiting_for: dict[str, list[int]] = field(default_factory=dict)
    rows_skipped: int = 0
    total_rows: int | None = None
    chunks_total: int | None = None


@dataclass(frozen=True)
class ImportState:
    progress: Progress
    chunks_total: int | None
    complete: bool


@dataclass(frozen=True)
class ServiceReports:
    """Which chunks one reporting service reported for an import, and the totals they carry."""

    chunks: frozenset[int]
    chunks_total: int | None = None
    total_rows: int | None = None


@dataclass(frozen=True)
class AmountSum:
    name: str
    currency: str
    amount: Decimal


@dataclass(frozen=True)
class ReportTotals:
    """An import's chunk reports, reduced by the store to a few small rows."""

    by_service: Mapping[str, ServiceReports]
    counts: Mapping[str, int] = field(default_factory=dict)  # each counter summed by name
    distinct: Mapping[str, int] = field(default_factory=dict)  # ids under each name, once
    amounts: Sequence[AmountSum] = ()


NO_REPORTS = ServiceReports(chunks=frozenset())


def import_state(reports: ReportTotals, rows_failed: int, parsed_chunks: int | None = None,
                 rows_skipped: int = 0,
                 reporting: Sequence[str] = REPORTING_SERVICES) -> ImportState:
    """``parsed_chunks`` (a count known before the reports) only names missing chunks;
    completion waits for the total carried by the last chunk's reports. Every reporting
    service (``reporting``: the registry's) must report every chunk."""
    chunks_by_service = {service: reports.by_service.get(service, NO_REPORTS).chunks
                         for service in reporting}
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
    progress = _progress(reports, len(done_everywhere), rows_failed, waiting_for)
    total_rows = max((r.total_rows for r in reports.by_service.values()
                      if r.total_rows is not None), default=None)
    return ImportState(
        progress=replace(progress, rows_skipped=rows_skipped, total_rows=total_rows,
                         chunks_total=chunks_total),
        chunks_total=chunks_total,
        complete=complete,
    )


def import_counts(reports: ReportTotals) -> dict[str, int]:
    """Every counter of the import by name: the summed counts, plus each name's distinct
    ids (a name used both ways adds the two), sorted by name."""
    counts: dict[str, int] = defaultdict(int)
    for totals in (reports.counts, reports.distinct):
        for name, value in totals.items():
            counts[name] += value
    return dict(sorted(counts.items()))


def _progress(reports: ReportTotals, chunks_done: int, rows_failed: int,
              waiting_for: dict[str, list[int]]) -> Progress:
    by_currency: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: dict.fromkeys(REVENUE_CATEGORIES, Decimal(0))
    )
    for total in reports.amounts:
        by_currency[total.currency][total.name] = (
            by_currency[total.currency].get(total.name, Decimal(0)) + total.amount)
    currencies = sorted(by_currency)
    return Progress(
        chunks_done=chunks_done,
        rows_failed=rows_failed,
        counts=import_counts(reports),
        total_revenue=sum((c["active"] for c in by_currency.values()), Decimal(0)),
        lost_revenue=sum((c["lost"] for c in by_currency.values()), Decimal(0)),
        currency=currencies[0] if len(currencies) == 1 else ("MIXED" if currencies else None),
        waiting_for=waiting_for,
        revenue_by_currency={
            currency: {name: money_text(amount) for name, amount in totals.items()}
            for currency, totals in sorted(by_currency.items())
        },
    )
