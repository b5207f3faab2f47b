"""A Portuguese CSV, then an English XLSX, through HTTP, Kafka, PostgreSQL and S3."""

import asyncio
import json
import math
import uuid
from collections import Counter
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support.api import run_import
from tests.support.exports import (
    Expected,
    Purchase,
    english_xlsx,
    expected,
    portuguese_csv,
    purchases,
)
from tests.support.kafka import decoded, read_topic

pytestmark = pytest.mark.e2e

PT_STATUSES = ["Aprovado"] * 6 + ["Completo", "Reembolsado", "Cancelado", "Expirado",
                                  "Chargeback", "Aguardando pagamento"]
EN_STATUSES = ["approved"] * 5 + ["complete", "refunded", "canceled", "chargeback",
                                  "Waiting Payment"]


def portuguese_rows(tag: str) -> list[Purchase]:
    buyers = [f"cliente{i}.{tag}@example.com" for i in range(25)]
    rows = purchases(seed=7, count=64, buyers=buyers, statuses=PT_STATUSES, code_prefix=f"HPA{tag}")
    rows[3] = replace(rows[3], email=None, clean_email=None)
    rows[8] = replace(rows[8], email="  NOT-AN-EMAIL ", clean_email=None)
    rows[12] = replace(rows[12], bad_cell="amount")
    rows[16] = replace(rows[16], bad_cell="date")
    rows[20] = replace(rows[20], email=f"  CLIENTE3.{tag.upper()}@Example.COM ",
                       clean_email=f"cliente3.{tag}@example.com")
    rows[24] = replace(rows[24], amount=None, status="Aprovado")
    rows[30] = replace(rows[30], amount=Decimal("123456.78"), status="Aprovado")
    return rows


def english_rows(tag: str) -> list[Purchase]:
    returning = [f"cliente{i}.{tag}@example.com" for i in range(0, 25, 2)]
    new = [f"buyer{i}.{tag}@example.com" for i in range(15)]
    rows = purchases(seed=11, count=45, buyers=returning + new, statuses=EN_STATUSES,
                     code_prefix=f"HPB{tag}")
    rows[5] = replace(rows[5], email="buyer@@example", clean_email=None)
    rows[9] = replace(rows[9], bad_cell="date")
    return rows


async def store_snapshot(database_url: str, import_id: str) -> dict[str, Any]:
    conn = await asyncpg.connect(database_url)
    try:
        ledger = await conn.fetch(
            "SELECT category, sum(amount) AS amount, count(*) AS n FROM revenue_ledger"
            " WHERE import_id = $1 GROUP BY category", uuid.UUID(import_id))
        return {
            "milestones": await conn.fetchval(
                "SELECT count(*) FROM milestones WHERE import_id = $1", uuid.UUID(import_id)),
            "matched_rows": await conn.fetchval(
                "SELECT count(*) FROM matcher_rows WHERE import_id = $1", uuid.UUID(import_id)),
            "ledger": {r["category"]: (r["amount"], r["n"]) for r in ledger},
            "clients_created": {r["email"] for r in await conn.fetch(
                "SELECT email FROM clients WHERE created_by_import = $1", uuid.UUID(import_id))},
        }
    finally:
        await conn.close()


def assert_summary(resource: dict[str, Any], want: Expected, *, created: int, updated: int,
                   chunk_size: int) -> None:
    """Every purchase in these files is new: their transaction codes are unique per run."""
    assert resource["status"] == "completed", resource.get("error")
    assert resource["total_rows"] == want.total_rows
    assert resource["rows_skipped"] == want.rows_skipped
    assert resource["rows_failed"] == 0
    assert resource["clients_created"] == created
    assert resource["clients_updated"] == updated
    assert resource["transactions_new"] == want.valid_rows
    assert (resource["transactions_changed"], resource["transactions_unchanged"]) == (0, 0)
    assert Decimal(resource["total_revenue"]) == want.total_revenue
    assert Decimal(resource["lost_revenue"]) == want.lost_revenue
    assert resource["currency"] == "BRL"
    assert resource["chunks_total"] == math.ceil(want.total_rows / chunk_size)
    assert resource["chunks_done"] == resource["chunks_total"]
    reported = {issue["row_number"]: issue["code"] for issue in resource["issues"]}
    assert reported == want.skipped_rows
    # Every service's counters, by name, whichever service reported them: the named fields
    # above are read from here, and the journey's milestones are shown though no field
    # names them.
    assert resource["counts"] == {
        "clients_created": created, "clients_updated": updated,
        "milestones_recorded": want.valid_rows, "purchases_without_amount": 0,
        "rows_skipped": want.rows_skipped, "transactions_changed": 0,
        "transactions_new": want.valid_rows, "transactions_unchanged": 0}


def assert_store(snapshot: dict[str, Any], want: Expected, new_emails: set[str]) -> None:
    assert snapshot["milestones"] == want.valid_rows
    assert snapshot["matched_rows"] == want.valid_rows
    ledger = snapshot["ledger"]
    assert ledger.get("active", (Decimal(0), 0))[0] == want.total_revenue
    assert ledger.get("lost", (Decimal(0), 0))[0] == want.lost_revenue
    assert ledger.get("pending", (Decimal(0), 0))[0] == want.pending_revenue
    assert sum(n for _, n in ledger.values()) == want.valid_rows
    assert snapshot["clients_created"] == new_emails


async def test_portuguese_csv_then_english_xlsx(api: httpx.Client, stack: Any,
                                                chunk_size: int) -> None:
    tag = uuid.uuid4().hex[:8]
    pt_rows, en_rows = portuguese_rows(tag), english_rows(tag)
    pt_want, en_want = expected(pt_rows), expected(en_rows)
    pt_new = pt_want.emails
    en_new, en_returning = en_want.emails - pt_new, en_want.emails & pt_new
    assert pt_want.rows_skipped == 4 and en_want.rows_skipped == 2 and en_returning

    pt = await asyncio.to_thread(run_import, api, "vendas.csv", portuguese_csv(pt_rows))
    assert_summary(pt, pt_want, created=len(pt_new), updated=0, chunk_size=chunk_size)
    en = await asyncio.to_thread(run_import, api, "sales.xlsx", english_xlsx(en_rows))
    assert_summary(en, en_want, created=len(en_new), updated=len(en_returning),
                   chunk_size=chunk_size)

    assert_store(await store_snapshot(stack.database_url, pt["id"]), pt_want, pt_new)
    assert_store(await store_snapshot(stack.database_url, en["id"]), en_want, en_new)

    events = [e for e in decoded(await read_topic(stack.kafka_bootstrap, "client.created"))
              if e["import_id"] in (pt["id"], en["id"])]
    per_email = Counter(e["email"] for e in events)
    assert set(per_email) == pt_new | en_new
    assert set(per_email.values()) == {1}

    history = (await asyncio.to_thread(api.get, "/v1/imports")).json()["items"]
    ids = [item["id"] for item in history]
    assert ids.index(en["id"]) < ids.index(pt["id"])  # newest first


async def test_client_revenue_totals_follow_the_ledger(api: httpx.Client, stack: Any) -> None:
    tag = uuid.uuid4().hex[:8]
    email = f"totals.{tag}@example.com"
    when = datetime(2025, 5, 4, 10, 30)
    rows = [
        Purchase(email, "Totais", product, Decimal(amount), status, when, f"HPT{tag}{n}",
                 clean_email=email)
        for n, (product, amount, status) in enumerate([
            ("Curso A", "1234.56", "Aprovado"), ("Curso B", "0.10", "Aprovado"),
            ("Curso C", "0.20", "Reembolsado")])
    ]
    resource = await asyncio.to_thread(run_import, api, "totais.csv", portuguese_csv(rows))
    assert resource["status"] == "completed"
    conn = await asyncpg.connect(stack.database_url)
    try:
        totals = await conn.fetchrow(
            "SELECT active_total, lost_total, purchases FROM client_revenue"
            " WHERE client_email = $1", email)
    finally:
        await conn.close()
    assert totals is not None
    assert totals["active_total"] == Decimal("1234.66")
    assert totals["lost_total"] == Decimal("0.20")
    assert totals["purchases"] == 3


def test_preview_shows_the_detected_mapping_and_first_rows(api: httpx.Client) -> None:
    tag = uuid.uuid4().hex[:8]
    rows = portuguese_rows(tag)
    created = api.post("/v1/imports", files={"file": ("vendas.csv", portuguese_csv(rows))})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "uploaded"
    assert body["mapping"]["email"] == "Email do(a) Comprador(a)"
    assert body["mapping"]["amount"] == "Valor de compra com impostos"
    preview = body["preview"]
    assert len(preview["rows"]) == 10
    first = preview["rows"][0]
    assert first["email"] == rows[0].clean_email
    assert Decimal(first["amount"]) == rows[0].amount
    assert preview["rows"][3]["problem"]["code"] == "missing_email"
    assert json.dumps(body)  # the whole resource is plain JSON


@pytest.mark.parametrize(
    ("file_name", "data", "status", "words"),
    [
        ("big.csv", b"email;valor\n" + b"a@example.com;1,00\n" * 600_000, 413, "10 MB"),
        ("picture.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, 415, ""),
        ("empty.csv", b"", 422, ""),
        ("header.csv", b"Email;Valor\r\n", 422, ""),
        ("no-email.csv", b"Nome;Valor\nAna;1,00\n", 422, "Nome"),
    ],
)
def test_bad_files_get_a_clear_answer(api: httpx.Client, file_name: str, data: bytes,
                                      status: int, words: str) -> None:
    answer = api.post("/v1/imports", files={"file": (file_name, data)})
    assert answer.status_code == status, answer.text
    detail = answer.json()["detail"]
    assert isinstance(detail, str) and detail
    assert words in detail


def test_unknown_import_is_404(api: httpx.Client) -> None:
    assert api.get(f"/v1/imports/{uuid.uuid4()}").status_code == 404
    assert api.post(f"/v1/imports/{uuid.uuid4()}/confirm").status_code == 404
