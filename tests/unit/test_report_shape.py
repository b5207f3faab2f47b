"""The chunk report's shape keeps adding a consumer local: which services report comes
from the registry, and counters nothing names travel from a report to the import resource
and the summary with no code that knows them."""

from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest
from pydantic import ValidationError

from finalizer_service.progress import AmountSum, ReportTotals, ServiceReports, import_state
from hotmart_common import registry
from hotmart_common.events import (
    CONSUMER_SERVICES,
    NAMED_COUNTS,
    REPORTING_SERVICES,
    ChunkProcessed,
    ImportSummary,
    named_counts,
)
from upload_service.outcomes import Outcome
from upload_service.repository import ImportRecord
from upload_service.resources import ImportResource

pytestmark = pytest.mark.unit


def test_the_reporting_and_consuming_services_are_the_registrys() -> None:
    reporting = tuple(s.name for s in registry.SERVICES if s.reports_chunks)
    consuming = tuple(s.name for s in registry.SERVICES
                      if registry.IMPORT_ROWS in s.topics_consumed)
    assert (reporting, consuming) == (REPORTING_SERVICES, CONSUMER_SERVICES)
    assert reporting == ("parse", "matcher", "journey", "revenue")
    assert consuming == ("matcher", "journey", "revenue")


def report(service: str, **fields: object) -> ChunkProcessed:
    return ChunkProcessed(event_id=uuid4(), tenant_id="t", import_id=uuid4(), service=service,
                          chunk_no=0, rows_processed=1, **fields)


def test_a_report_comes_from_a_reporting_service_with_counters_of_any_name() -> None:
    made_up = report("revenue", counts={"refunds_seen": 3}, distinct={"buyers_back": [uuid4()]})
    assert made_up.counts == {"refunds_seen": 3}
    with pytest.raises(ValidationError, match="not a service the registry lists"):
        report("upload")
    with pytest.raises(ValidationError):
        report("revenue", counts={"transactions_new": -1})


def _record() -> ImportRecord:
    now = datetime.now(UTC)
    return ImportRecord(
        import_id=uuid4(), tenant_id="t", source="file", file_name="vendas.csv",
        object_key="k", file_format="csv", file_bytes=10, table_key=None, mapping={},
        preview={}, uploaded_at=now, status="confirmed", confirmed_at=now,
        duplicate_policy="update", default_purchased_at=None,
        status_when_missing="WAITING_PAYMENT", attempt=0)


def test_a_new_services_counter_reaches_the_resource_and_the_summary_unnamed() -> None:
    """A service the registry would list as reporting ("loyalty") with a counter no code
    names: its reports hold completion, its counter is summed, and the import resource and
    import.completed show it in counts beside the named fields they always had."""
    reporting = (*REPORTING_SERVICES, "loyalty")
    every = {service: ServiceReports(reported=1, last_chunk=0, chunks_total=1)
             for service in reporting}
    state = import_state(ReportTotals(every, counts={"points_awarded": 12, "clients_created": 2},
                                      distinct={"clients_updated": 1},
                                      amounts=[AmountSum("active", "BRL", Decimal("9.90"))]),
                         {}, 0, reporting=reporting)
    assert state.complete
    counts = state.progress.counts
    record = _record()
    outcome = Outcome.model_validate({
        "import_id": record.import_id, "attempt": 0, "status": "completed",
        "completed_at": datetime.now(UTC), "total_rows": 1, "chunks_total": 1,
        "chunks_done": 1, "rows_skipped": 0, "rows_failed": 0,
        "counts": counts,  # as the finalizer's read API answers it
        "total_revenue": "9.90", "lost_revenue": "0", "currency": "BRL",
        "revenue_by_currency": {}, "waiting_for": None, "error": None})
    resource = ImportResource.of(record, outcome, [], with_preview=False)
    assert resource.counts == {"clients_created": 2, "clients_updated": 1,
                               "points_awarded": 12}
    assert (resource.clients_created, resource.clients_updated, resource.transactions_new,
            resource.purchases_without_amount) == (2, 1, 0, 0)
    summary = ImportSummary(total_rows=1, chunks_total=1, rows_skipped=0, rows_failed=0,
                            total_revenue=Decimal("9.90"), lost_revenue=Decimal(0),
                            currency="BRL", counts=counts, **named_counts(counts))
    assert summary.counts["points_awarded"] == 12
    assert summary.clients_created == 2


def test_every_named_count_is_a_field_of_the_summary_and_the_resource() -> None:
    for name in NAMED_COUNTS:
        assert name in ImportSummary.model_fields
        assert name in ImportResource.model_fields
