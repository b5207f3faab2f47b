"""A chunk's revenue report from its ledger groups: purchases without an amount are counted,
and summed in no category."""

from decimal import Decimal

import pytest

from hotmart_common.events import AmountTotal
from revenue_service.repository import LedgerGroup, chunk_revenue

pytestmark = pytest.mark.unit


def test_rows_without_an_amount_are_counted_and_summed_nowhere() -> None:
    report = chunk_revenue([
        LedgerGroup("active", "BRL", "new", Decimal("100.00"), rows=3, without_amount=1),
        LedgerGroup("pending", "BRL", "new", None, rows=2, without_amount=2),
        LedgerGroup("active", "BRL", "changed", Decimal("5"), rows=1, without_amount=0),
        LedgerGroup("lost", "USD", "unchanged", Decimal("7.50"), rows=1, without_amount=0),
    ])
    assert report.totals == [
        AmountTotal(name="active", currency="BRL", amount=Decimal("105.00"), rows=3),
        AmountTotal(name="lost", currency="USD", amount=Decimal("7.50"), rows=1),
    ]
    assert (report.rows, report.without_amount) == (7, 3)
    assert report.outcomes == {"new": 5, "changed": 1, "unchanged": 1}


def test_a_chunk_of_purchases_without_amounts_has_no_revenue() -> None:
    report = chunk_revenue([LedgerGroup("active", "BRL", "new", None, rows=4,
                                        without_amount=4)])
    assert (report.totals, report.rows, report.without_amount) == ([], 4, 4)
