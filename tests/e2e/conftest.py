"""A stack as production runs it (the parse service's own chunk size), for the modules whose
files are big: with the suite's 7-row chunks, 200 000 rows would be 28 572 chunks and
a hundred thousand chunk reports through the embedded broker."""

import os
from collections.abc import Iterator

import httpx
import pytest

from hotmart_stack.stack import EmbeddedStack
from tests.conftest import running_stack


@pytest.fixture(scope="module")
def production_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStack]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("HOTMART_") and key != "PARSE_CHUNK_SIZE"}
    yield from running_stack(tmp_path_factory.mktemp("production-stack"), env)


@pytest.fixture(scope="module")
def production_api(production_stack: EmbeddedStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=production_stack.api_url, timeout=120.0) as client:
        yield client
