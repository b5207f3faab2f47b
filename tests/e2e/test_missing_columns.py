"""Files without an amount or a status column, through the real stack: nothing invented.

Without an amount column no purchase gets an amount: the preview says which field is
missing, the journey keeps each purchase with no amount, revenue sums none of them and the
summary counts them. Without a status column purchases are pending, unless the producer
chooses a status at confirm.
"""

import asyncio
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest

from hotmart_stack.report import summary_text
from hotmart_stack.stack import EmbeddedStack
from tests.support.api import wait_finished
from tests.support.databases import fetch_rows

pytestmark = pytest.mark.e2e


def without_amount(tag: str) -> bytes:
    lines = ["Transação;Status;Data de Venda;Nome;Email"]
    lines += [f"HPNA{tag}{n};{status};05/01/2025;Comprador {n};na{n}.{tag}@example.com"
              for n, status in enumerate(["Aprovado", "Aprovado", "Reembolsado",
                                          "Aguardando pagamento", "Aprovado"], start=1)]
    return ("\r\n".join(lines) + "\r\n").encode()


def without_status(tag: str) -> bytes:
    lines = ["Transação;Data de Venda;Nome;Email;Preço Total"]
    lines += [f"HPNS{tag}{n};05/01/2025;Comprador {n};ns{n}.{tag}@example.com;{n}0,00"
              for n in range(1, 5)]  # 10 + 20 + 30 + 40 = 100
    return ("\r\n".join(lines) + "\r\n").encode()


def upload(api: httpx.Client, data: bytes, name: str) -> dict[str, Any]:
    created = api.post("/v1/imports", files={"file": (name, data)})
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


async def confirm_and_wait(api: httpx.Client, import_id: str,
                           body: dict[str, Any] | None = None) -> dict[str, Any]:
    confirmed = await asyncio.to_thread(api.post, f"/v1/imports/{import_id}/confirm",
                                        json=body)
    assert confirmed.status_code == 202, confirmed.text
    done = await asyncio.to_thread(wait_finished, api, import_id)
    assert done["status"] == "completed", done
    return done


async def test_a_file_without_an_amount_column_invents_no_revenue(
        api: httpx.Client, stack: EmbeddedStack) -> None:
    tag = uuid.uuid4().hex[:8]
    created = upload(api, without_amount(tag), "sem-valor.csv")
    warnings = created["preview"]["warnings"]
    assert any(w.startswith("No amount column was found (field 'amount'") for w in warnings), \
        warnings
    assert all(row["amount"] is None for row in created["preview"]["rows"])

    done = await confirm_and_wait(api, created["id"])

    assert (done["total_rows"], done["rows_skipped"], done["purchases_without_amount"]) == (
        5, 0, 5)
    assert (done["total_revenue"], done["lost_revenue"]) == ("0.00", "0.00")
    assert done["revenue_by_currency"] == {}
    assert "5 purchases had no amount" in summary_text(done)
    import_id = uuid.UUID(done["id"])
    milestones = await fetch_rows(
        stack.database_url, "SELECT kind, amount, status_code FROM milestones"
        " WHERE import_id = $1 ORDER BY row_number", import_id)
    assert milestones == [
        {"kind": "purchase", "amount": None, "status_code": code}
        for code in ("APPROVED", "APPROVED", "REFUNDED", "WAITING_PAYMENT", "APPROVED")]
    ledger = await fetch_rows(
        stack.database_url, "SELECT category, amount FROM revenue_ledger WHERE import_id = $1"
        " ORDER BY row_number", import_id)
    assert [(e["category"], e["amount"]) for e in ledger] == [
        ("active", None), ("active", None), ("lost", None), ("pending", None), ("active", None)]


async def test_a_file_without_a_status_column_is_pending_unless_a_status_is_chosen(
        api: httpx.Client, stack: EmbeddedStack) -> None:
    tag = uuid.uuid4().hex[:8]
    created = upload(api, without_status(tag), "sem-status.csv")
    assert ("No status column: purchases will be recorded as pending unless you choose a "
            "status at confirm (status_when_missing)") in created["preview"]["warnings"]

    pending = await confirm_and_wait(api, created["id"])

    assert pending["status_when_missing"] == "WAITING_PAYMENT"
    assert (pending["total_revenue"], pending["lost_revenue"]) == ("0.00", "0.00")
    assert pending["revenue_by_currency"] == {
        "BRL": {"active": "0.00", "lost": "0.00", "pending": "100.00"}}
    assert pending["purchases_without_amount"] == 0
    assert "no amount" not in summary_text(pending)
    statuses = await fetch_rows(
        stack.database_url, "SELECT status, status_code FROM milestones WHERE import_id = $1",
        uuid.UUID(pending["id"]))
    assert statuses == [{"status": None, "status_code": "WAITING_PAYMENT"}] * 4

    other = uuid.uuid4().hex[:8]
    chosen = upload(api, without_status(other), "sem-status.csv")
    approved = await confirm_and_wait(api, chosen["id"], {"status_when_missing": "APPROVED"})
    assert approved["status_when_missing"] == "APPROVED"
    assert (Decimal(approved["total_revenue"]), approved["lost_revenue"]) == (
        Decimal("100.00"), "0.00")


def test_a_status_outside_the_vocabulary_is_refused_naming_the_field(api: httpx.Client) -> None:
    created = upload(api, without_status(uuid.uuid4().hex[:8]), "sem-status.csv")
    refused = api.post(f"/v1/imports/{created['id']}/confirm",
                       json={"status_when_missing": "Aprovado"})
    assert refused.status_code == 422, refused.text
    assert [error["loc"] for error in refused.json()["detail"]] == [
        ["body", "status_when_missing"]]
    assert api.get(f"/v1/imports/{created['id']}").json()["status"] == "uploaded"
