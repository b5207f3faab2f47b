"""The embedded stack on real processes: Tansu, PostgreSQL 18, moto, supervised services."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from hotmart_common import registry
from hotmart_stack.infra import (
    DATABASE_VAR,
    KAFKA_VAR,
    S3_ENDPOINT_VAR,
    start_infrastructure,
)
from hotmart_stack.processes import pid_alive, wait_until
from hotmart_stack.servers import s3_client, start_postgres
from hotmart_stack.services import ServiceSpec
from hotmart_stack.stack import EmbeddedStack

pytestmark = pytest.mark.integration

CLI = str(Path(sys.executable).parent / "hotmart-import")
SERVICE_NAMES = registry.SERVICE_NAMES
# Addresses nobody listens on: set in the environment, they stop the stack from
# starting its own servers, which the service-only tests do not need.
ELSEWHERE = {
    KAFKA_VAR: "127.0.0.1:1",
    DATABASE_VAR: "postgresql://postgres@127.0.0.1:1/elsewhere",
    S3_ENDPOINT_VAR: "http://127.0.0.1:1",
}

FAKE_SERVICE = """
import http.server, json, os, sys

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        settings = {k: v for k, v in os.environ.items() if k.startswith("HOTMART_")}
        body = json.dumps(settings).encode()
        self.send_response(200 if self.path in ("/healthz", "/readyz") else 404)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

port = int(os.environ[PORT_ENV])
print("fake service on", port, flush=True)
http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""


def environment_without_hotmart(**extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HOTMART_")}
    return {**clean, **extra}


def fake_service(folder: Path, name: str) -> ServiceSpec:
    port_env = f"{name.upper()}_HTTP_PORT"
    script = folder / f"fake_{name}.py"
    script.write_text(FAKE_SERVICE.replace("PORT_ENV", repr(port_env)))
    return ServiceSpec(name=name, argv=(sys.executable, str(script)), port_env=port_env)


def all_gone(pids: Mapping[str, int]) -> bool:
    return wait_until(lambda: not any(pid_alive(pid) for pid in pids.values()), timeout=10)


async def test_servers_answer_and_stop(tmp_path: Path) -> None:
    infra = start_infrastructure(tmp_path, environment_without_hotmart())
    pids = infra.pids
    try:
        assert set(pids) == {"kafka", "postgres", "s3"}
        await assert_kafka_round_trip(infra.endpoints.kafka_bootstrap)
        connection = await asyncpg.connect(infra.endpoints.database_url)
        assert await connection.fetchval("SELECT 1") == 1
        await connection.close()
        s3 = s3_client(infra.endpoints.s3_endpoint)
        s3.put_object(Bucket=infra.endpoints.s3_bucket, Key="probe.txt", Body=b"hello")
        got = s3.get_object(Bucket=infra.endpoints.s3_bucket, Key="probe.txt")
        assert got["Body"].read() == b"hello"
    finally:
        infra.stop()
    assert all_gone(pids)


async def assert_kafka_round_trip(bootstrap: str) -> None:
    topic = f"probe-{uuid.uuid4()}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    await producer.send_and_wait(topic, b"ping", key=b"k")
    await producer.stop()
    # A manual assignment skips the consumer-group join, which takes seconds on Tansu.
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    consumer.assign([TopicPartition(topic, 0)])
    try:
        message = await consumer.getone()
    finally:
        await consumer.stop()
    assert message.value == b"ping"


async def test_postgres_keeps_its_data_across_restarts(tmp_path: Path) -> None:
    first = start_postgres(tmp_path / "pgdata", tmp_path / "postgres.log")
    connection = await asyncpg.connect(first.url)
    await connection.execute("CREATE TABLE history (id int); INSERT INTO history VALUES (7)")
    await connection.close()
    first.stop()
    second = start_postgres(tmp_path / "pgdata", tmp_path / "postgres.log")
    try:
        connection = await asyncpg.connect(second.url)
        assert await connection.fetchval("SELECT id FROM history") == 7
        await connection.close()
    finally:
        second.stop()
    assert not pid_alive(first.pid)
    assert not pid_alive(second.pid)


def test_supervisor_restarts_a_killed_service(tmp_path: Path) -> None:
    services = [fake_service(tmp_path, "upload"), fake_service(tmp_path, "parse")]
    with EmbeddedStack(tmp_path, services, environment_without_hotmart(**ELSEWHERE)) as stack:
        assert set(stack.pids) == {"upload", "parse"}, "servers given by URL must not start"
        settings = httpx.get(f"{stack.api_url}/readyz").json()
        assert settings[KAFKA_VAR] == ELSEWHERE[KAFKA_VAR]
        assert settings["HOTMART_S3_BUCKET"] == "hotmart-imports"
        stack.publish_state()

        killed = stack.kill("parse")
        assert wait_until(lambda: stack.pids.get("parse") not in (None, killed), timeout=10)
        stack.wait_ready(timeout=10)
        assert not pid_alive(killed)
        recorded = json.loads(stack.state_path.read_text())["pids"]
        assert recorded["parse"] == stack.pids["parse"]
        assert stack.service_log("parse").read_text().count("starting parse") == 2
        pids = stack.pids
    assert all_gone(pids)
    assert not stack.state_path.exists()


def run_cli(*args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_cli_down_with_nothing_running(tmp_path: Path) -> None:
    result = run_cli("down", "--run-dir", str(tmp_path))
    assert result.returncode == 0
    assert "nothing is running" in result.stdout


@pytest.fixture
def fake_service_packages(tmp_path: Path) -> Path:
    """Stand-ins for the six service packages, found first through PYTHONPATH."""
    packages = tmp_path / "packages"
    for name in SERVICE_NAMES:
        package = packages / f"{name}_service"
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "__main__.py").write_text(
            FAKE_SERVICE.replace("PORT_ENV", repr(f"{name.upper()}_HTTP_PORT"))
        )
    return packages


def test_cli_up_detach_then_down(tmp_path: Path, fake_service_packages: Path) -> None:
    run_dir = tmp_path / "run"
    env = environment_without_hotmart(PYTHONPATH=str(fake_service_packages), **ELSEWHERE)
    started = time.monotonic()
    up = run_cli("up", "--detach", "--run-dir", str(run_dir), env=env)
    try:
        assert up.returncode == 0, up.stderr + up.stdout
        state = json.loads((run_dir / "stack.json").read_text())
        assert set(state["pids"]) == set(SERVICE_NAMES)
        assert httpx.get(f"{state['api_url']}/readyz").status_code == 200
        assert time.monotonic() - started < 30
        assert run_cli("status", "--run-dir", str(run_dir)).returncode == 0
    finally:
        down = run_cli("down", "--run-dir", str(run_dir))
    assert down.returncode == 0, down.stderr
    assert all_gone({"supervisor": state["supervisor_pid"], **state["pids"]})
    assert not (run_dir / "stack.json").exists()


class FakeImportApi(http.server.BaseHTTPRequestHandler):
    """The upload service's import API, reduced to what the CLI calls."""

    polls = 0

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        if self.path == "/v1/imports" and b"no email column" in body:
            self.answer(422, {"detail": "no buyer email column"})
        elif self.path == "/v1/imports":
            self.answer(201, {"id": "imp-1", "status": "uploaded", "preview": {}})
        else:
            self.answer(202, {"id": "imp-1", "status": "processing"})

    def do_GET(self) -> None:
        FakeImportApi.polls += 1
        done = FakeImportApi.polls >= 3
        self.answer(200, {
            "id": "imp-1", "status": "completed" if done else "processing",
            "file_name": "sales.csv", "chunks_done": 2 if done else 1, "chunks_total": 2,
            "clients_created": 3, "clients_updated": 1, "rows_skipped": 0, "issues": [],
        })  # fmt: skip

    def answer(self, status: int, document: object) -> None:
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def fake_import_api() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeImportApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_cli_import_follows_the_import_to_its_end(tmp_path: Path, fake_import_api: str) -> None:
    export = tmp_path / "sales.csv"
    export.write_text("email;valor\nana@example.com;1,00\n")
    imported = run_cli("import", str(export), "--json", "--api", fake_import_api)
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["status"] == "completed"
    assert "chunk 2 of 2 [##########] created 3 · updated 1 · skipped 0" in imported.stderr

    export.write_text("no email column\n")
    rejected = run_cli("import", str(export), "--api", fake_import_api)
    assert rejected.returncode == 2
    assert "no buyer email column" in rejected.stderr
