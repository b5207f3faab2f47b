"""Every column each consumer writes holds the value it belongs to.

The consumers hand PostgreSQL each batch as an array of records whose fields are matched
by position; several of them are text, so a field out of place would be stored without an
error. These imports write distinct values into every field and read each one back, from a
first import (new purchases) and a second one that refunds a purchase (a change).
"""

import asyncio
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from hotmart_stack.stack import EmbeddedStack
from tests.support.api import run_import
from tests.support.databases import fetch_rows
from tests.support.exports import Purchase, portuguese_csv

pytestmark = pytest.mark.e2e


async def test_each_stored_field_holds_its_own_value(api: httpx.Client,
                                                    stack: EmbeddedStack) -> None:
    tag = uuid.uuid4().hex[:8]
    ana, bruno = f"ana.{tag}@example.com", f"bruno.{tag}@example.com"
    ana_code, bruno_code = f"HPC{tag}A", f"HPC{tag}B"
    ana_row = Purchase(email=ana, name="Ana Souza", product="Curso de Ceramica",
                       amount=Decimal("1234.50"), status="Aprovado",
                       when=datetime(2025, 3, 10, 14, 30, 0), code=ana_code, clean_email=ana)
    bruno_row = Purchase(email=bruno, name="Bruno Lima", product="Mentoria",
                         amount=Decimal("89.90"), status="Reembolsado",
                         when=datetime(2025, 3, 11, 9, 5, 7), code=bruno_code,
                         clean_email=bruno)
    first = await asyncio.to_thread(run_import, api, "columns.csv",
                                    portuguese_csv([ana_row, bruno_row]))
    assert first["status"] == "completed", first
    refund = Purchase(**{**ana_row.__dict__, "status": "Reembolsado"})
    # The refund is the file's second row: its first is written date-only (see portuguese_csv).
    second = await asyncio.to_thread(run_import, api, "columns-refund.csv",
                                     portuguese_csv([bruno_row, refund]))
    assert second["status"] == "completed", second
    first_id, second_id = uuid.UUID(first["id"]), uuid.UUID(second["id"])
    url = stack.database_url

    clients = await fetch_rows(url, "SELECT client_id, email, name, document, created_by_import"
                                    " FROM clients WHERE email = ANY($1) ORDER BY email",
                               [ana, bruno])
    assert [(c["email"], c["name"], c["document"], c["created_by_import"]) for c in clients] \
        == [(ana, "Ana Souza", None, first_id), (bruno, "Bruno Lima", None, first_id)]
    ana_id, bruno_id = clients[0]["client_id"], clients[1]["client_id"]

    matched = await fetch_rows(url, "SELECT import_id, row_number, chunk_no, client_id,"
                                    " first_of_buyer, outcome FROM matcher_rows"
                                    " WHERE import_id = ANY($1)"
                                    " ORDER BY import_id = $2, row_number",
                               [first_id, second_id], second_id)
    assert [tuple(m.values()) for m in matched] == [
        (first_id, 2, 0, ana_id, True, "created"),
        (first_id, 3, 0, bruno_id, True, "created"),
        (second_id, 2, 0, bruno_id, True, "unchanged"),
        (second_id, 3, 0, ana_id, True, "updated"),
    ]

    assert await fetch_rows(url, "SELECT purchase_key, fingerprint, client_id FROM client_purchases"
                                 " WHERE purchase_key = ANY($1) ORDER BY purchase_key",
                            [f"txn:{ana_code}", f"txn:{bruno_code}"]) == [
        {"purchase_key": f"txn:{ana_code}", "fingerprint": "REFUNDED|1234.5|BRL",
         "client_id": ana_id},
        {"purchase_key": f"txn:{bruno_code}", "fingerprint": "REFUNDED|89.9|BRL",
         "client_id": bruno_id},
    ]

    ana_first_at = datetime(2025, 3, 10, 3, 0, 0, tzinfo=UTC)   # date only: midnight in São Paulo
    ana_refund_at = datetime(2025, 3, 10, 17, 30, 0, tzinfo=UTC)
    bruno_at = datetime(2025, 3, 11, 12, 5, 7, tzinfo=UTC)
    bruno_again_at = datetime(2025, 3, 11, 3, 0, 0, tzinfo=UTC)  # first row again: date only
    milestones = await fetch_rows(
        url, "SELECT import_id, row_number, chunk_no, client_email, kind, occurred_at, amount,"
             " currency, product, status, status_code, transaction_code, purchase_key,"
             " previous_status, source, tenant_id FROM milestones WHERE import_id = ANY($1)"
             " ORDER BY import_id = $2, row_number", [first_id, second_id], second_id)
    assert [tuple(m.values()) for m in milestones] == [
        (first_id, 2, 0, ana, "purchase", ana_first_at, Decimal("1234.50"), "BRL",
         "Curso de Ceramica", "Aprovado", "APPROVED", ana_code, f"txn:{ana_code}", None,
         "hotmart_import", "default"),
        (first_id, 3, 0, bruno, "purchase", bruno_at, Decimal("89.90"), "BRL", "Mentoria",
         "Reembolsado", "REFUNDED", bruno_code, f"txn:{bruno_code}", None, "hotmart_import",
         "default"),
        (second_id, 3, 0, ana, "status_change", ana_refund_at, Decimal("1234.50"), "BRL",
         "Curso de Ceramica", "Reembolsado", "REFUNDED", ana_code, f"txn:{ana_code}", "Aprovado",
         "hotmart_import", "default"),
    ]
    assert await fetch_rows(url, "SELECT purchase_key, fingerprint, status FROM journey_purchases"
                                 " WHERE purchase_key = ANY($1) ORDER BY purchase_key",
                            [f"txn:{ana_code}", f"txn:{bruno_code}"]) == [
        {"purchase_key": f"txn:{ana_code}", "fingerprint": "REFUNDED|1234.5|BRL",
         "status": "Reembolsado"},
        {"purchase_key": f"txn:{bruno_code}", "fingerprint": "REFUNDED|89.9|BRL",
         "status": "Reembolsado"},
    ]
    journey_rows = await fetch_rows(url, "SELECT import_id, row_number, chunk_no"
                                         " FROM journey_rows WHERE import_id = ANY($1)"
                                         " ORDER BY import_id = $2, row_number",
                                    [first_id, second_id], second_id)
    # Only the row that recorded no milestone: the others are recorded by their milestones.
    assert [tuple(r.values()) for r in journey_rows] == [(second_id, 2, 0)]

    transactions = await fetch_rows(
        url, "SELECT purchase_key, transaction_code, client_email, category, status, amount,"
             " currency, occurred_at, fingerprint, first_import_id, last_import_id"
             " FROM revenue_transactions WHERE purchase_key = ANY($1) ORDER BY purchase_key",
        [f"txn:{ana_code}", f"txn:{bruno_code}"])
    assert [tuple(t.values()) for t in transactions] == [
        (f"txn:{ana_code}", ana_code, ana, "lost", "Reembolsado", Decimal("1234.50"), "BRL",
         ana_refund_at, "REFUNDED|1234.5|BRL", first_id, second_id),
        (f"txn:{bruno_code}", bruno_code, bruno, "lost", "Reembolsado", Decimal("89.90"), "BRL",
         bruno_at, "REFUNDED|89.9|BRL", first_id, first_id),
    ]
    ledger = await fetch_rows(
        url, "SELECT import_id, row_number, chunk_no, client_email, transaction_code, category,"
             " status, amount, currency, occurred_at, purchase_key, outcome FROM revenue_ledger"
             " WHERE import_id = ANY($1) ORDER BY import_id = $2, row_number",
        [first_id, second_id], second_id)
    assert [tuple(e.values()) for e in ledger] == [
        (first_id, 2, 0, ana, ana_code, "active", "Aprovado", Decimal("1234.50"), "BRL",
         ana_first_at, f"txn:{ana_code}", "new"),
        (first_id, 3, 0, bruno, bruno_code, "lost", "Reembolsado", Decimal("89.90"), "BRL",
         bruno_at, f"txn:{bruno_code}", "new"),
        (second_id, 2, 0, bruno, bruno_code, "lost", "Reembolsado", Decimal("89.90"), "BRL",
         bruno_again_at, f"txn:{bruno_code}", "unchanged"),
        (second_id, 3, 0, ana, ana_code, "lost", "Reembolsado", Decimal("1234.50"), "BRL",
         ana_refund_at, f"txn:{ana_code}", "changed"),
    ]
