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
class Owed:
    """Chunks one reporting service has not reported yet: how many, and the first of them."""

    missing: int
    chunks: list[int]


@dataclass(frozen=True)
class Progress:
    chunks_done: int
    rows_failed: int
    total_revenue: Decimal
    lost_revenue: Decimal
    currency: str | None
    revenue_by_currency: dict[str, dict[str, str]]
    counts: dict[str, int] = field(default_factory=dict)
    waiting_for: dict[str, Owed] = field(default_factory=dict)
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
    """How far one reporting service got with an import: how many chunks it reported (each
    once), the highest chunk number among them, and the totals the last chunk carries."""

    reported: int
    last_chunk: int | None = None
    chunks_total: int | None = None
    total_rows: int | None = None


@dataclass(frozen=True)
class AmountSum:
    name: str
    currency: str
    amount: Decimal


@dataclass(frozen=True)
class ReportTotals:
    """An import's chunk reports, reduced by the store (running totals) to a few small rows."""

    by_service: Mapping[str, ServiceReports]
    counts: Mapping[str, int] = field(default_factory=dict)  # each counter summed by name
    distinct: Mapping[str, int] = field(default_factory=dict)  # ids under each name, once
    amounts: Sequence[AmountSum] = ()


@dataclass(frozen=True)
class OwedScan:
    """Where to look for the chunks a service owes: ``first`` (every chunk below it is
    reported) up to ``stop``, a window that holds the first ``SHOWN_OWED`` missing ones."""

    service: str
    first: int
    stop: int


NO_REPORTS = ServiceReports(reported=0)
SHOWN_OWED = 50  # the first chunks owed that progress names; the rest are counted


def expected_chunks(reports: ReportTotals, parsed_chunks: int | None = None) -> int | None:
    """The import's chunk count: the largest total the last chunk's reports carry, else a
    count known beforehand (which only names missing chunks, never completes)."""
    return max((r.chunks_total for r in reports.by_service.values() if r.chunks_total),
               default=None) or parsed_chunks


def owed_scans(reports: ReportTotals, expected: int | None, owed_before: Mapping[str, Owed],
               settled_before: int | None,
               reporting: Sequence[str] = REPORTING_SERVICES) -> list[OwedScan]:
    """The windows the store searches for owed chunks, so a settle never reads all of an
    import's chunk numbers: a service that owed nothing at the previous settle (of
    ``settled_before`` chunks) had every chunk below it; one that owed had every chunk below
    the first it owed. Reports are never removed, so what was reported stays reported. A
    window of the chunks reported past that point plus ``SHOWN_OWED`` holds the first
    ``SHOWN_OWED`` missing chunks (or reaches the end). A service that reported exactly
    chunks 0 to ``expected - 1`` owes nothing and is not searched."""
    if not expected:
        return []
    scans = []
    for service in reporting:
        mine = reports.by_service.get(service, NO_REPORTS)
        if mine.reported == expected and mine.last_chunk == expected - 1:
            continue
        before = owed_before.get(service)
        first = before.chunks[0] if before and before.chunks else (settled_before or 0)
        first = min(first, mine.reported, expected)
        scans.append(OwedScan(service, first, min(expected, mine.reported + SHOWN_OWED)))
    return scans


def import_state(reports: ReportTotals, owed: Mapping[str, Sequence[int]], rows_failed: int,
                 parsed_chunks: int | None = None, rows_skipped: int = 0,
                 reporting: Sequence[str] = REPORTING_SERVICES) -> ImportState:
    """``owed``: the chunks each searched service (``owed_scans``) was found to owe, in
    order, at most ``SHOWN_OWED``; a service not searched owes nothing. Completion waits for
    the total carried by the last chunk's reports and for every reporting service (the
    registry's ``reporting``) to owe nothing."""
    chunks_total = expected_chunks(reports)
    expected = chunks_total or parsed_chunks or 0
    waiting_for: dict[str, Owed] = {}
    for service in reporting:
        chunks = list(owed.get(service, ()))[:SHOWN_OWED]
        if chunks:
            reported = reports.by_service.get(service, NO_REPORTS).reported
            waiting_for[service] = Owed(missing=max(expected - reported, len(chunks)),
                                        chunks=chunks)
    complete = chunks_total is not None and not waiting_for
    done = min((reports.by_service.get(s, NO_REPORTS).reported for s in reporting), default=0)
    progress = _progress(reports, min(done, expected) if expected else done, rows_failed,
                         waiting_for)
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
              waiting_for: dict[str, Owed]) -> Progress:
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
