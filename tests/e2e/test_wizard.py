"""The import wizard: preview warnings, confirm options, and the rows to fix."""

import asyncio
import csv
import io
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support.api import wait_finished

pytestmark = pytest.mark.e2e


def export(tag: str) -> bytes:
    lines = [
        "Transação;Status;Data de Venda;Nome;Email;Preço Total;Observação",
        f"HPW{tag}1;Aprovado;;Ana;ana.{tag}@example.com;10,00;a",
        f"HPW{tag}2;Talvez;05/01/2025;Bia;bia.{tag}@example.com;20,00;b",
        f"HPW{tag}3;Aprovado;05/01/2025;Caio;;30,00;c",
        f"HPW{tag}4;Misterioso;05/01/2025;Duda;duda.{tag}@example;40,00;d",
        f"HPW{tag}5;Cancelado;05/01/2025;Eva;eva.{tag}@example.com;1.2.3;e",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def upload(api: httpx.Client, data: bytes, name: str = "wizard.csv") -> dict[str, Any]:
    created = api.post("/v1/imports", files={"file": (name, data)})
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


def test_preview_warns_about_unknown_statuses_and_missing_emails(api: httpx.Client) -> None:
    preview = upload(api, export(uuid.uuid4().hex[:8]))["preview"]
    warnings = " | ".join(preview["warnings"])
    assert "2 rows have an unknown status" in warnings
    assert "'Misterioso'" in warnings and "'Talvez'" in warnings
    assert "1 rows have no e-mail" in warnings
    assert preview["unused_columns"] == ["Observação"]
    variants = {c["field"]: (c["source"], c["variant"]) for c in preview["columns"]}
    assert variants["amount"] == ("Preço Total", "Preço Total")
    assert variants["transaction_code"] == ("Transação", "Transação")


async def test_default_purchase_date_and_rows_to_fix(api: httpx.Client, stack: Any) -> None:
    tag = uuid.uuid4().hex[:8]
    body = upload(api, export(tag))
    import_id = body["id"]
    confirmed = await asyncio.to_thread(api.post, f"/v1/imports/{import_id}/confirm",
                                        json={"default_purchase_date": "2025-02-01T09:00:00"})
    assert confirmed.status_code == 202, confirmed.text
    done = await asyncio.to_thread(wait_finished, api, import_id)
    assert done["status"] == "completed"
    assert done["default_purchased_at"].startswith("2025-02-01T12:00:00")  # Sao Paulo -> UTC
    assert [(i["row_number"], i["code"]) for i in done["issues"]] == [
        (4, "missing_email"), (5, "invalid_email"), (6, "invalid_amount")]

    conn = await asyncpg.connect(stack.database_url)
    try:
        when = await conn.fetchval(
            "SELECT occurred_at FROM milestones WHERE import_id = $1 AND row_number = 2",
            uuid.UUID(import_id))
    finally:
        await conn.close()
    assert when == datetime(2025, 2, 1, 12, 0, tzinfo=UTC)

    download = await asyncio.to_thread(api.get, f"/v1/imports/{import_id}/rows.csv")
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig")), delimiter=";"))
    assert [(r["row_number"], r["problem"], r["Nome"]) for r in rows] == [
        ("4", "missing_email", "Caio"), ("5", "invalid_email", "Duda"),
        ("6", "invalid_amount", "Eva")]
    assert rows[2]["Preço Total"] == "1.2.3"
    assert "1.2.3" in rows[2]["message"]

    page = await asyncio.to_thread(api.get, f"/v1/imports/{import_id}/rows",
                                   params={"status": "skipped", "limit": 2})
    assert [i["row_number"] for i in page.json()["items"]] == [4, 5]
    rest = await asyncio.to_thread(
        api.get, f"/v1/imports/{import_id}/rows",
        params={"status": "skipped", "after_row": page.json()["next_after_row"]})
    assert [i["row_number"] for i in rest.json()["items"]] == [6]


def test_mapping_override_and_repeated_confirms(api: httpx.Client) -> None:
    tag = uuid.uuid4().hex[:8]
    body = upload(api, export(tag))
    import_id = body["id"]
    wrong = api.post(f"/v1/imports/{import_id}/confirm",
                     json={"mapping": {"email": "Email", "amount": "Nope"}})
    assert wrong.status_code == 422
    assert "Nope" in wrong.json()["detail"]
    override = {"email": "Email", "name": "Observação", "amount": "Preço Total"}
    assert api.post(f"/v1/imports/{import_id}/confirm",
                    json={"mapping": override}).status_code == 202
    # A client that lost the first answer confirms again: same import, nothing doubled.
    assert api.post(f"/v1/imports/{import_id}/confirm").status_code == 202
    done = wait_finished(api, import_id)
    assert done["status"] == "completed"
    assert done["mapping"] == override
    assert done["total_rows"] == 5
    assert (done["rows_skipped"], done["transactions_new"]) == (3, 2)  # keyed by content
    assert api.post(f"/v1/imports/{import_id}/confirm").status_code == 409
