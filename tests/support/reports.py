"""Chunk reports as sets of chunk numbers, and the finalizer's progress over them computed
the long way: the reference the store's running totals and owed windows must agree with."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from finalizer_service.progress import (
    SHOWN_OWED,
    AmountSum,
    ImportState,
    Owed,
    OwedScan,
    ReportTotals,
    ServiceReports,
    expected_chunks,
    import_state,
    owed_scans,
)
from hotmart_common.events import REPORTING_SERVICES


@dataclass(frozen=True)
class Chunks:
    """The chunks one service reported, and the totals its last chunk carried."""

    numbers: frozenset[int]
    total: int | None = None
    total_rows: int | None = None

    @property
    def reports(self) -> ServiceReports:
        return ServiceReports(reported=len(self.numbers),
                              last_chunk=max(self.numbers, default=None),
                              chunks_total=self.total, total_rows=self.total_rows)


def chunks(*numbers: int, total: int | None = None) -> Chunks:
    return Chunks(frozenset(numbers), total)


@dataclass(frozen=True)
class Reported:
    """A ``ReportTotals`` whose services list their chunk numbers."""

    by_service: Mapping[str, Chunks]
    counts: Mapping[str, int] = field(default_factory=dict)
    distinct: Mapping[str, int] = field(default_factory=dict)
    amounts: Sequence[AmountSum] = ()

    @property
    def totals(self) -> ReportTotals:
        return ReportTotals({s: c.reports for s, c in self.by_service.items()},
                            self.counts, self.distinct, self.amounts)


def owed_in(reported: Mapping[str, Chunks], scans: Sequence[OwedScan]) -> dict[str, list[int]]:
    """What the store's owed query answers: each window's missing chunks, the first ones."""
    found = {scan.service: [n for n in range(scan.first, scan.stop)
                            if n not in reported.get(scan.service, chunks()).numbers][:SHOWN_OWED]
             for scan in scans}
    return {service: owed for service, owed in found.items() if owed}


def state_of(reported: Reported, rows_failed: int = 0, parsed_chunks: int | None = None,
             rows_skipped: int = 0, reporting: Sequence[str] = REPORTING_SERVICES,
             owed_before: Mapping[str, Owed] | None = None,
             settled_before: int | None = None) -> ImportState:
    totals = reported.totals
    scans = owed_scans(totals, expected_chunks(totals, parsed_chunks), owed_before or {},
                       settled_before, reporting)
    return import_state(totals, owed_in(reported.by_service, scans), rows_failed,
                        parsed_chunks, rows_skipped, reporting)


def owed_lists(state: ImportState) -> dict[str, list[int]]:
    return {service: owed.chunks for service, owed in state.progress.waiting_for.items()}
