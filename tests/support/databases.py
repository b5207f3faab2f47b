"""The suite's PostgreSQL helpers: a new, empty database per store test, and rows read back
as dicts."""

import uuid
from typing import Any

import asyncpg

from hotmart_stack.servers import PostgresServer


async def fresh_database(server: PostgresServer, prefix: str) -> str:
    """The URL of a new, empty database on ``server``."""
    name = f"{prefix}_{uuid.uuid4().hex}"
    admin = await asyncpg.connect(server.url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return server.url.rsplit("/", 1)[0] + f"/{name}"


async def fetch_rows(database_url: str, sql: str, *args: object) -> list[dict[str, Any]]:
    """The rows ``sql`` returns, each as a dict, over a connection of its own."""
    conn = await asyncpg.connect(database_url)
    try:
        return [dict(r) for r in await conn.fetch(sql, *args)]
    finally:
        await conn.close()
