"""The fixture corpus (tests/fixtures/corpus) through the real stack, case by case.

Each ``<case>.expected.json`` holds what importing the file must give: every summary field
and every skipped row with its reason. The generator worked them out from the sales it
meant to write, independently of the product's parsing.

Uniqueness across runs on one database: the committed files carry a placeholder
(``tests.fixtures.model.PLACEHOLDER``) in every e-mail address and transaction code.
Before each import the test replaces it with a fresh tag of the same length
(``tests.fixtures.writers.with_tag``): plain byte replacement for CSV (the placeholder is
ASCII, so the same bytes in UTF-8 and Windows-1252); part by part inside the ZIP for XLSX;
in place for XLS, where BIFF keeps each string whole as Latin-1 or UTF-16LE and a
same-length replacement keeps every record length valid. So the bytes uploaded are the
committed bytes except for the tag, and no two imports (tests, reruns, the fuzz test) ever
share a client or a transaction.
"""

import asyncio
import json
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fixtures import generate
from tests.fixtures.cases import case_date_only
from tests.fixtures.expected import CHUNK_SIZE
from tests.fixtures.model import PLACEHOLDER
from tests.fixtures.writers import with_tag
from tests.support.api import wait_finished
from tests.support.databases import fetch_rows

pytestmark = pytest.mark.e2e

CORPUS = generate.CORPUS_DIR
SUMMARY_DECIMALS = ("total_revenue", "lost_revenue")
ISSUE_FIELD = {"missing_email": "email", "invalid_email": "email",
               "existing_client_skipped": "email", "invalid_amount": "amount",
               "invalid_date": "purchased_at", "duplicate_transaction": "transaction_code"}
IMPORT_TIMEOUT_S = 90.0


def load_cases() -> dict[str, dict[str, Any]]:
    cases = {}
    for path in sorted(CORPUS.glob("*.expected.json")):
        cases[path.name.removesuffix(".expected.json")] = json.loads(path.read_text())
    return cases


CASES = load_cases()
STANDALONE = [name for name, want in CASES.items() if not want["after"]]
SEQUENCES = {name: want["after"] for name, want in CASES.items() if want["after"]}


def new_tag() -> str:
    return ("t" + uuid.uuid4().hex)[: len(PLACEHOLDER)]


def tagged_file(case: str, tag: str) -> tuple[str, bytes]:
    file_name = CASES[case]["file"]
    ext = file_name.rsplit(".", 1)[1]
    data = with_tag((CORPUS / file_name).read_bytes(), ext, tag)
    assert PLACEHOLDER.encode() not in data
    return file_name, data


def tagged(text: str, tag: str) -> str:
    return text.replace(PLACEHOLDER, tag)


def import_case(api: httpx.Client, case: str, tag: str,
                confirm: dict[str, Any] | None = None) -> dict[str, Any]:
    file_name, data = tagged_file(case, tag)
    created = api.post("/v1/imports", files={"file": (file_name, data)})
    assert created.status_code == 201, f"{case}: {created.status_code} {created.text}"
    import_id = created.json()["id"]
    body = confirm if confirm is not None else CASES[case]["confirm"]
    confirmed = (api.post(f"/v1/imports/{import_id}/confirm", json=body) if body
                 else api.post(f"/v1/imports/{import_id}/confirm"))
    assert confirmed.status_code == 202, f"{case}: {confirmed.status_code} {confirmed.text}"
    return wait_finished(api, import_id, IMPORT_TIMEOUT_S)


def skipped_rows(api: httpx.Client, import_id: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    after = 0
    while True:
        page = api.get(f"/v1/imports/{import_id}/rows",
                       params={"status": "skipped", "limit": 1000, "after_row": after}).json()
        rows += page["items"]
        if page["next_after_row"] is None:
            return rows
        after = page["next_after_row"]


def summary_of(resource: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    return {key: (Decimal(resource[key]) if key in SUMMARY_DECIMALS and resource.get(key)
                  is not None else resource.get(key, "<missing>")) for key in fields}


def assert_import(api: httpx.Client, resource: dict[str, Any], want: dict[str, Any],
                  case: str) -> None:
    expected_summary = {key: Decimal(value) if key in SUMMARY_DECIMALS else value
                        for key, value in want["summary"].items()}
    got = summary_of(resource, list(expected_summary))
    assert got == expected_summary, f"{case}: summary differs (error: {resource.get('error')})"
    assert resource["mapping"] == want["mapping"], f"{case}: detected mapping differs"
    issues = skipped_rows(api, resource["id"])
    assert {str(i["row_number"]): i["code"] for i in issues} == want["skipped_rows"], \
        f"{case}: skipped rows differ"
    for issue in issues:
        assert issue["message"], issue
        field = ISSUE_FIELD.get(issue["code"])
        assert field is None or issue["column"] == want["mapping"][field], (case, issue)


@pytest.fixture(scope="module", autouse=True)
def _chunk_size_is_the_generators(chunk_size: int) -> None:
    assert chunk_size == CHUNK_SIZE, "expected chunks_total assume 7-row chunks"


def test_generator_reproduces_the_committed_corpus(tmp_path: Path) -> None:
    written = generate.write_corpus(tmp_path)
    fresh = {path.name: path.read_bytes() for path in written}
    committed = {path.name: path.read_bytes() for path in CORPUS.iterdir()}
    assert sorted(fresh) == sorted(committed), "run `make fixtures`"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"committed corpus differs from the generator: {stale}; run `make fixtures`"


def test_every_case_is_covered() -> None:
    assert len(CASES) >= 28
    sequence_tests = {"cross_later", "policy_skip"}
    assert set(SEQUENCES) == sequence_tests, "a new sequence case needs its own test"


@pytest.mark.parametrize("case", STANDALONE)
def test_corpus_case(api: httpx.Client, case: str) -> None:
    resource = import_case(api, case, new_tag())
    assert_import(api, resource, CASES[case], case)


# --------------------------------------------------------------------------------------
# Across imports
# --------------------------------------------------------------------------------------

async def transactions_of(database_url: str, tag: str) -> dict[str, dict[str, Any]]:
    """The revenue store's latest state of every purchase of this tag's buyers."""
    rows = await fetch_rows(
        database_url,
        "SELECT purchase_key, transaction_code, client_email, category, status, amount,"
        " currency FROM revenue_transactions WHERE client_email LIKE $1", f"%{tag}%")
    return {r["purchase_key"]: r for r in rows}


async def milestones_of(database_url: str, import_id: str) -> list[dict[str, Any]]:
    return await fetch_rows(
        database_url,
        "SELECT row_number, kind, transaction_code, status, previous_status, occurred_at"
        " FROM milestones WHERE import_id = $1 ORDER BY row_number", uuid.UUID(import_id))


async def test_later_export_moves_refunds_from_active_to_lost(api: httpx.Client,
                                                              stack: Any) -> None:
    tag = new_tag()
    first = await asyncio.to_thread(import_case, api, "cross_first", tag)
    await asyncio.to_thread(assert_import, api, first, CASES["cross_first"], "cross_first")
    before = {r["transaction_code"]: r for r in
              (await transactions_of(stack.database_url, tag)).values()}

    later = await asyncio.to_thread(import_case, api, "cross_later", tag)
    want = CASES["cross_later"]
    await asyncio.to_thread(assert_import, api, later, want, "cross_later")

    after = {r["transaction_code"]: r for r in
             (await transactions_of(stack.database_url, tag)).values()}
    state = {tagged(code, tag): (v["category"], Decimal(v["amount"]), v["currency"])
             for code, v in want["transactions"]["state"].items()}
    assert {code: (r["category"], r["amount"], r["currency"]) for code, r in after.items()} \
        == state
    changed = {tagged(code, tag) for code in want["transactions"]["changed"]}
    new = {tagged(code, tag) for code in want["transactions"]["new"]}
    refunded = {c for c in changed if before[c]["status"] == "Aprovado"
                and after[c]["status"] == "Reembolsado"}
    assert len(refunded) == 3
    for code in refunded:  # the same amount, moved from active to lost
        assert (before[code]["category"], after[code]["category"]) == ("active", "lost")
        assert before[code]["amount"] == after[code]["amount"]
    moved = sum((after[code]["amount"] for code in refunded), Decimal(0))
    old_lost = [r["amount"] for c, r in after.items() if c not in new and r["category"] == "lost"]
    assert sum(old_lost, Decimal(0)) == moved + sum(
        (r["amount"] for r in before.values() if r["category"] == "lost"), Decimal(0))

    milestones = await milestones_of(stack.database_url, later["id"])
    kinds = {(m["transaction_code"], m["kind"]) for m in milestones}
    status_changed = {c for c in changed if before[c]["status"] != after[c]["status"]}
    assert len(status_changed) == 4
    assert {(c, "purchase") for c in new} | {(c, "status_change") for c in status_changed} \
        <= kinds
    assert sorted(m["transaction_code"] for m in milestones) == sorted(new | changed)
    for m in milestones:
        if m["kind"] == "status_change":
            assert m["previous_status"] == before[m["transaction_code"]]["status"]


@pytest.mark.parametrize("case", ["current_detailed", "no_status_column", "row_problems"])
async def test_same_file_twice_changes_nothing(api: httpx.Client, stack: Any,
                                               case: str) -> None:
    tag = new_tag()
    first = await asyncio.to_thread(import_case, api, case, tag)
    await asyncio.to_thread(assert_import, api, first, CASES[case], case)
    store_before = await transactions_of(stack.database_url, tag)
    assert store_before

    again = await asyncio.to_thread(import_case, api, case, tag)
    want = json.loads(json.dumps(CASES[case]))
    summary = want["summary"]
    imported = (summary["transactions_new"] + summary["transactions_changed"]
                + summary["transactions_unchanged"])
    summary.update(clients_created=0, clients_updated=0, transactions_new=0,
                   transactions_changed=0, transactions_unchanged=imported)
    await asyncio.to_thread(assert_import, api, again, want, f"{case} (again)")

    assert await milestones_of(stack.database_url, again["id"]) == []
    assert await transactions_of(stack.database_url, tag) == store_before
    totals = await fetch_rows(stack.database_url,
                              "SELECT currency, active_total, lost_total, pending_total,"
                              " purchases FROM client_revenue WHERE client_email LIKE $1"
                              " ORDER BY client_email, currency", f"%{tag}%")
    assert sum(t["purchases"] for t in totals) == len(store_before)


async def test_duplicate_policy_skip_leaves_existing_clients_alone(api: httpx.Client,
                                                                   stack: Any) -> None:
    tag = new_tag()
    first = await asyncio.to_thread(import_case, api, "policy_first", tag)
    await asyncio.to_thread(assert_import, api, first, CASES["policy_first"], "policy_first")
    store_before = await transactions_of(stack.database_url, tag)
    clients_before = await fetch_rows(stack.database_url,
                                      "SELECT email, name, phone, updated_at FROM clients"
                                      " WHERE email LIKE $1 ORDER BY email", f"%{tag}%")

    second = await asyncio.to_thread(import_case, api, "policy_skip", tag)
    want = CASES["policy_skip"]
    assert want["confirm"] == {"duplicate_policy": "skip"}
    await asyncio.to_thread(assert_import, api, second, want, "policy_skip")

    store_after = await transactions_of(stack.database_url, tag)
    assert {k: v for k, v in store_after.items() if k in store_before} == store_before
    clients_after = await fetch_rows(stack.database_url,
                                     "SELECT email, name, phone, updated_at FROM clients"
                                     " WHERE email LIKE $1 ORDER BY email", f"%{tag}%")
    known = {c["email"] for c in clients_before}
    assert [c for c in clients_after if c["email"] in known] == clients_before
    assert len(clients_after) - len(clients_before) == want["summary"]["clients_created"]


async def test_default_purchase_date_fills_blank_dates(api: httpx.Client, stack: Any) -> None:
    case = case_date_only()
    blank_rows = {row for row, sale in case.numbered() if sale.date is None and sale.date_ok}
    assert blank_rows
    confirm = {"default_purchase_date": "2024-01-01T10:00:00-03:00"}
    resource = await asyncio.to_thread(import_case, api, "date_only", new_tag(), confirm)
    await asyncio.to_thread(assert_import, api, resource, CASES["date_only"], "date_only")
    milestones = await milestones_of(stack.database_url, resource["id"])
    dated = {m["row_number"]: m["occurred_at"].isoformat() for m in milestones
             if m["row_number"] in blank_rows}
    assert dated == dict.fromkeys(blank_rows, "2024-01-01T13:00:00+00:00")
