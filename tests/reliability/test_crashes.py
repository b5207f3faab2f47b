"""Whatever dies mid-import, the import ends with the summary and the store of a clean run."""

import asyncio
import random
import signal
import time
from collections.abc import Callable
from typing import Any

import httpx
import psutil
import pytest

from hotmart_stack.stack import EmbeddedStack
from tests.support.api import Resource, wait_finished, wait_for
from tests.support.reliability import (
    client_created_events,
    store_snapshot,
    summary,
    tagged_export,
)

pytestmark = pytest.mark.reliability

SEED = 20261122
CONSUMER_SIDE = ("parse", "matcher", "journey", "revenue", "finalizer")
FINISH_TIMEOUT_S = 300.0
STRIKE_POLL_S = 0.05  # the moment to strike comes and goes fast


def start_import(api: httpx.Client, tag: str) -> str:
    created = api.post("/v1/imports", files={"file": (f"{tag}.csv", tagged_export(tag))})
    assert created.status_code == 201, created.text
    import_id: str = created.json()["id"]
    assert api.post(f"/v1/imports/{import_id}/confirm").status_code == 202
    return import_id


def strike_moment(service: str) -> Callable[[Resource], bool]:
    """Seeded: the parser dies while publishing, the others part-way through the chunks."""
    if service == "parse":  # the first rows are in while the rest still go out
        return lambda r: r["clients_created"] > 0 or r["total_rows"] is not None
    threshold = random.Random(f"{SEED}-{service}").randint(2, 25)
    return lambda r: r["chunks_done"] >= threshold or r["status"] != "processing"


@pytest.fixture(scope="module")
def clean_run(api: httpx.Client, stack: EmbeddedStack) -> dict[str, Any]:
    import_id = start_import(api, "clean")
    resource = wait_finished(api, import_id, FINISH_TIMEOUT_S)
    assert resource["status"] == "completed"
    assert resource["rows_failed"] == 0
    return {"summary": summary(resource),
            "store": asyncio.run(store_snapshot(stack.database_url, import_id, "clean")),
            "created": resource["clients_created"]}


async def assert_like_clean_run(stack: EmbeddedStack, api: httpx.Client, import_id: str,
                                tag: str, clean: dict[str, Any]) -> None:
    resource = await asyncio.to_thread(wait_finished, api, import_id, FINISH_TIMEOUT_S)
    assert summary(resource) == clean["summary"]
    assert await store_snapshot(stack.database_url, import_id, tag) == clean["store"]
    created = await client_created_events(stack.kafka_bootstrap, import_id)
    assert len(created) == clean["created"]  # every new client announced, none missing


@pytest.mark.parametrize("service", CONSUMER_SIDE)
async def test_a_killed_service_changes_nothing(service: str, api: httpx.Client,
                                                stack: EmbeddedStack,
                                                clean_run: dict[str, Any]) -> None:
    tag = f"kill{service}"
    import_id = await asyncio.to_thread(start_import, api, tag)
    moment = strike_moment(service)
    await asyncio.to_thread(wait_for, api, import_id, moment, poll_s=STRIKE_POLL_S)
    status_then = (await asyncio.to_thread(api.get, f"/v1/imports/{import_id}")).json()["status"]
    old_pid = stack.kill(service, signal.SIGKILL)
    assert status_then == "processing", "the kill must land mid-import"
    await asyncio.to_thread(stack.wait_ready, 180)
    assert stack.pids[service] != old_pid  # the supervisor restarted it
    await assert_like_clean_run(stack, api, import_id, tag, clean_run)


async def test_sigterm_drains_and_exits_in_time(api: httpx.Client, stack: EmbeddedStack,
                                                clean_run: dict[str, Any]) -> None:
    tag = "sigterm"
    import_id = await asyncio.to_thread(start_import, api, tag)
    await asyncio.to_thread(wait_for, api, import_id, lambda r: r["chunks_done"] >= 3,
                            poll_s=STRIKE_POLL_S)
    pid = stack.kill("matcher", signal.SIGTERM)
    started = time.monotonic()
    await asyncio.to_thread(psutil.Process(pid).wait, 30)
    took = time.monotonic() - started
    assert took <= 12.0, f"matcher took {took:.1f} s to stop after SIGTERM"
    log = stack.service_log("matcher").read_text()
    assert '"event": "service stopped"' in log
    await asyncio.to_thread(stack.wait_ready, 180)
    await assert_like_clean_run(stack, api, import_id, tag, clean_run)


async def test_database_restart_mid_import(api: httpx.Client, stack: EmbeddedStack,
                                           clean_run: dict[str, Any]) -> None:
    tag = "pgrestart"
    import_id = await asyncio.to_thread(start_import, api, tag)
    await asyncio.to_thread(wait_for, api, import_id, lambda r: r["chunks_done"] >= 3,
                            poll_s=STRIKE_POLL_S)
    await asyncio.to_thread(stack.stop_postgres)
    await asyncio.sleep(3)
    readiness = await asyncio.to_thread(httpx.get, f"{stack.service_url('revenue')}/readyz",
                                        timeout=10)
    assert readiness.status_code == 503  # red while the database is away
    await asyncio.to_thread(stack.start_postgres_again)
    await asyncio.to_thread(stack.wait_ready, 180)
    await assert_like_clean_run(stack, api, import_id, tag, clean_run)
