"""A consumer service that is down: the import says what it waits for, fails, and resumes."""

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal

import asyncpg
import httpx
import pytest

from hotmart_stack.stack import EmbeddedStack
from tests.reliability.conftest import local_stack
from tests.support.api import wait_finished, wait_for
from tests.support.exports import expected, portuguese_csv, purchases

pytestmark = pytest.mark.reliability

STALL_DEADLINE_S = 6
CHUNK_SIZE = 10


@pytest.fixture(scope="module")
def impatient_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStack]:
    yield from local_stack(tmp_path_factory.mktemp("stalled"),
                           FINALIZER_STALL_DEADLINE_S=str(STALL_DEADLINE_S),
                           FINALIZER_WATCH_INTERVAL_S="1", PARSE_CHUNK_SIZE=str(CHUNK_SIZE))


def test_stalled_import_waits_visibly_fails_then_retries(impatient_stack: EmbeddedStack) -> None:
    stack = impatient_stack
    tag = uuid.uuid4().hex[:8]
    rows = purchases(21, 45, [f"st{i}.{tag}@example.com" for i in range(15)],
                     ["Aprovado", "Cancelado", "Aguardando pagamento"], f"HPST{tag}")
    rows[4] = replace(rows[4], email=None, clean_email=None)
    want = expected(rows)
    with httpx.Client(base_url=stack.api_url, timeout=30) as api:
        stack.hold("revenue")
        created = api.post("/v1/imports", files={"file": ("stalled.csv", portuguese_csv(rows))})
        import_id = created.json()["id"]
        assert api.post(f"/v1/imports/{import_id}/confirm").status_code == 202

        waiting = wait_for(api, import_id, lambda r: set(r["waiting_for"]) == {"revenue"}, 60)
        assert waiting["status"] == "processing"
        assert waiting["waiting_for"]["revenue"] == {"missing": 5, "chunks": [0, 1, 2, 3, 4]}

        failed = wait_for(api, import_id, lambda r: r["status"] == "failed",
                          STALL_DEADLINE_S + 30)
        assert "revenue service has not processed chunks 0, 1, 2, 3, 4" in failed["error"]
        assert "retry" in failed["error"]

        stack.release("revenue")
        stack.wait_ready(180)
        assert api.post(f"/v1/imports/{import_id}/retry").status_code == 202
        done = wait_finished(api, import_id, 120)

        assert done["status"] == "completed", done["error"]
        assert done["error"] is None and done["waiting_for"] == {}
        assert (done["total_rows"], done["rows_skipped"]) == (45, want.rows_skipped)
        assert done["clients_created"] == len(want.emails)
        assert done["transactions_new"] == want.valid_rows
        assert Decimal(done["total_revenue"]) == want.total_revenue
        assert Decimal(done["lost_revenue"]) == want.lost_revenue
        assert api.post(f"/v1/imports/{import_id}/retry").status_code == 409
    assert asyncio.run(ledger_rows(stack.database_url, uuid.UUID(import_id))) == want.valid_rows


async def ledger_rows(database_url: str, import_id: uuid.UUID) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        count: int = await conn.fetchval(
            "SELECT count(*) FROM revenue_ledger WHERE import_id = $1", import_id)
        return count
    finally:
        await conn.close()


def test_the_import_answers_503_while_the_finalizer_is_down(
        impatient_stack: EmbeddedStack) -> None:
    """The finalizer keeps every import's outcome: without it the upload says so (503 with
    Retry-After) instead of guessing, and nothing is lost once it is back."""
    stack = impatient_stack
    tag = uuid.uuid4().hex[:8]
    rows = purchases(22, 12, [f"fd{i}.{tag}@example.com" for i in range(4)], ["Aprovado"],
                     f"HPFD{tag}")
    with httpx.Client(base_url=stack.api_url, timeout=30) as api:
        stack.hold("finalizer")
        try:
            created = api.post("/v1/imports", files={"file": ("down.csv", portuguese_csv(rows))})
            assert created.status_code == 201, created.text  # an upload needs no outcome
            import_id = created.json()["id"]
            assert api.get(f"/v1/imports/{import_id}").json()["status"] == "uploaded"
            confirmed = api.post(f"/v1/imports/{import_id}/confirm")
            assert confirmed.status_code == 503, confirmed.text  # confirmed, not yet shown
            for path in (f"/v1/imports/{import_id}", "/v1/imports",
                         f"/v1/imports/{import_id}/rows"):
                answer = api.get(path)
                assert answer.status_code == 503, (path, answer.text)
                assert answer.headers["Retry-After"].isdigit()
                assert "finalizer" in answer.json()["detail"]
        finally:
            stack.release("finalizer")
        stack.wait_ready(180)
        done = wait_finished(api, import_id, 120)
    assert done["status"] == "completed", done["error"]
    assert done["total_rows"] == 12
    assert done["clients_created"] == len(expected(rows).emails)
