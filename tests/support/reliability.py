"""Comparing a disturbed import with a clean one: same file shape, fresh identities.

Each run imports the same generated export with its own tag in every e-mail and
transaction code, so runs never see each other's clients or purchases; snapshots strip the
tag, so two runs that did the same thing compare equal.
"""

import json
import uuid
from collections import Counter
from dataclasses import replace
from typing import Any

import asyncpg

from tests.support.exports import portuguese_csv, purchases
from tests.support.kafka import read_topic

SUMMARY_FIELDS = (
    "status", "total_rows", "chunks_total", "chunks_done", "clients_created", "clients_updated",
    "rows_skipped", "rows_failed", "transactions_new", "transactions_changed",
    "transactions_unchanged", "total_revenue", "lost_revenue", "currency",
    "revenue_by_currency",
)
STATUSES = ["Aprovado"] * 8 + ["Completo", "Reembolsado", "Cancelado", "Chargeback",
                               "Aguardando pagamento"]


def tagged_export(tag: str, rows: int = 20_000, seed: int = 20261122) -> bytes:
    buyers = [f"buyer{i}.{tag}@example.com" for i in range(rows * 2 // 5)]
    generated = purchases(seed=seed, count=rows, buyers=buyers, statuses=STATUSES,
                          code_prefix=f"HP{tag}-")
    for n in range(0, rows, 997):  # a sprinkle of rows that must be skipped
        generated[n] = replace(generated[n], email="no-at-sign", clean_email=None)
    return portuguese_csv(generated)


def summary(resource: dict[str, Any]) -> dict[str, Any]:
    return {name: resource[name] for name in SUMMARY_FIELDS}


async def store_snapshot(database_url: str, import_id: str, tag: str) -> dict[str, Any]:
    """Everything the import wrote, with its tag and ids taken out."""
    key = uuid.UUID(import_id)
    queries = {
        "clients": "SELECT email, name, phone FROM clients WHERE created_by_import = $1"
                   " ORDER BY email",
        "matched": "SELECT row_number, chunk_no, first_of_buyer, outcome FROM matcher_rows"
                   " WHERE import_id = $1 ORDER BY row_number",
        "purchases": "SELECT p.purchase_key, p.fingerprint FROM client_purchases p"
                     " JOIN matcher_rows m USING (client_id) WHERE m.import_id = $1"
                     " GROUP BY 1, 2 ORDER BY 1",
        "milestones": "SELECT row_number, kind, client_email, occurred_at, amount, status"
                      " FROM milestones WHERE import_id = $1 ORDER BY row_number",
        "journey": "SELECT row_number, chunk_no FROM journey_rows WHERE import_id = $1"
                   " ORDER BY row_number",
        "ledger": "SELECT row_number, category, amount, currency, outcome FROM revenue_ledger"
                  " WHERE import_id = $1 ORDER BY row_number",
        "transactions": "SELECT purchase_key, category, amount FROM revenue_transactions"
                        " WHERE last_import_id = $1 ORDER BY purchase_key",
        "reports": "SELECT service, chunk_no FROM chunk_reports WHERE import_id = $1"
                   " ORDER BY service, chunk_no",
        "report_ids": "SELECT name, count(*) FROM report_ids WHERE import_id = $1"
                      " GROUP BY name ORDER BY name",
        "issues": "SELECT row_number, status, code FROM import_row_issues WHERE import_id = $1"
                  " ORDER BY row_number",
    }
    conn = await asyncpg.connect(database_url)
    try:
        snapshot = {name: [tuple(r.values()) for r in await conn.fetch(sql, key)]
                    for name, sql in queries.items()}
    finally:
        await conn.close()
    stripped: dict[str, Any] = json.loads(json.dumps(snapshot, default=str).replace(tag, "<tag>"))
    return stripped


async def client_created_events(bootstrap: str, import_id: str) -> Counter[str]:
    """E-mail -> how many client.created events; each client's repeats share one event id."""
    events = [json.loads(r.value) for r in await read_topic(bootstrap, "client.created")]
    ours = [e for e in events if e["import_id"] == import_id]
    ids: dict[str, set[str]] = {}
    for event in ours:
        ids.setdefault(event["email"], set()).add(event["event_id"])
    assert all(len(event_ids) == 1 for event_ids in ids.values()), "a repeat changed its id"
    return Counter(e["email"] for e in ours)
