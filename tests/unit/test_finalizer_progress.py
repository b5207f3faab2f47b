from datetime import timedelta
from decimal import Decimal

import pytest

from finalizer_service.handlers import stalled_message
from finalizer_service.progress import SHOWN_OWED, AmountSum, Owed
from hotmart_common.events import REPORTING_SERVICES
from tests.support.reports import Reported, chunks, owed_lists, state_of

pytestmark = pytest.mark.unit


def revenue(category: str, amount: str, currency: str = "BRL") -> AmountSum:
    return AmountSum(name=category, currency=currency, amount=Decimal(amount))


def test_complete_only_when_every_service_reported_every_chunk() -> None:
    reported = {"parse": chunks(0, 1, total=2), "matcher": chunks(0, 1, total=2),
                "journey": chunks(0, 1, total=2)}
    state = state_of(Reported({**reported, "revenue": chunks(0)}), 0)
    assert (state.complete, state.chunks_total, state.progress.chunks_done) == (False, 2, 1)
    assert owed_lists(state) == {"revenue": [1]}
    state = state_of(Reported({**reported, "revenue": chunks(0, 1, total=2)}), 0)
    assert (state.complete, state.progress.chunks_done) == (True, 2)
    assert owed_lists(state) == {}


def test_a_service_that_reported_nothing_holds_completion() -> None:
    state = state_of(Reported({"parse": chunks(0, 1, total=2),
                                       "matcher": chunks(0, 1, total=2),
                                       "journey": chunks(0, 1, total=2)}), 0)
    assert (state.complete, state.chunks_total, state.progress.chunks_done) == (False, 2, 0)
    assert owed_lists(state) == {"revenue": [0, 1]}


def test_parse_must_report_every_chunk_too() -> None:
    reported = {s: chunks(0, 1, total=2) for s in ("matcher", "journey", "revenue")}
    state = state_of(Reported({**reported, "parse": chunks(0)}), 0)
    assert (state.complete, state.progress.chunks_done) == (False, 1)
    assert owed_lists(state) == {"parse": [1]}
    done = state_of(Reported({**reported, "parse": chunks(0, 1, total=2)}), 0,
                        rows_skipped=4)
    assert (done.complete, done.progress.rows_skipped, done.progress.chunks_total) == (
        True, 4, 2)


def test_every_chunk_number_must_be_reported_not_just_as_many() -> None:
    reported = {s: chunks(0, 1, total=2) for s in ("parse", "matcher", "journey")}
    state = state_of(Reported({**reported, "revenue": chunks(0, 5)}), 0)
    assert (state.complete, owed_lists(state)) == (False, {"revenue": [1]})


def test_total_unknown_until_the_last_marker_is_reported() -> None:
    services = ("parse", "matcher", "journey", "revenue")
    reported = Reported({s: chunks(0) for s in services})
    state = state_of(reported, 0)
    assert (state.complete, state.chunks_total, owed_lists(state)) == (False, None, {})
    state = state_of(reported, 0, parsed_chunks=3)
    assert state.complete is False, "a count known beforehand names missing chunks only"
    assert owed_lists(state) == {s: [1, 2] for s in services}


def test_the_largest_reported_total_wins() -> None:
    reported = Reported({"parse": chunks(0, 1, 2, total=3),
                             "matcher": chunks(0, 1, 2, total=3), "journey": chunks(0, 1),
                             "revenue": chunks(0, 1, total=2)})
    state = state_of(reported, 0, parsed_chunks=2)
    assert (state.complete, state.chunks_total) == (False, 3)
    assert owed_lists(state) == {"journey": [2], "revenue": [2]}


def test_sums_are_exact_and_per_currency() -> None:
    reported = Reported(
        {"revenue": chunks(0, 1)},
        counts={"transactions_new": 2, "transactions_changed": 1, "transactions_unchanged": 4},
        amounts=[revenue("active", "0.30"), revenue("lost", "5.00"),
                 revenue("pending", "9.99")],
    )
    progress = state_of(reported, rows_failed=3).progress
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
    reported = Reported({"matcher": chunks(0, 1)}, counts={"clients_created": 7},
                            distinct={"clients_updated": 4})
    progress = state_of(reported, 0).progress
    assert progress.counts == {"clients_created": 7, "clients_updated": 4}
    both = state_of(Reported({}, counts={"n": 2}, distinct={"n": 3}), 0).progress
    assert both.counts == {"n": 5}, "a name used both ways adds the two"


def test_a_new_reporting_service_and_its_counter_need_no_change_here() -> None:
    """Locality: a service the registry would list as reporting (here passed in, as the
    registry's list is) holds completion and has its counters and money summed, with no
    code that names it or them."""
    reporting = (*REPORTING_SERVICES, "loyalty")
    everyone_but_loyalty = {s: chunks(0, 1, total=2) for s in REPORTING_SERVICES}
    state = state_of(Reported(everyone_but_loyalty), 0, reporting=reporting)
    assert (state.complete, owed_lists(state)) == (False, {"loyalty": [0, 1]})
    reported = Reported({**everyone_but_loyalty, "loyalty": chunks(0, 1, total=2)},
                            counts={"points_awarded": 12, "transactions_new": 3},
                            distinct={"members_enrolled": 2},
                            amounts=[revenue("cashback", "1.50")])
    state = state_of(reported, 0, reporting=reporting)
    assert state.complete
    assert state.progress.counts == {"members_enrolled": 2, "points_awarded": 12,
                                     "transactions_new": 3}
    assert state.progress.revenue_by_currency == {
        "BRL": {"active": "0.00", "lost": "0.00", "pending": "0.00", "cashback": "1.50"}}
    assert state.progress.total_revenue == Decimal(0)


def test_several_currencies_are_reported_as_mixed() -> None:
    reported = Reported({"revenue": chunks(0)},
                            amounts=[revenue("active", "1.10", "BRL"),
                                     revenue("active", "2", "USD"),
                                     revenue("lost", "0.05", "USD")])
    progress = state_of(reported, 0).progress
    assert progress.currency == "MIXED"
    assert (progress.total_revenue, progress.lost_revenue) == (Decimal("3.10"), Decimal("0.05"))
    assert progress.revenue_by_currency == {
        "BRL": {"active": "1.10", "lost": "0.00", "pending": "0.00"},
        "USD": {"active": "2.00", "lost": "0.05", "pending": "0.00"},
    }


def test_totals_by_currency_are_fixed_point_whatever_the_decimal_exponent() -> None:
    reported = Reported({"revenue": chunks(0)},
                            amounts=[revenue("active", "1E+2"), revenue("lost", "1.00E+8")])
    progress = state_of(reported, 0).progress
    assert progress.revenue_by_currency == {
        "BRL": {"active": "100.00", "lost": "100000000.00", "pending": "0.00"}}


def test_no_revenue_means_no_currency() -> None:
    progress = state_of(Reported({}), 0).progress
    assert (progress.currency, progress.revenue_by_currency) == (None, {})
    assert (progress.total_revenue, progress.lost_revenue) == (Decimal(0), Decimal(0))
    assert progress.chunks_done == 0
    assert progress.counts == {}


def test_a_stall_before_parse_reported_says_so() -> None:
    deadline = timedelta(seconds=600)
    assert "the parse service has not reported" in stalled_message({}, deadline,
                                                                   parse_reported=False)
    owed = stalled_message({"revenue": Owed(missing=2, chunks=[0, 1])}, deadline)
    assert "the revenue service has not processed chunks 0, 1" in owed
    assert "parse" not in owed
    many = stalled_message({"journey": Owed(missing=70, chunks=list(range(50)))}, deadline)
    assert ("the journey service has not processed chunks 0, 1, 2, 3, 4, 5, 6, 7, 8, 9"
            " and 60 more") in many


def test_many_owed_chunks_are_counted_and_the_first_named() -> None:
    state = state_of(Reported({s: chunks(*range(10), 499, total=500) for s in REPORTING_SERVICES}))
    assert state.progress.waiting_for["revenue"] == Owed(missing=489,
                                                         chunks=list(range(10, 10 + SHOWN_OWED)))
    assert (state.complete, state.progress.chunks_done) == (False, 11)


def test_a_settle_looks_only_past_what_was_owed_before_and_finds_every_hole() -> None:
    """The window starts at the first chunk owed at the previous settle (everything below
    it was reported then, and reports stay), so a big import's settle never rereads it."""
    before = {"revenue": Owed(missing=6, chunks=[4, 5, 7, 8, 9, 10])}
    reported = Reported({**{s: chunks(*range(11), total=11) for s in REPORTING_SERVICES},
                         "revenue": chunks(0, 1, 2, 3, 5, 6, 8, 10, total=11)})
    later = state_of(reported, owed_before=before, settled_before=11)
    assert owed_lists(later) == {"revenue": [4, 7, 9]}
    assert later.progress.waiting_for["revenue"].missing == 3
    done = Reported({s: chunks(*range(11), total=11) for s in REPORTING_SERVICES})
    assert state_of(done, owed_before=later.progress.waiting_for, settled_before=11).complete


def test_a_service_that_owed_nothing_before_is_searched_from_the_old_end() -> None:
    """An import whose total grew (a count known beforehand, then the real one): what was
    complete before stays complete, and the window starts where the old count ended."""
    reported = Reported({s: chunks(0, 1, 2, total=4) for s in REPORTING_SERVICES})
    state = state_of(reported, settled_before=3)
    assert owed_lists(state) == {s: [3] for s in REPORTING_SERVICES}
