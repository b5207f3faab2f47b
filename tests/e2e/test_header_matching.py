"""Headers that vary from the known variants, through the real upload and pipeline: a
qualifier added is a partial match the preview names; two equally close columns a warning."""

import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.support.api import wait_finished

pytestmark = pytest.mark.e2e


def upload(api: httpx.Client, lines: list[str], name: str) -> dict[str, Any]:
    created = api.post("/v1/imports", files={"file": (name, "\n".join(lines).encode())})
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


def test_qualified_email_and_amount_headers_are_partial_matches(api: httpx.Client) -> None:
    tag = uuid.uuid4().hex[:8]
    body = upload(api, [
        "Transação;E-mail principal do comprador;Nome;Valor Total da Compra;Status",
        f"HPH{tag}1;ana.{tag}@example.com;Ana;297,00;Aprovado",
        f"HPH{tag}2;bia.{tag}@example.com;Bia;47,50;Aprovado",
    ], "qualificadas.csv")  # fmt: skip
    preview = body["preview"]

    columns = {c["field"]: c for c in preview["columns"]}
    assert columns["email"] == {"field": "email", "source": "E-mail principal do comprador",
                                "variant": "Email do(a) Comprador(a)", "match": "partial"}
    assert columns["amount"] == {"field": "amount", "source": "Valor Total da Compra",
                                 "variant": "Valor Total", "match": "partial"}
    assert columns["transaction_code"]["match"] == "exact"
    assert columns["name"] == {"field": "name", "source": "Nome", "variant": "Nome",
                               "match": "exact"}
    assert preview["unused_columns"] == []
    assert not any("amount" in warning for warning in preview["warnings"])
    assert [row["amount"] for row in preview["rows"]] == ["297.00", "47.50"]

    confirmed = api.post(f"/v1/imports/{body['id']}/confirm")
    assert confirmed.status_code == 202, confirmed.text
    done = wait_finished(api, body["id"])
    assert done["status"] == "completed"
    assert (done["clients_created"], Decimal(done["total_revenue"])) == (2, Decimal("344.50"))


def test_two_equally_close_columns_are_a_preview_warning(api: httpx.Client) -> None:
    tag = uuid.uuid4().hex[:8]
    preview = upload(api, [
        "Email;Nome;Telefone Celular;Telefone Fixo;Valor",
        f"ana.{tag}@example.com;Ana;11999990000;1133330000;10,00",
    ], "empate.csv")["preview"]  # fmt: skip

    assert "phone" not in {c["field"] for c in preview["columns"]}
    assert {c["match"] for c in preview["columns"]} == {"exact"}
    assert preview["unused_columns"] == ["Telefone Celular", "Telefone Fixo"]
    ties = [warning for warning in preview["warnings"] if "phone" in warning]
    assert len(ties) == 1
    assert "'Telefone Celular' and 'Telefone Fixo'" in ties[0]
    assert "unmapped" in ties[0]
