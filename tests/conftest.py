"""Session fixtures: one embedded stack (real Tansu, PostgreSQL and S3 processes) for the run."""

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hotmart_stack.stack import EmbeddedStack
from tests.support.infra import server_addresses

TEST_CHUNK_SIZE = 7  # small, so even short test files span many chunks and partitions
STARTUP_TIMEOUT_S = 180


@pytest.fixture(scope="session")
def chunk_size() -> int:
    return TEST_CHUNK_SIZE


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, chunk_size: int) -> Iterator[EmbeddedStack]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("HOTMART_")}
    env["PARSE_CHUNK_SIZE"] = str(chunk_size)
    run_dir: Path = tmp_path_factory.mktemp("stack")
    with server_addresses() as servers:
        yield from running_stack(run_dir, {**env, **servers})


def running_stack(run_dir: Path, env: dict[str, str]) -> Iterator[EmbeddedStack]:
    # Generous: on a loaded 2-core machine six Python services can take a minute to import.
    stack = EmbeddedStack(run_dir, env=env)
    stack.start()
    try:
        stack.wait_ready(STARTUP_TIMEOUT_S)
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def api(stack: EmbeddedStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.api_url, timeout=30.0) as client:
        yield client
