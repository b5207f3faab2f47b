"""The command line's final summary of an import."""

import pytest

from hotmart_stack.report import summary_text

pytestmark = pytest.mark.unit

RESOURCE = {"id": "5d0c8a8e", "file_name": "vendas.csv", "total_rows": 3, "rows_skipped": 0,
            "rows_failed": 0, "clients_created": 3, "clients_updated": 0,
            "total_revenue": "0.00", "lost_revenue": "0.00", "currency": None}


def test_the_summary_says_how_many_purchases_had_no_amount() -> None:
    text = summary_text({**RESOURCE, "purchases_without_amount": 3})
    assert "  amounts   3 purchases had no amount (the file has no amount column): in no " \
           "revenue" in text.splitlines()
    assert "1 purchase had no amount" in summary_text({**RESOURCE,
                                                       "purchases_without_amount": 1})


def test_the_summary_is_silent_about_amounts_when_every_purchase_had_one() -> None:
    assert "amount" not in summary_text({**RESOURCE, "purchases_without_amount": 0})
    assert "amount" not in summary_text(RESOURCE)
