"""The reliability suite runs on its own stack: it kills services and stops the database."""

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hotmart_stack.stack import EmbeddedStack


def start_stack(run_dir: Path, **settings: str) -> EmbeddedStack:
    env = {key: value for key, value in os.environ.items() if not key.startswith("HOTMART_")}
    env.update(settings)
    stack = EmbeddedStack(run_dir, env=env)
    stack.start()
    try:
        stack.wait_ready(90)
    except BaseException:
        stack.stop()
        raise
    return stack


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStack]:
    running = start_stack(tmp_path_factory.mktemp("reliability"))
    yield running
    running.stop()


@pytest.fixture(scope="package")
def api(stack: EmbeddedStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.api_url, timeout=30.0) as client:
        yield client
