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
# The tiers `make test-unit`, `-integration`, `-e2e` and `-reliability` select; each test is
# in exactly one, so together they run the whole suite once.
TIERS = ("unit", "integration", "e2e", "reliability")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Fails collection when a test is in no tier, or in more than one."""
    wrong = []
    for item in items:
        tiers = {mark.name for mark in item.iter_markers() if mark.name in TIERS}
        if len(tiers) != 1:
            wrong.append(f"{item.nodeid}: {', '.join(sorted(tiers)) or 'no tier'}")
    if wrong:
        raise pytest.UsageError(
            f"every test needs exactly one tier marker ({', '.join(TIERS)}), usually as"
            " `pytestmark = pytest.mark.<tier>` at the top of its file:\n  "
            + "\n  ".join(wrong))


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
