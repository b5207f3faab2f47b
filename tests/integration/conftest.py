"""One PostgreSQL process for the store tests of this folder; each test gets its own database."""

from collections.abc import Iterator

import pytest

from hotmart_stack.servers import PostgresServer, start_postgres


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    run_dir = tmp_path_factory.mktemp("store-tests")
    server = start_postgres(run_dir / "pgdata", run_dir / "postgres.log")
    try:
        yield server
    finally:
        server.stop()

