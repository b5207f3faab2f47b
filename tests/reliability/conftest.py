"""The reliability suite runs on its own stack: it kills services and stops the database."""

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hotmart_stack.stack import EmbeddedStack
from tests.conftest import running_stack


def local_stack(run_dir: Path, **settings: str) -> Iterator[EmbeddedStack]:
    """Always local processes: these tests kill and restart them."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("HOTMART_")}
    yield from running_stack(run_dir, {**env, **settings})


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStack]:
    yield from local_stack(tmp_path_factory.mktemp("reliability"))


@pytest.fixture(scope="package")
def api(stack: EmbeddedStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.api_url, timeout=30.0) as client:
        yield client
