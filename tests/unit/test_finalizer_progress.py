from datetime import timedelta
from decimal import Decimal

import pytest

from finalizer_service.handlers import stalled_message
from finalizer_service.progress import (
    AmountSum,
    ReportTotals,
    ServiceReports,
    import_state,
)
from hotmart_common.events import REPORTING_SERVICES

pytestmark = pytest.mark.unit


def chunks(*numbers: int, total: int | None = None) -> ServiceReports:
    return ServiceReports(frozenset(numbers), total)


def revenue(category: str, amount: str, currency: str = "BRL") -> AmountSum:
    return AmountSum(name=category, currency=currency, amount=Decimal(amount))


def test_complete_only_when_every_service_reported_every_chunk() -> None:
    reported = {"parse": chunks(0, 1, total=2), "matcher": chunks(0, 1, total=2),
                "journey": chunks(0, 1, total=2)}
    state = import_state(ReportTotals({**reported, "revenue": chunks(0)}), 0)
    assert (state.complete, state.chunks_total, state.progress.chunks_done) == (False, 2, 1)
    assert state.progress.waiting_for == {"revenue": [1]}
    state = import_state(ReportTotals({**reported, "revenue": chunks(0, 1, total=2)}), 0)
    assert (state.complete, state.progress.chunks_done) == (True, 2)
    assert state.progress.waiting_for == {}


def test_a_service_that_reported_nothing_holds_completion() -> None:
    state = import_state(ReportTotals({"parse": chunks(0, 1, total=2),
                                       "matcher": chunks(0, 1, total=2),
                                       "journey": chunks(0, 1, total=2)}), 0)
    assert (state.complete, state.chunks_total, state.progress.chunks_done) == (False, 2, 0)
    assert state.progress.waiting_for == {"revenue": [0, 1]}


def test_parse_must_report_every_chunk_too() -> None:
    reported = {s: chunks(0, 1, total=2) for s in ("matcher", "journey", "revenue")}
    state = import_state(ReportTotals({**reported, "parse": chunks(0)}), 0)
    assert (state.complete, state.progress.chunks_done) == (False, 1)
    assert state.progress.waiting_for == {"parse": [1]}
    done = import_state(ReportTotals({**reported, "parse": chunks(0, 1, total=2)}), 0,
                        rows_skipped=4)
    assert (done.complete, done.progress.rows_skipped, done.progress.chunks_total) == (
        True, 4, 2)


def test_every_chunk_number_must_be_reported_not_just_as_many() -> None:
    reported = {s: chunks(0, 1, total=2) for s in ("parse", "matcher", "journey")}
    state = import_state(ReportTotals({**reported, "revenue": chunks(0, 5)}), 0)
    assert (state.complete, state.progress.waiting_for) == (False, {"revenue": [1]})


def test_total_unknown_until_the_last_marker_is_reported() -> None:
    services = ("parse", "matcher", "journey", "revenue")
    reported = ReportTotals({s: chunks(0) for s in services})
    state = import_state(reported, 0)
    assert (state.complete, state.chunks_total, state.progress.waiting_for) == (False, None, {})
    state = import_state(reported, 0, parsed_chunks=3)
    assert state.complete is False, "a count known beforehand names missing chunks only"
    assert state.progress.waiting_for == {s: [1, 2] for s in services}


def test_the_largest_reported_total_wins() -> None:
    reported = ReportTotals({"parse": chunks(0, 1, 2, total=3),
                             "matcher": chunks(0, 1, 2, total=3), "journey": chunks(0, 1),
                             "revenue": chunks(0, 1, total=2)})
    state = import_state(reported, 0, parsed_chunks=2)
    assert (state.complete, state.chunks_total) == (False, 3)
    assert state.progress.waiting_for == {"journey": [2], "revenue": [2]}


def test_sums_are_exact_and_per_currency() -> None:
    reported = ReportTotals(
        {"revenue": chunks(0, 1)},
        counts={"transactions_new": 2, "transactions_changed": 1, "transactions_unchanged": 4},
        amounts=[revenue("active", "0.30"), revenue("lost", "5.00"),
                 revenue("pending", "9.99")],
    )
    progress = import_state(reported, rows_failed=3).progress
    assert progress.total_revenue == Decimal("0.30")
    assert progress.lost_revenue == Decimal("5.00")
    assert isinstance(progress.total_revenue, Decimal)
    assert progress.rows_failed == 3
    assert progress.counts == {"transactions_changed": 1, "transactions_new": 2,
                               "transactions_unchanged": 4}
    assert progress.currency == "BRL"
    assert progress.revenue_by_currency == {
        "BRL": {"active": "0.30", "lost": "5.00", "pending": "9.99"}}


def test_counts_and_distinct_ids_are_one_set_of_named_counters() -> None:
    reported = ReportTotals({"matcher": chunks(0, 1)}, counts={"clients_created": 7},
                            distinct={"clients_updated": 4})
    progress = import_state(reported, 0).progress
    assert progress.counts == {"clients_created": 7, "clients_updated": 4}
    both = import_state(ReportTotals({}, counts={"n": 2}, distinct={"n": 3}), 0).progress
    assert both.counts == {"n": 5}, "a name used both ways adds the two"


def test_a_new_reporting_service_and_its_counter_need_no_change_here() -> None:
    """Locality: a service the registry would list as reporting (here passed in, as the
    registry's list is) holds completion and has its counters and money summed, with no
    code that names it or them."""
    reporting = (*REPORTING_SERVICES, "loyalty")
    everyone_but_loyalty = {s: chunks(0, 1, total=2) for s in REPORTING_SERVICES}
    state = import_state(ReportTotals(everyone_but_loyalty), 0, reporting=reporting)
    assert (state.complete, state.progress.waiting_for) == (False, {"loyalty": [0, 1]})
    reported = ReportTotals({**everyone_but_loyalty, "loyalty": chunks(0, 1, total=2)},
                            counts={"points_awarded": 12, "transactions_new": 3},
                            distinct={"members_enrolled": 2},
                            amounts=[revenue("cashback", "1.50")])
    state = import_state(reported, 0, reporting=reporting)
    assert state.complete
    assert state.progress.counts == {"members_enrolled": 2, "points_awarded": 12,
                                     "transactions_new": 3}
    assert state.progress.revenue_by_currency == {
        "BRL": {"active": "0.00", "lost": "0.00", "pending": "0.00", "cashback": "1.50"}}
    assert state.progress.total_revenue == Decimal(0)


def test_several_currencies_are_reported_as_mixed() -> None:
    reported = ReportTotals({"revenue": chunks(0)},
                            amounts=[revenue("active", "1.10", "BRL"),
                                     revenue("active", "2", "USD"),
                                     revenue("lost", "0.05", "USD")])
    progress = import_state(reported, 0).progress
    assert progress.currency == "MIXED"
    assert (progress.total_revenue, progress.lost_revenue) == (Decimal("3.10"), Decimal("0.05"))
    assert progress.revenue_by_currency == {
        "BRL": {"active": "1.10", "lost": "0.00", "pending": "0.00"},
        "USD": {"active": "2.00", "lost": "0.05", "pending": "0.00"},
    }


def test_totals_by_currency_are_fixed_point_whatever_the_decimal_exponent() -> None:
    reported = ReportTotals({"revenue": chunks(0)},
                            amounts=[revenue("active", "1E+2"), revenue("lost", "1.00E+8")])
    progress = import_state(reported, 0).progress
    assert progress.revenue_by_currency == {
        "BRL": {"active": "100.00", "lost": "100000000.00", "pending": "0.00"}}


def test_no_revenue_means_no_currency() -> None:
    progress = import_state(ReportTotals({}), 0).progress
    assert (progress.currency, progress.revenue_by_currency) == (None, {})
    assert (progress.total_revenue, progress.lost_revenue) == (Decimal(0), Decimal(0))
    assert progress.chunks_done == 0
    assert progress.counts == {}


def test_a_stall_before_parse_reported_says_so() -> None:
    deadline = timedelta(seconds=600)
    assert "the parse service has not reported" in stalled_message({}, deadline,
                                                                   parse_reported=False)
    owed = stalled_message({"revenue": [0, 1]}, deadline)
    assert "the revenue service has not processed chunks 0, 1" in owed
    assert "parse" not in owed
