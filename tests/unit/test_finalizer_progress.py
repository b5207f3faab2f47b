import uuid
from decimal import Decimal

import pytest

from finalizer_service.progress import ClientCounts, import_state
from hotmart_common.events import ChunkProcessed, RevenueTotal

pytestmark = pytest.mark.unit
IMPORT = uuid.UUID("00000000-0000-4000-8000-000000000002")
NO_CLIENTS = ClientCounts(0, 0)


def report(service: str, chunk: int, total: int | None = None, **counts: object) -> ChunkProcessed:
    return ChunkProcessed(event_id=uuid.uuid4(), tenant_id="t", import_id=IMPORT,
                          service=service, chunk_no=chunk, chunks_total=total,
                          rows_processed=1, **counts)  # type: ignore[arg-type]


def revenue(category: str, amount: str, currency: str = "BRL") -> RevenueTotal:
    return RevenueTotal(category=category, currency=currency, amount=Decimal(amount), rows=1)  # type: ignore[arg-type]


def test_complete_only_when_every_service_reported_every_chunk() -> None:
    reports = [report(s, c, 2 if c == 1 else None) for s in ("matcher", "journey")
               for c in (0, 1)] + [report("revenue", 0)]
    state = import_state(reports, rows_failed=0, clients=NO_CLIENTS)
    assert (state.complete, state.chunks_total, state.progress.chunks_done) == (False, 2, 1)
    state = import_state([*reports, report("revenue", 1, 2)], rows_failed=0, clients=NO_CLIENTS)
    assert (state.complete, state.progress.chunks_done) == (True, 2)


def test_total_unknown_until_the_last_marker_is_reported() -> None:
    reports = [report(s, 0) for s in ("matcher", "journey", "revenue")]
    assert import_state(reports, rows_failed=0, clients=NO_CLIENTS).complete is False


def test_sums_are_exact_and_per_currency() -> None:
    reports = [
        report("revenue", 0, revenue=[revenue("active", "0.10"), revenue("lost", "5.00")],
               transactions_new=2, transactions_changed=1),
        report("revenue", 1, revenue=[revenue("active", "0.20"), revenue("pending", "9.99")],
               transactions_unchanged=4),
    ]
    progress = import_state(reports, rows_failed=3, clients=ClientCounts(3, 1)).progress
    assert progress.total_revenue == Decimal("0.30")
    assert progress.lost_revenue == Decimal("5.00")
    assert (progress.clients_created, progress.clients_updated) == (3, 1)
    assert progress.rows_failed == 3
    assert (progress.transactions_new, progress.transactions_changed,
            progress.transactions_unchanged) == (2, 1, 4)
    assert progress.currency == "BRL"
    assert progress.revenue_by_currency["BRL"]["pending"] == "9.99"


def test_several_currencies_are_reported_as_mixed() -> None:
    reports = [report("revenue", 0, revenue=[revenue("active", "1", "BRL"),
                                             revenue("active", "2", "USD")])]
    progress = import_state(reports, rows_failed=0, clients=NO_CLIENTS).progress
    assert progress.currency == "MIXED"
    assert set(progress.revenue_by_currency) == {"BRL", "USD"}
