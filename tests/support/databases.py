"""The suite's PostgreSQL helpers: one connection or one pool for the length of a block, a
new database migrated by its owners for a store test, and rows read back as dicts."""

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg

from hotmart_common.store.db import apply_migrations
from hotmart_stack.servers import PostgresServer

# An owner (the service whose tables they are) and its migrations folder.
Owner = tuple[str, Path]


async def fresh_database(server: PostgresServer, prefix: str) -> str:
    """The URL of a new, empty database on ``server``."""
    name = f"{prefix}_{uuid.uuid4().hex}"
    async with connected(server.url) as admin:
        await admin.execute(f'CREATE DATABASE "{name}"')
    return server.url.rsplit("/", 1)[0] + f"/{name}"


@asynccontextmanager
async def connected(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """One connection, closed when the block ends."""
    conn = await asyncpg.connect(database_url)
    try:
        yield conn
    finally:
        await conn.close()


@asynccontextmanager
async def pooled(database_url: str, *, min_size: int = 1,
                 max_size: int = 2) -> AsyncIterator[asyncpg.Pool]:
    """A connection pool, closed when the block ends."""
    pool = await asyncpg.create_pool(database_url, min_size=min_size, max_size=max_size)
    try:
        yield pool
    finally:
        await pool.close()


@asynccontextmanager
async def migrated_pool(server: PostgresServer, prefix: str, owners: Sequence[Owner], *,
                        min_size: int = 1, max_size: int = 2) -> AsyncIterator[asyncpg.Pool]:
    """A pool on a new database of ``server`` holding the tables of ``owners``, each migrated
    as its service migrates it."""
    async with pooled(await fresh_database(server, prefix), min_size=min_size,
                      max_size=max_size) as pool:
        for owner, migrations in owners:
            await apply_migrations(pool, owner, migrations)
        yield pool


async def fetch_rows(database_url: str, sql: str, *args: object) -> list[dict[str, Any]]:
    """The rows ``sql`` returns, each as a dict, over a connection of its own."""
    async with connected(database_url) as conn:
        return [dict(r) for r in await conn.fetch(sql, *args)]
